"""`forum backup FILE` and `forum restore FILE`: the database is the forum (vectors included), so it is all a backup needs.

SQLite is copied with its online backup API (a consistent snapshot while the forum serves and writes); PostgreSQL
with `pg_dump --format=custom` (scripts/backup_pg.py). A backup is written beside FILE and renamed only once
complete and checked, and an existing FILE is never overwritten. A restore first checks that the file is a forum
backup of the right kind and that no server is using the database. The FAISS files are caches: after a restore
the index is rebuilt from the restored vectors, with no re-embedding.
"""
import fcntl
import os
import shutil
import sqlite3
import sys
from contextlib import closing
from pathlib import Path

from sqlalchemy.engine import make_url

from forum.settings import Settings
from scripts import backup_pg
from scripts.backup_pg import Refused

SQLITE_MAGIC, PG_MAGIC = b"SQLite format 3\x00", b"PGDMP"
IN_USE = "sedang-dipakai.lock"  # in the data dir: every `forum serve` worker holds it shared
_held: list = []


def hold_in_use_lock(data_dir: Path) -> None:
    """Called by each web worker: while it runs, `forum restore` on this data dir refuses to start."""
    data_dir.mkdir(parents=True, exist_ok=True)
    handle = open(data_dir / IN_USE, "a")
    fcntl.flock(handle, fcntl.LOCK_SH)
    _held.append(handle)  # kept open (and locked) for the life of the process


