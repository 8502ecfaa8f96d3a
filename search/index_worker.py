"""The background thread that keeps one process's search index caught up with the database's index events."""
import logging
import threading

from search.spare_cores import share_background_cores

log = logging.getLogger(__name__)


class IndexWorker:
    """Replays new events (this process's writes at once via `notify`, other processes' by polling)."""

    def __init__(self, index):
        self.index = index
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def notify(self) -> None:
        """Wake the worker now rather than at the next poll (after a commit that recorded index events)."""
        self._wake.set()

    def start(self, poll_seconds: float = 2.0) -> None:
        """Start the thread (once); the first pass also embeds what start-up left out."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, args=(poll_seconds,), name="search-indexer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread, letting a pass in progress finish (30 s at most)."""
        if self._thread is not None:
            self._stop.set()
            self._wake.set()
            self._thread.join(timeout=30)
            self._thread = None

    def _run(self, poll_seconds: float) -> None:
        share_background_cores()  # a regrow here must leave the other workers a core to search on
        first = True
        while not self._stop.is_set():
            try:
                self.index.catch_up()
                if first:
                    self.index.embed_missing()
                    self.index.catch_up()
                    self._rebuild_if_stale()
                    first = False
                self.index.regrow()
            except Exception:  # keep serving searches; the next poll retries
                log.exception("search index catch-up failed")
            self._wake.wait(poll_seconds)
            self._wake.clear()

    def _rebuild_if_stale(self) -> None:
        """Once, after a web worker's start-up: a saved file holding fewer vectors than the database (written by
        a process that missed some) is rebuilt from the stored vectors, not trusted for good."""
        index, stored = self.index, self.index.stored_count()
        if index.vectors.count != stored:
            log.warning("search index holds %d vectors, the database %d: rebuilding from stored vectors",
                        index.vectors.count, stored)
            index.rebuild()
            index.catch_up()
