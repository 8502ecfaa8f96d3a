"""The search log is written off the request path: queued, then written when the worker is idle."""
import threading
import time

from sqlalchemy import select

from models import SearchLogEntry, utcnow
from models.db import make_engine, make_session_factory
from tests import factories as f
from tests.web.helpers import fresh
from web.search_log_writer import SearchLogWriter


def _logged(db) -> list:
    fresh(db)
    return list(db.execute(select(SearchLogEntry.query, SearchLogEntry.results, SearchLogEntry.user_id,
                                  SearchLogEntry.created_at).order_by(SearchLogEntry.id)))


def _wait_for(condition, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def test_a_queued_search_waits_while_a_request_is_in_flight_and_is_written_once_the_worker_is_idle(db, session_factory):
    member = f.user(db)
    db.commit()
    busy = threading.Event()
    busy.set()
    writer = SearchLogWriter(session_factory, busy=busy.is_set)
    before = utcnow()
    writer.submit(member.id, "Cuti  Besar PPPK", 3)
    writer.submit(None, "uang harian", 0)
    time.sleep(0.5)
    assert _logged(db) == []  # still serving: nothing competes with the request
    busy.clear()
    assert _wait_for(lambda: len(_logged(db)) == 2)
    rows = _logged(db)
    assert [r[:3] for r in rows] == [("cuti besar pppk", 3, member.id), ("uang harian", 0, None)]
    assert all(before <= r[3] <= utcnow() for r in rows)  # the time of the search, not of the write
    writer.stop()


def test_a_worker_that_is_never_idle_still_writes_its_log_within_the_delay(db, session_factory):
    writer = SearchLogWriter(session_factory, busy=lambda: True, max_delay=0.3)
    writer.submit(None, "tpp dipotong", 1)
    assert _wait_for(lambda: len(_logged(db)) == 1, seconds=5)
    writer.stop()


def test_stopping_writes_what_is_still_queued(db, session_factory):
    writer = SearchLogWriter(session_factory, busy=lambda: True)
    writer.submit(None, "latsar cpns", 2)
    writer.stop()
    assert [r[0] for r in _logged(db)] == ["latsar cpns"]


def test_a_writer_without_its_thread_writes_only_when_flushed(db, session_factory):
    writer = SearchLogWriter(session_factory, busy=lambda: False, background=False)
    writer.submit(None, "sppd luar negeri", 0)
    time.sleep(0.3)
    assert _logged(db) == [] and writer._thread is None
    assert writer.flush() == 1 and [r[0] for r in _logged(db)] == ["sppd luar negeri"]


def test_a_database_that_refuses_the_rows_costs_the_log_never_the_caller(tmp_path, caplog):
    # An empty database has no search log table: the write fails, the caller is not told.
    writer = SearchLogWriter(make_session_factory(make_engine(f"sqlite:///{tmp_path / 'empty.db'}")),
                             busy=lambda: True)
    writer.submit(None, "skp", 0)
    assert writer.flush() == 1
    assert "searches not logged" in caplog.text
    writer.stop()