def _server_running(data_dir: Path) -> bool:
    path = data_dir / IN_USE
    if not path.exists():
        return False
    with open(path, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
    return False


def _sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    return Path(parsed.database) if parsed.get_backend_name() == "sqlite" and parsed.database else None


def _open_read_only(path: Path) -> sqlite3.Connection:
    # as_uri() escapes "#", "?" and spaces: pasted into "file:" as it was, "a#b.db" opened (and created) "a".
    return sqlite3.connect(path.resolve().as_uri() + "?mode=ro&immutable=1", uri=True)


def _sqlite_forum_counts(path: Path) -> str:
    """What a SQLite file holds ("N diskusi, M tulisan"), refusing one that is damaged or holds no forum."""
    try:
        with closing(_open_read_only(path)) as conn:
            if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise Refused(f"Gagal: {path} rusak (tidak lolos pemeriksaan integritas SQLite).")
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not {"threads", "posts", "alembic_version"} <= tables:
                raise Refused(f"Gagal: {path} bukan cadangan forum (tidak berisi tabel forum).")
            threads, posts = (conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("threads", "posts"))
    except sqlite3.DatabaseError:
        raise Refused(f"Gagal: {path} bukan cadangan forum yang utuh.") from None
    return f"{threads} diskusi, {posts} tulisan"


def backup_database(url: str, target: Path) -> str:
    """Write a consistent copy of the database at `url` to `target` (which must not exist); returns what it holds."""
    if target.exists():
        raise Refused(f"Gagal: {target} sudah ada. Pilih nama berkas lain; cadangan lama tidak ditimpa.")
    if not target.parent.is_dir():
        raise Refused(f"Gagal: folder {target.parent} tidak ada.")
    if not os.access(target.parent, os.W_OK):
        raise Refused(f"Gagal: folder {target.parent} tidak dapat ditulisi.")
    part = target.with_name(target.name + ".sebagian")
    source = _sqlite_path(url)
    try:
        if source is None:
            backup_pg.dump(url, part)
            held = f"{part.stat().st_size / 1e6:.1f} MB"
        else:
            if not source.exists():
                raise FileNotFoundError(2, "tidak ada", str(source))
            with closing(sqlite3.connect(source)) as live, closing(sqlite3.connect(part)) as copy:
                live.backup(copy)  # page by page, a consistent snapshot even while the forum writes
                copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal/-shm beside it
            held = f"{part.stat().st_size / 1e6:.1f} MB; {_sqlite_forum_counts(part)}"
    except BaseException:  # Ctrl-C included: a partial file must never look like a backup
        part.unlink(missing_ok=True)
        raise
    os.replace(part, target)
    return held


def _check_backup_kind(source: Path, sqlite_target: bool) -> None:
    if source.is_dir():
        raise IsADirectoryError(21, "folder", str(source))
    if not source.is_file():
        raise FileNotFoundError(2, "tidak ada", str(source))
    with open(source, "rb") as handle:
        head = handle.read(16)
    if head.startswith(SQLITE_MAGIC) and not sqlite_target:
        raise Refused("Gagal: ini cadangan SQLite, sedangkan FORUM_DATABASE_URL menunjuk PostgreSQL.")
    if head.startswith(PG_MAGIC) and sqlite_target:
        raise Refused("Gagal: ini cadangan PostgreSQL (pg_dump), sedangkan FORUM_DATABASE_URL menunjuk SQLite.")
    if not head.startswith(SQLITE_MAGIC if sqlite_target else PG_MAGIC):
        raise Refused(f"Gagal: {source} bukan cadangan forum.")
    if not sqlite_target and not backup_pg.is_forum_dump(source):
        raise Refused(f"Gagal: {source} bukan cadangan forum yang utuh.")


def restore_database(settings: Settings, source: Path, replace: bool) -> None:
    """Put the backup `source` into the configured database, then migrate it to this code's schema."""
    from models.db import make_engine
    from models.migrate import is_empty, upgrade
    url, target = settings.resolved_database_url, _sqlite_path(settings.resolved_database_url)
    _check_backup_kind(source, target is not None)
    if target is not None:
        _sqlite_forum_counts(source)
    if _server_running(settings.data_dir):
        raise Refused("Gagal: `forum serve` sedang berjalan dengan folder data ini. Hentikan dulu, lalu ulangi.")
    engine = make_engine(url)
    try:
        empty = is_empty(engine)
        others = 0 if target is not None else backup_pg.other_connections(engine)
    finally:
        engine.dispose()
    if not empty and not replace:
        raise Refused("Gagal: basis data tujuan sudah berisi forum. Hentikan `forum serve` lalu ulangi dengan "
                      "--ganti untuk menggantinya dengan isi cadangan.")
    if others:
        raise Refused(f"Gagal: {others} koneksi lain sedang memakai basis data ini (forum serve, psql…). Hentikan "
                      "dulu, lalu ulangi.")
    if target is None:
        backup_pg.restore(url, source)
    else:
        with closing(_open_read_only(source)) as backup, closing(sqlite3.connect(target)) as live:
            backup.backup(live)
    upgrade(url)  # a backup made by older code gets this code's schema


def _refusal(exc: Refused) -> int:
    print(exc, file=sys.stderr)
    return 2


def cmd_backup(settings: Settings, args) -> int:
    """Back the database up into one file."""
    try:
        held = backup_database(settings.resolved_database_url, Path(args.file))
    except Refused as exc:
        return _refusal(exc)
    print(f"Cadangan tersimpan: {args.file} ({held}).")
    return 0


def cmd_restore(settings: Settings, args) -> int:
    """Replace the database with a backup; the search index is rebuilt from the restored vectors."""
    try:
        restore_database(settings, Path(args.file), args.ganti)
    except Refused as exc:
        return _refusal(exc)
    # The index files describe the database as it was: rebuilt from the restored vectors at the next start.
    shutil.rmtree(settings.data_dir / "index", ignore_errors=True)
    print(f"Dipulihkan dari {args.file}. Jalankan `forum serve`; indeks pencarian dibangun ulang dari vektor yang "
          "tersimpan, tanpa menghitung ulang.")
    return 0


def register(sub) -> None:
    """Add the backup and restore subcommands to the `forum` parser."""
    p = sub.add_parser("backup", help="cadangkan basis data ke satu berkas (boleh saat forum berjalan)")
    p.add_argument("file", help="berkas cadangan baru, mis. cadangan-2026-12-07.db (tidak menimpa yang sudah ada)")
    p.set_defaults(func=cmd_backup)
    p = sub.add_parser("restore", help="pulihkan basis data dari berkas cadangan (hentikan forum dulu)")
    p.add_argument("file", help="berkas yang dibuat `forum backup`")
    p.add_argument("--ganti", action="store_true", help="ganti isi basis data yang sudah ada")
    p.set_defaults(func=cmd_restore)
