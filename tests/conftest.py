"""Shared fixtures: a clean real database per test (SQLite file or PostgreSQL), settings, app client.

Set FORUM_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/forum_test to run on PostgreSQL.
"""
import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from forum.settings import load_settings
from models.db import make_engine, make_session_factory
from models.migrate import upgrade

PG_URL = os.environ.get("FORUM_TEST_DATABASE_URL", "")
# Embeddings are a pure function of (model, text): one cache shared by all test processes and runs.
TEST_EMBEDDING_CACHE = Path(__file__).resolve().parents[1] / ".test-cache" / "embeddings"
TEST_EMBEDDING_CACHE.mkdir(parents=True, exist_ok=True)


def _worker_suffix() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def _migrated_template(tmp_path_factory):
    """Migrate once per test session; each test then starts from this clean schema."""
    if PG_URL:
        base, _, name = PG_URL.rpartition("/")
        # The process id keeps two developers' (or CI's and a developer's) runs from dropping each other's database.
        dbname = f"{name}_{_worker_suffix()}_{os.getpid()}"
        admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{dbname}"'))
        admin.dispose()
        url = f"{base}/{dbname}"
        upgrade(url)
        yield url
        admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)'))
        admin.dispose()
        return
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    yield str(path)


def _empty_postgres(url: str) -> None:
    """Delete every row and restart sequences: much faster than TRUNCATE for the tiny tables of a test."""
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = [r[0] for r in conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname='public' AND tablename <> 'alembic_version'"))]
        conn.execute(text("SET LOCAL session_replication_role = replica"))  # skip FK triggers while emptying
        for table in tables:
            conn.execute(text(f'DELETE FROM "{table}"'))
        for (seq,) in conn.execute(text("SELECT sequence_name FROM information_schema.sequences "
                                        "WHERE sequence_schema='public'")):
            conn.execute(text(f"ALTER SEQUENCE \"{seq}\" RESTART WITH 1"))
    engine.dispose()


@pytest.fixture
def db_url(_migrated_template, tmp_path):
    """URL of a clean, migrated database for this test."""
    if PG_URL:
        _empty_postgres(_migrated_template)
        # Stem counts are cached per database URL, and every PostgreSQL test reuses the same one.
        from search import lexical
        lexical._DF.clear()
        return _migrated_template
    path = tmp_path / "forum.db"
    shutil.copyfile(_migrated_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def engine(db_url):
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(engine):
    return make_session_factory(engine)


@pytest.fixture
def db(session_factory):
    """A session on the clean database; tests commit as the web layer would."""
    with session_factory() as session:
        yield session


@pytest.fixture
def settings(tmp_path, db_url):
    """Settings pointing at this test's database and a private data dir."""
    return load_settings(env={}, data_dir=tmp_path / "data", database_url=db_url, secret_key="test-secret-key-" + "x" * 32,
                         login_attempts_per_minute=1000, writes_per_minute=1000)


@pytest.fixture(autouse=True)
def _search_log_written_when_asked(monkeypatch):
    """Apps built in tests write their search log only when asked (flush, or a moderator page that flushes).

    Written from its own thread once a request ends, a log row would commit between a test's read and its next
    write, which SQLite refuses ("database is locked": the test session's snapshot is stale).
    tests/web/test_search_log_writer.py covers the writer's own timing."""
    import functools

    import web.pages.search as search_pages
    from web.search_log_writer import SearchLogWriter
    monkeypatch.setattr(search_pages, "SearchLogWriter",
                        functools.partial(SearchLogWriter, background=False))


@pytest.fixture
def app(settings, session_factory):
    """The real Litestar app on this test's database."""
    from web.app import create_app
    app = create_app(settings, session_factory)
    yield app
    # A page that searches (/cari) opens the process's engine and its index worker on first use; stop it, or
    # it keeps polling a database the session's teardown drops.
    from web.pages.search import stop_search, stop_search_log
    stop_search(app)
    stop_search_log(app)


@pytest.fixture
def client(app):
    """An HTTP client talking to the app in-process (cookies kept between requests)."""
    from litestar.testing import TestClient
    with TestClient(app=app, base_url="http://testserver.local") as c:
        yield c
