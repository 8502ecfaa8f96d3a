"""Embedding cache keyed by (model id, text hash): unchanged text is never embedded twice."""
import time
from functools import lru_cache
from pathlib import Path

import numpy as np
from sqlalchemy import Engine, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from models import EmbeddingCacheEntry
from models.db import insert_or_skip, make_engine
from search.embedders import Embedder, text_hash

BATCH = 32
CREATE_ATTEMPTS = 100


def cache_engine(data_dir: Path) -> Engine:
    """A cache database under the data dir that outlives throwaway forum databases (eval runs)."""
    engine = make_engine(f"sqlite:///{(Path(data_dir) / 'embedding_cache.db').resolve()}")
    for attempt in range(CREATE_ATTEMPTS):
        try:
            EmbeddingCacheEntry.__table__.create(engine, checkfirst=True)
            return engine
        except OperationalError:
            # Another worker is creating the same new file (switching its journal, or its own CREATE TABLE
            # between our check and ours): SQLite says "locked" without waiting. Check again shortly.
            if attempt == CREATE_ATTEMPTS - 1:
                raise
            time.sleep(0.1)
    return engine


class CachedEmbedder:
    """Wraps an embedder: documents are looked up by hash first and only the misses are embedded."""

    def __init__(self, embedder: Embedder, engine: Engine | None):
        self.embedder = embedder
        self.engine = engine
        self.model_id, self.dim = embedder.model_id, embedder.dim
        self.embedded = 0  # texts actually sent to the model (tests assert on it)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        # Popular searches and the composer's repeated, debounced requests reuse recent query vectors.
        if len(texts) <= 2:  # one query, or a query with its formal rewrite
            return self._few_queries(tuple(texts))
        return self.embedder.embed_queries(texts)

    @lru_cache(maxsize=2048)
    def _few_queries(self, texts: tuple[str, ...]) -> np.ndarray:
        vectors = self.embedder.embed_queries(list(texts))
        vectors.setflags(write=False)
        return vectors

    def count_tokens(self, text: str) -> int:
        return self.embedder.count_tokens(text)

    def embed_documents(self, texts: list[str], progress=None) -> np.ndarray:
        """Vectors for `texts` in order; cache misses are embedded in batches and stored."""
        hashes = [text_hash(t) for t in texts]
        found = self._lookup(set(hashes))
        todo = list(dict.fromkeys(h for h in hashes if h not in found))
        text_of = dict(zip(hashes, texts))
        for start in range(0, len(todo), BATCH):
            chunk = todo[start:start + BATCH]
            vectors = self.embedder.embed_documents([text_of[h] for h in chunk])
            self.embedded += len(chunk)
            self._store(dict(zip(chunk, vectors)))
            found.update(zip(chunk, vectors))
            if progress:
                progress(len(chunk))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, h in enumerate(hashes):
            out[i] = found[h]
        return out

    def _lookup(self, hashes: set[str]) -> dict[str, np.ndarray]:
        if self.engine is None or not hashes:
            return {}
        found, keys = {}, list(hashes)
        with Session(self.engine) as session:
            for start in range(0, len(keys), 500):
                rows = session.execute(select(EmbeddingCacheEntry.text_hash, EmbeddingCacheEntry.vector).where(
                    EmbeddingCacheEntry.model_id == self.model_id,
                    EmbeddingCacheEntry.text_hash.in_(keys[start:start + 500])))
                for h, blob in rows:
                    found[h] = np.frombuffer(blob, dtype=np.float32)
        return found

    def _store(self, vectors: dict[str, np.ndarray]) -> None:
        if self.engine is None or not vectors:
            return
        rows = [{"model_id": self.model_id, "text_hash": h, "vector": np.asarray(v, np.float32).tobytes()}
                for h, v in vectors.items()]
        with Session(self.engine) as session, session.begin():
            session.execute(insert_or_skip(EmbeddingCacheEntry, self.engine.dialect.name).values(rows))
