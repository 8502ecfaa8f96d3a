"""Engine and session factory; SQLite gets WAL and enforced foreign keys."""
import sqlite3
import time
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

WRITING = "forum_writing"  # execution option: this transaction is going to write


def make_engine(url: str, **kwargs) -> Engine:
    """Create an engine for `url`, preparing the SQLite directory and pragmas when needed."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling defers BEGIN; we emit it ourselves so that
        # "BEGIN IMMEDIATE" style locking and SAVEPOINTs behave as on PostgreSQL.
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if "poolclass" not in kwargs:
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 20)
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def _sqlite_begin(conn) -> None:
    # A deferred transaction reads a snapshot; if another connection commits before it first writes, SQLite
    # refuses the write at once ("database is locked", no busy wait): concurrent replies failed with 500s.
    # Transactions that will write take the write lock up front instead and wait their turn.
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITING) else "BEGIN")


def begin_writing(session: Session) -> None:
    """Start the session's transaction as a writing one (SQLite: BEGIN IMMEDIATE; PostgreSQL: no change)."""
    session.connection(execution_options={WRITING: True})


def _sqlite_pragmas(dbapi_conn, _record):
    dbapi_conn.isolation_level = None  # let the "begin" listener above issue BEGIN
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    _use_wal(cur)
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _use_wal(cur, attempts: int = 200) -> None:
    # Two web workers opening a brand-new file at once: switching its journal needs an exclusive lock, and
    # SQLite answers "database is locked" at once instead of waiting for the other switch to finish.
    for attempt in range(attempts):
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.05)


def insert_or_skip(model, dialect: str):
    """INSERT that skips rows whose unique key is already stored (another worker wrote them first)."""
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(model).on_conflict_do_nothing()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (templates render after the commit)."""
    return sessionmaker(engine, expire_on_commit=False)
