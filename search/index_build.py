"""Building a FAISS index and its document map from the database's stored vectors (nothing is embedded).

An approximate kind learns its clusters from a sample spread over the whole table, then every stored row is
read once: filed and encoded into spilled codes (search/spilled_codes.py) that fill the index once the old one
has been let go, or added directly to an exact index. The owner (search/indexer.py) swaps the result in.
"""
import logging
from pathlib import Path

import numpy as np
from sqlalchemy import func, select

from models import IndexEvent, SearchDocument, SearchVector
from search.docmap import DocMap
from search.heap import gc_paused
from search.progress import begin_phase
from search.spilled_codes import SpilledCodes, fill
from search.vector_index import MAX_TRAIN, VectorIndex

log = logging.getLogger(__name__)


class IndexBuilder:
    """Builds an index of one model's stored vectors, as the search index it serves is configured."""

    def __init__(self, session_factory, model_id: str, dim: int, kind: str, min_train: int, directory: Path):
        self.session_factory, self.model_id, self.dim = session_factory, model_id, dim
        self.kind, self.min_train, self.directory = kind, min_train, Path(directory)
        self.max_train = MAX_TRAIN  # vectors the clusters are learned from (scripts/bench_rebuild.py sets fewer)

    def stored_count(self, session=None) -> int:
        """Vectors of this model stored in the database."""
        if session is None:
            with self.session_factory() as session:
                return self.stored_count(session)
        return session.scalar(select(func.count()).select_from(SearchVector)
                              .where(SearchVector.model_id == self.model_id)) or 0

    def build(self, progress, chunk: int) -> tuple[VectorIndex, DocMap, int, SpilledCodes | None]:
        """A new index and document map from the stored vectors, and the last index event they include.

        An approximate index comes back empty, its codes spilled (search/spilled_codes.py): the caller fills it
        once the old index is gone, so the two never sit in memory together."""
        vectors, docmap = VectorIndex(self.dim, self.model_id, self.kind, min_train=self.min_train), DocMap()
        with self.session_factory() as session:
            last_event = session.scalar(select(func.max(IndexEvent.id))) or 0
            if self.kind != "flat":
                self._train(session, vectors, progress)
            spilled = SpilledCodes(self.directory, vectors.ivf.code_size) if vectors.approximate else None
            begin_phase(progress, "add" if spilled is None else "file", self.stored_count())
            try:
                with gc_paused():
                    self._add_stored(session, chunk, vectors, docmap, progress, spilled)
            except BaseException:
                if spilled is not None:
                    spilled.close()
                raise
        return vectors, docmap, last_event, spilled

    def _add_stored(self, session, chunk: int, vectors: VectorIndex, docmap: DocMap, progress=None,
                    spilled: SpilledCodes | None = None) -> None:
        """Read every stored (id, doc id, vector) row once into the document map and the index (or its spill)."""
        stmt = (select(SearchVector.id, SearchVector.doc_id, SearchVector.vector)
                .where(SearchVector.model_id == self.model_id).order_by(SearchVector.id))
        for part in session.execute(stmt.execution_options(yield_per=chunk)).partitions(chunk):
            ids = np.fromiter((r[0] for r in part), dtype=np.int64, count=len(part))
            docs = np.fromiter((r[1] for r in part), dtype=np.int64, count=len(part))
            mat = matrix([r[2] for r in part], self.dim)
            if spilled is None:
                vectors.add(ids, mat)
            else:
                spilled.add(vectors.ivf, ids, mat)
            docmap.set_vectors(ids, docs)
            if progress:
                progress(len(part))

    def fill_spilled(self, vectors: VectorIndex, spilled: SpilledCodes, progress=None) -> None:
        """Fill the swapped-in index from its spilled codes; should they be unreadable, from the database."""
        begin_phase(progress, "add", spilled.count)
        try:
            with spilled:
                fill(vectors.ivf, spilled, progress)
            return
        except OSError as exc:
            log.warning("rebuild codes unreadable (%s); filling the index from the stored vectors", exc)
        vectors.ivf.reset()
        begin_phase(progress, "add", self.stored_count())
        with self.session_factory() as session, gc_paused():
            self._add_stored(session, 5_000, vectors, DocMap(), progress)

    def _train(self, session, vectors: VectorIndex, progress=None) -> None:
        # A method of its own so the sample (245 MB at 1M posts) is freed before the adds begin: kept alive
        # through them it added that much to a running worker's peak (docs/search-research.md, nineteenth session).
        codec = vectors.sample_codec()
        sample = self.training_sample(session, progress=progress, codec=codec)
        if len(sample):
            if len(sample) >= vectors.train_floor:  # below it an exact index stands in: nothing to learn
                begin_phase(progress, "train")
            vectors.train(sample, overwrite=True, codec=codec)  # read for this alone: its memory takes the subset

    def training_sample(self, session, size: int | None = None, chunk: int = 2_500, progress=None,
                        codec=None) -> np.ndarray:
        """Vectors spread evenly over the whole table: the first chunk alone would cluster only the oldest posts.

        2,500 rows a read: with 10,000 the row buffers took 43 MB beside the 234 MB sample, and while an old 1M-post
        index serves, the sample is the rebuild's peak (probe in docs/search-research.md, twenty-first session)."""
        size = size or self.max_train
        total = self.stored_count(session)
        step = max(1, total // size)
        # In id order: PostgreSQL's parallel scan returned the rows in another order (and, under the limit, a
        # slightly different set) each time, so k-means started elsewhere and each build's recall differed.
        stmt = select(SearchVector.vector).where(
            SearchVector.model_id == self.model_id, SearchVector.id % step == 0).order_by(SearchVector.id).limit(size)
        # Filled chunk by chunk: the rows as one list, then joined, held the sample twice over.
        # Kept as the index's sample codec says: half-precision codes for int8 indexes (half the memory).
        shape = (min(size, total), self.dim) if codec is None else (min(size, total), codec.sa_code_size())
        sample, filled = np.empty(shape, dtype=np.float32 if codec is None else np.uint8), 0
        begin_phase(progress, "sample", len(sample))
        with gc_paused():
            for part in session.scalars(stmt.execution_options(yield_per=chunk)).partitions(chunk):
                block = matrix(part, self.dim) if codec is None else codec.sa_encode(matrix(part, self.dim))
                sample[filled:filled + len(block)] = block[:len(sample) - filled]
                filled += len(block)
                if progress:
                    progress(len(block))
        return sample[:filled]

    def read_groups(self, chunk: int = 20_000) -> np.ndarray:
        """doc_group for a new document map, read before it is swapped in: a search never sees it empty."""
        # Read in chunks into a fresh table: a million rows fetched at once left the worker holding their
        # freed memory (at 1M posts on PostgreSQL: 990 MB after opening, then 925).
        table = DocMap()
        with self.session_factory() as session:
            top = session.scalar(select(func.max(SearchDocument.doc_id))) or 0
            table.doc_group = np.full(max(top + 1, 1024), -1, dtype=np.int64)  # sized once, not doubled
            stmt = select(SearchDocument.doc_id, SearchDocument.group_id).execution_options(yield_per=chunk)
            with gc_paused():  # a million short-lived rows (search/heap.py)
                for part in session.execute(stmt).partitions(chunk):
                    table.set_groups(np.fromiter((r[0] for r in part), dtype=np.int64, count=len(part)),
                                     np.fromiter((r[1] for r in part), dtype=np.int64, count=len(part)))
        return table.doc_group


def matrix(blobs: list[bytes], dim: int) -> np.ndarray:
    """Stored float32 vectors (one blob per row) as one matrix."""
    return np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(blobs), dim)
