"""`forum backup` and `forum restore` as real subprocesses, on SQLite and PostgreSQL alike."""
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from forum import posts
from models import Post, SearchVector, Thread
from models.db import make_engine, make_session_factory
from tests import factories as f

ROOT = Path(__file__).resolve().parents[2]


def _forum(args, db_url, data_dir):
    env = {**os.environ, "FORUM_DATABASE_URL": db_url, "FORUM_DATA_DIR": str(data_dir)}
    return subprocess.run([sys.executable, "-m", "scripts.cli", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


@pytest.fixture
def second_db_url(db_url, tmp_path):
    """Another empty database of the same kind, for restoring into."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'pulih' / 'forum.db'}"
        return
    base, _, name = db_url.rpartition("/")
    admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}_pulih" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}_pulih"'))
    yield f"{base}/{name}_pulih"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}_pulih" WITH (FORCE)'))
    admin.dispose()


def _contents(url: str) -> tuple:
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        found = (sorted(session.execute(select(Thread.id, Thread.title, Thread.reply_count)).all()),
                 sorted(session.execute(select(Post.id, Post.body_md, Post.is_hidden)).all()),
                 sorted(session.execute(select(SearchVector.doc_id, SearchVector.passage_no, SearchVector.vector)).all()))
    engine.dispose()
    return found


def test_a_backup_restores_every_thread_post_and_stored_vector_and_never_overwrites(db, db_url, second_db_url,
                                                                                  tmp_path):
    asker, helper = f.user(db), f.user(db)
    t = f.thread(db, asker, title="Bagaimana cara mengajukan cuti besar bagi PNS?")
    posts.reply(db, author=helper, thread=t, body_md="Ajukan lewat SIASN, lampirkan **SK** terakhir.")
    db.add(SearchVector(doc_id=t.first_post_id, passage_no=0, model_id="uji", text_hash="h", vector=b"\x01\x02" * 8))
    db.commit()
    before = _contents(db_url)
    backup = tmp_path / "cadangan.forum"
    made = _forum(["backup", str(backup)], db_url, tmp_path / "data")
    assert made.returncode == 0, made.stderr
    assert "Cadangan tersimpan" in made.stdout and " MB" in made.stdout
    if db_url.startswith("sqlite"):
        assert "1 diskusi, 2 tulisan" in made.stdout  # counted in the file written, not in the live database
    again = _forum(["backup", str(backup)], db_url, tmp_path / "data")
    assert again.returncode == 2 and "sudah ada" in again.stderr  # an earlier backup is never overwritten
    # Restored elsewhere: an index file left from another database is dropped, to be rebuilt from the vectors.
    stale_index = tmp_path / "pulih-data" / "index" / "flat"
    stale_index.mkdir(parents=True)
    (stale_index / "meta.json").write_text("{}")
    restored = _forum(["restore", str(backup)], second_db_url, tmp_path / "pulih-data")
    assert restored.returncode == 0, restored.stderr
    assert _contents(second_db_url) == before and not stale_index.exists()
    # A database that already holds a forum is replaced only when asked to.
    refused = _forum(["restore", str(backup)], second_db_url, tmp_path / "pulih-data")
    assert refused.returncode == 2 and "--ganti" in refused.stderr
    assert _forum(["restore", "--ganti", str(backup)], second_db_url, tmp_path / "pulih-data").returncode == 0
    assert _contents(second_db_url) == before


def test_restoring_a_file_that_is_not_a_backup_says_so_and_changes_nothing(db, db_url, tmp_path):
    f.thread(db, f.user(db), title="Diskusi yang harus tetap ada setelah pemulihan gagal")
    db.commit()
    before = _contents(db_url)
    junk = tmp_path / "bukan-cadangan.db"
    junk.write_text("ini bukan cadangan " * 100)
    result = _forum(["restore", "--ganti", str(junk)], db_url, tmp_path / "data")
    assert result.returncode == 2 and "Traceback" not in result.stderr and "Gagal" in result.stderr
    assert _contents(db_url) == before
    missing = _forum(["restore", str(tmp_path / "tidak-ada.db")], db_url, tmp_path / "data")
    assert missing.returncode == 2 and "tidak ditemukan" in missing.stderr


def test_a_backup_path_with_hash_question_mark_and_spaces_is_the_file_restored(db, db_url, tmp_path):
    if not db_url.startswith("sqlite"):
        pytest.skip("SQLite opens its backup through a file: URI; pg_restore takes the path as it is")
    f.thread(db, f.user(db), title="Diskusi yang dicadangkan ke folder bernama aneh")
    db.commit()
    folder = tmp_path / "arsip #1 ?b"
    folder.mkdir()
    backup = folder / "cadangan baru#2.db"
    assert _forum(["backup", str(backup)], db_url, tmp_path / "data").returncode == 0
    target = f"sqlite:///{tmp_path / 'pulih' / 'forum.db'}"
    restored = _forum(["restore", str(backup)], target, tmp_path / "pulih-data")
    assert restored.returncode == 0, restored.stderr
    assert _contents(target) == _contents(db_url)
    assert not (tmp_path / "arsip ").exists()  # what a "file:" URI cut at "#" names: never created
    assert sorted(p.name for p in folder.iterdir()) == ["cadangan baru#2.db"]  # no -wal, -shm or partial file


def test_empty_damaged_or_foreign_files_are_refused_before_anything_is_touched(db, db_url, tmp_path):
    f.thread(db, f.user(db), title="Diskusi yang harus tetap ada setelah pemulihan ditolak")
    db.commit()
    before = _contents(db_url)
    empty = tmp_path / "kosong.db"
    empty.write_bytes(b"")
    other_sqlite = tmp_path / "bukan-forum.db"
    with sqlite3.connect(other_sqlite) as conn:
        conn.execute("CREATE TABLE embedding_cache (key TEXT)")
    for bad in (empty, other_sqlite, tmp_path):
        result = _forum(["restore", "--ganti", str(bad)], db_url, tmp_path / "data")
        assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert _contents(db_url) == before
    nowhere = _forum(["backup", str(tmp_path / "tidak-ada" / "x.db")], db_url, tmp_path / "data")
    assert nowhere.returncode == 2 and "folder" in nowhere.stderr and "tidak ada" in nowhere.stderr


def test_restore_refuses_while_forum_serve_uses_the_data_dir(db, db_url, tmp_path):
    from scripts import backup as backup_module
    f.thread(db, f.user(db), title="Diskusi yang dicadangkan sebelum server berjalan")
    db.commit()
    backup = tmp_path / "cadangan.forum"
    assert _forum(["backup", str(backup)], db_url, tmp_path / "data").returncode == 0
    backup_module.hold_in_use_lock(tmp_path / "data")  # as a running worker does
    try:
        busy = _forum(["restore", "--ganti", str(backup)], db_url, tmp_path / "data")
    finally:
        backup_module._held.pop().close()
    assert busy.returncode == 2 and "sedang berjalan" in busy.stderr


def test_on_postgresql_restore_waits_for_other_connections_and_a_missing_database_is_named(db, db_url, tmp_path):
    if db_url.startswith("sqlite"):
        pytest.skip("PostgreSQL lists the other connections to a database; SQLite has the data dir lock above")
    f.thread(db, f.user(db), title="Diskusi di PostgreSQL yang dicadangkan")
    db.commit()
    backup = tmp_path / "cadangan.dump"
    assert _forum(["backup", str(backup)], db_url, tmp_path / "data").returncode == 0
    psql_like = create_engine(db_url)
    with psql_like.connect():  # another session on the database, as a psql or a server on another machine
        busy = _forum(["restore", "--ganti", str(backup)], db_url, tmp_path / "data")
    psql_like.dispose()
    assert busy.returncode == 2 and "koneksi lain" in busy.stderr
    base, _, name = db_url.rpartition("/")
    missing = _forum(["migrate"], f"{base}/{name}_tidak_ada", tmp_path / "data")
    assert missing.returncode == 2 and f"Basis data {name}_tidak_ada belum ada" in missing.stderr
