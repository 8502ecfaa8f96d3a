"""The search log, written in batches while the worker has no request to serve.

Each first page of results is logged (forum/search_log.py). Written right after its response, the row
competed with the next request: a Python thread holding the GIL for a database round trip, beside a query
embedding spinning on both cores. On a 2-core AVX2 machine at 1M posts, one client's fresh searches over HTTP
took p50 32-36 / p95 45-48 ms with that write against 28-31 / 37-43 ms without it (docs/search-research.md,
eighteenth session). So a search only queues its row here; a daemon thread writes the queue in one
transaction once no request is in flight, or after MAX_DELAY_S under constant load.
"""
import logging
import threading
import time
from collections import deque
from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError

from forum import search_log
from models import utcnow
from models.db import begin_writing
from search.spare_cores import requests_in_flight

log = logging.getLogger(__name__)

MAX_DELAY_S = 5.0  # a busy worker still writes its log this often
POLL_S = 0.05  # how often a waiting writer looks whether the worker went idle
MAX_QUEUED = 10_000  # beyond this (a database down for long) the oldest rows are dropped, never the pages


class SearchLogWriter:
    """Queues search-log rows and writes them from one background thread when the worker is idle."""

    def __init__(self, session_factory, busy: Callable[[], bool] = lambda: requests_in_flight() > 0,
                 max_delay: float | None = None, background: bool = True):
        """`busy` says whether the worker is serving a request now; `max_delay` (seconds, default MAX_DELAY_S)
        bounds how long a queued row waits for an idle moment. Without `background` no thread is started and
        rows are written by flush() only."""
        self.session_factory, self.busy, self.max_delay = session_factory, busy, max_delay
        self.background = background
        self._queue: deque = deque(maxlen=MAX_QUEUED)
        self._wake = threading.Event()
        self._write_lock = threading.Lock()
        self._stopped = False
        self._thread: threading.Thread | None = None
        self._thread_lock = threading.Lock()

    def submit(self, user_id: int | None, query: str, results: int) -> None:
        """Queue one search (its time is now, not when it is written)."""
        self._queue.append((user_id, query, results, utcnow()))
        if self.background:
            self._start()
            self._wake.set()

    def flush(self) -> int:
        """Write every queued row now, in one transaction; returns how many were taken from the queue."""
        with self._write_lock:
            rows = []
            while self._queue:
                rows.append(self._queue.popleft())
            if rows:
                self._write(rows)
            return len(rows)

    def stop(self) -> None:
        """Write what is queued and end the thread (application shutdown)."""
        self._stopped = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        self.flush()

    def _start(self) -> None:
        with self._thread_lock:
            if self._thread is None and not self._stopped:
                self._thread = threading.Thread(target=self._run, name="search-log-writer", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while not self._stopped:
            self._wake.wait()
            self._wake.clear()
            deadline = time.monotonic() + (MAX_DELAY_S if self.max_delay is None else self.max_delay)
            while self.busy() and time.monotonic() < deadline and not self._stopped:
                time.sleep(POLL_S)
            self.flush()

    def _write(self, rows: list) -> None:
        # A busy or unreachable database costs these log rows, never a page.
        session = self.session_factory()
        try:
            begin_writing(session)
            for user_id, query, results, at in rows:
                search_log.record_search(session, user_id, query, results, now=at)
            session.commit()
        except SQLAlchemyError as exc:
            session.rollback()
            log.warning("%d searches not logged: %s", len(rows), exc)
        finally:
            session.close()
