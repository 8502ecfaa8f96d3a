"""After-commit indexing: replay index events, embed changed passages, store vectors, keep FAISS in step.

The database is the truth (documents, vectors, events); the FAISS file under the data dir is a cache
that is caught up by replaying events, or rebuilt from stored vectors, never re-embedded unless the
model changed. Embedding runs here, in the caller's thread or the background worker, never on the
event loop.
"""
import logging
import threading
import time
from pathlib import Path

import numpy as np
from filelock import FileLock, Timeout
from sqlalchemy import exists, func, select

from models import IndexEvent, SearchDocument, SearchVector
from search.docmap import DocMap
from search.heap import release_freed_memory
from search.index_build import IndexBuilder
from search.index_worker import IndexWorker
from search.passage_store import store_passages, vector_model_id
from search.vector_index import MIN_TRAIN, IndexMeta, VectorIndex

log = logging.getLogger(__name__)
EVENT_BATCH = 1024
# On PostgreSQL a lower event id can commit after a higher one was already replayed; re-reading this many
# ids below the last applied one (skipping those seen) picks such late commits up.
REPLAY_OVERLAP = 500
SAVE_EVERY_SECONDS = 30.0


class SearchIndex:
    """The process's vector index over the database's stored vectors, plus the event replayer."""

    def __init__(self, session_factory, embedder, directory: Path, kind: str = "flat", min_train: int = MIN_TRAIN):
        self.session_factory, self.embedder, self.kind, self.min_train = session_factory, embedder, kind, min_train
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        # Several web workers share one index directory: the file lock keeps a saved index and its
        # metadata a pair (one process's file with another's last event would skip events for good),
        # and the regrow lock lets one of them re-learn the clusters while the others adopt its file.
        self._files = FileLock(self.directory / "index.lock")
        self._regrowing = FileLock(self.directory / "regrow.lock")
        self.model_id, self.dim = vector_model_id(embedder.model_id), embedder.dim
        self.lock = threading.RLock()  # FAISS is not safe to search while it is being changed
        self.vectors = VectorIndex(self.dim, self.model_id, kind, min_train=min_train)
        self.docmap = DocMap()
        self.last_event = 0
        self._saved_at = 0.0
        self._dirty = False
        self.worker = IndexWorker(self)
        self.on_indexed: list = []  # callbacks(doc_ids) after new or changed documents are embedded
        self._seen: set[int] = set()  # event ids applied within the overlap window
        self._seen_from: int | None = None
        self._regrown_at = -1
        self.builder = IndexBuilder(session_factory, self.model_id, self.dim, kind, min_train, self.directory)

    # -- start-up ---------------------------------------------------------------------------------
    def open(self, progress=None, catch_up: bool = True) -> str:
        """Load the saved index if it matches the database, else rebuild it; then catch up. Returns how.

        With catch_up=False (web start-up) only stored vectors are loaded; the worker embeds the rest.
        """
        how = "loaded"
        if not self._adopt_saved():
            self.rebuild(progress)
            how = "rebuilt"
        log.info("search index %s from %s: %d vectors (%s)", how, "the stored vectors" if how == "rebuilt" else
                 "its saved file", self.vectors.count, self.kind)
        if not catch_up:
            return how
        self.catch_up(progress)
        if self.vectors.count != self.stored_count():
            log.warning("vector index disagrees with the database after catch-up; rebuilding")
            self.rebuild(progress)
            self.catch_up(progress)
            how = "rebuilt"
        self.embed_missing(progress)
        if self.regrow(progress):
            how = "rebuilt"
        self.save()
        return how

    def regrow(self, progress=None) -> bool:
        """Learn an approximate index's clusters again once the forum has outgrown them (stored vectors only).

        Without this a forum that chose `ivf_sq8` on day one would search a million posts through clusters
        learned from its first few thousand; the old index keeps serving until the new one is swapped in.
        """
        if not self.vectors.outgrown() or self.vectors.count == self._regrown_at:
            return False  # the count check: never rebuild in a loop should a rebuild leave the shape as it was
        before = (self.vectors.count, self.vectors.nlist)
        try:
            self._regrowing.acquire(timeout=0)
        except Timeout:
            return False  # another worker is re-learning them; its saved file is adopted at a later poll
        try:
            if self._adopt_saved(more_clusters_than=self.vectors.nlist):
                release_freed_memory()  # the cycles the old index's reads left behind, then a trim
            else:
                self.rebuild(progress)  # which frees the old index's memory itself
            self.catch_up(progress)
            self.save()
        finally:
            self._regrowing.release()
        self._regrown_at = self.vectors.count
        log.info("search index regrown: %d vectors in %d clusters -> %d in %d",
                 *before, self.vectors.count, self.vectors.nlist)
        return True

    def _adopt_saved(self, more_clusters_than: int | None = None) -> bool:
        """Take the saved index file if it fits this database and model (and, when given, has more clusters).

        With `more_clusters_than` an index is serving: it is let go before the file is read, and searches wait
        while the file loads (1M posts: ~3 s). Read beside it, a worker adopting another worker's regrow held both
        (~1.2 GB); a file that then fails to load leaves an empty index, which the caller rebuilds."""
        with self.session_factory() as session:
            max_event = session.scalar(select(func.max(IndexEvent.id))) or 0
        with self._files:
            meta = IndexMeta.read(self.directory)
            # Asked before reading: a copy read only to be dropped held two indexes at once.
            if (meta is None or meta.model_id != self.model_id or meta.dim != self.dim or meta.kind != self.kind
                    or meta.last_event > max_event
                    or (more_clusters_than is not None and (meta.nlist or 0) <= more_clusters_than)):
                return False
            groups = self.builder.read_groups()
            if more_clusters_than is None:
                return self._swap_in_saved(groups)
            with self.lock:
                self.vectors = VectorIndex(self.dim, self.model_id, self.kind, min_train=self.min_train)
                release_freed_memory(collect=False)  # the old lists, before the new ones are read (see rebuild)
                return self._swap_in_saved(groups)

    def _swap_in_saved(self, groups: np.ndarray) -> bool:
        loaded, docmap = VectorIndex.load(self.directory), DocMap.load(self.directory)
        if loaded is None or docmap is None:
            return False
        vectors, meta = loaded
        vectors.min_train, docmap.doc_group = self.min_train, groups
        with self.lock:
            self.vectors, self.docmap, self.last_event = vectors, docmap, meta.last_event
            self._seen, self._seen_from = set(), None  # replay from the file's own last event
        return True

    def stored_count(self) -> int:
        """Vectors of this index's model stored in the database."""
        return self.builder.stored_count()

    def rebuild(self, progress=None, chunk: int = 5_000) -> None:
        """Rebuild FAISS from the vectors stored in the database (no embedding), `chunk` rows a read.

        5,000 rows a read, not 20,000: the row buffers' freed memory added 130 MB to a 1M-post rebuild's peak."""
        vectors, docmap, last_event, spilled = self.builder.build(progress, chunk)
        docmap.doc_group = self.builder.read_groups()  # before the swap: a search never sees a map without groups
        with self.lock:  # searches wait from here until the new index is filled (1M posts: ~1 s)
            self.vectors, self.docmap, self.last_event = vectors, docmap, last_event
            self._seen, self._seen_from = set(), None
            if spilled is not None:  # the old index went with the line above: its memory takes the new lists
                # ...but only once handed back: a worker loaded the old lists in its main thread, glibc returns
                # freed chunks to the arena they came from, and the index thread allocates from its own. Filled
                # without the trim, a regrow at 1M posts held both (1.25 GB); the trim takes ~0.1 s of the pause.
                release_freed_memory(collect=False)
                self.builder.fill_spilled(vectors, spilled, progress)
        self._dirty = True
        try:  # if the file cannot be written, the copy built in memory keeps serving
            with self._files:
                vectors.save(self.directory, last_event)
                docmap.save(self.directory)
            self._saved_at, self._dirty = time.monotonic(), False
        except OSError as exc:
            log.warning("rebuilt index not saved (%s); serving it from memory", exc)
        del vectors, docmap
        release_freed_memory()  # the old index, the built copy, the sample and the rows are all freed by now

    # -- replay -----------------------------------------------------------------------------------
    def catch_up(self, progress=None) -> int:
        """Apply every index event not applied yet; returns how many were applied."""
        applied = 0
        # Ids at or below where this process started replaying were covered by the saved file or the
        # rebuild; above it, any id not in _seen is new or a late commit.
        if self._seen_from is None:
            self._seen_from = self.last_event
        after = self.last_event - REPLAY_OVERLAP
        while True:
            with self.session_factory() as session:
                raw = session.execute(select(IndexEvent.id, IndexEvent.doc_id, IndexEvent.op)
                                      .where(IndexEvent.id > after).order_by(IndexEvent.id).limit(EVENT_BATCH)).all()
            if not raw:
                break
            after = raw[-1][0]
            rows = [r for r in raw if r[0] > self._seen_from and r[0] not in self._seen]
            if not rows:
                continue
            self.sync_documents(list(dict.fromkeys(r[1] for r in rows)), progress)
            self.last_event = max(self.last_event, rows[-1][0])
            self._seen.update(r[0] for r in rows)
            self._seen = {i for i in self._seen if i > self.last_event - REPLAY_OVERLAP}
            applied += len(rows)
            self._announce(list(dict.fromkeys(r[1] for r in rows if r[2] == "upsert")))
        if applied:
            self._dirty = True
            if time.monotonic() - self._saved_at > SAVE_EVERY_SECONDS:
                self.save()
        return applied

    def embed_missing(self, progress=None, batch: int = 512) -> int:
        """Embed documents that have no vectors for this model yet (a model switch; an interrupted reindex)."""
        done = 0
        after = -1
        while True:
            with self.session_factory() as session:
                has = exists().where(SearchVector.doc_id == SearchDocument.doc_id, SearchVector.model_id == self.model_id)
                ids = list(session.scalars(select(SearchDocument.doc_id).where(~has, SearchDocument.doc_id > after)
                                           .order_by(SearchDocument.doc_id).limit(batch)))
            if not ids:
                return done
            embedded = self.sync_documents(ids, progress)
            if embedded:
                # Other processes serving this database learn of these vectors only through events: without
                # them a second web worker, which skips documents this one stored first, never searched them.
                with self.session_factory.begin() as session:
                    session.add_all([IndexEvent(doc_id=d, op="vectors") for d in embedded])
            after, done = ids[-1], done + len(ids)
            self._announce(ids)  # e.g. duplicate candidates for a freshly seeded or migrated forum
            self.save()  # resumable: a killed reindex keeps what it embedded (vectors are in the database)

    def sync_documents(self, doc_ids: list[int], progress=None) -> list[int]:
        """Make stored vectors and FAISS match the current text of these documents (embedding only changes);
        returns the documents whose passages this call embedded and stored."""
        stored = store_passages(self.session_factory, self.embedder, doc_ids, progress)
        with self.lock:
            old = self.docmap.vectors_of_docs(doc_ids)
            self.vectors.remove(old)
            self.docmap.drop_vectors(old)
            self.vectors.add(stored.ids, stored.mat, model_id=self.model_id)
            self.docmap.set_vectors(stored.ids, stored.owners)
            self.docmap.set_groups(list(doc_ids), [stored.groups.get(d, -1) for d in doc_ids])
        return stored.embedded

    def _announce(self, doc_ids: list[int]) -> None:
        for callback in self.on_indexed if doc_ids else []:
            try:
                callback(doc_ids)
            except Exception:  # a failing listener (duplicate detection) must not stop indexing
                log.exception("search on_indexed callback failed")

    # -- persistence and the background worker ----------------------------------------------------
    def save(self) -> None:
        """Write the index file and its document map (with the last event applied) under the file lock."""
        with self._files, self.lock:
            self.vectors.save(self.directory, self.last_event)
            self.docmap.save(self.directory)
        self._saved_at, self._dirty = time.monotonic(), False

    def notify(self) -> None:
        """Called after a commit that recorded index events: wake the worker now rather than at the next poll."""
        self.worker.notify()

    def start(self, poll_seconds: float = 2.0) -> None:
        """Replay events in a background thread (new writes here, and other processes' writes by polling)."""
        self.worker.start(poll_seconds)

    def stop(self) -> None:
        """Stop the background thread and save what it applied since the last save."""
        self.worker.stop()
        if self._dirty:
            self.save()
