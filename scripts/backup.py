"""`forum backup FILE` and `forum restore FILE`: the database is the forum (vectors included), so it is all a backup needs.

SQLite is copied with its online backup API (a consistent snapshot while the forum serves and writes); PostgreSQL
with `pg_dump --format=custom`. Each backup is checked before it replaces nothing: it is written beside FILE and
renamed only once complete and readable, and an existing FILE is never overwritten. The FAISS files and the
embedding cache are caches: after a restore the index is rebuilt from the restored vectors, with no re-embedding.
"""
import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from forum.settings import Settings


class Refused(Exception):
    """An operator's request this command will not carry out; its message is one Indonesian line."""


def _sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    return Path(parsed.database) if parsed.get_backend_name() == "sqlite" and parsed.database else None


def _libpq_url(url: str) -> str:
    """The SQLAlchemy URL as pg_dump reads it (no `+psycopg` driver part)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _pg_tool(name: str) -> str:
    tool = shutil.which(name)
    if tool is None:
        raise Refused(f"Gagal: `{name}` tidak ditemukan. Pasang klien PostgreSQL (Debian: postgresql-client).")
    return tool


def _counts(url: str) -> str:
    from models import Post, Thread
    from models.db import make_engine, make_session_factory
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            return f"{session.scalar(select(func.count(Thread.id)))} diskusi, {session.scalar(select(func.count(Post.id)))} tulisan"
    finally:
        engine.dispose()


def backup_database(url: str, target: Path) -> None:
    """Write a consistent copy of the database at `url` to `target` (which must not exist yet)."""
    if target.exists():
        raise Refused(f"Gagal: {target} sudah ada. Pilih nama berkas lain; cadangan lama tidak ditimpa.")
    part = target.with_name(target.name + ".sebagian")
    part.unlink(missing_ok=True)
    source = _sqlite_path(url)
    if source is not None:
        if not source.exists():
            raise FileNotFoundError(2, "tidak ada", str(source))
        with closing(sqlite3.connect(source)) as live, closing(sqlite3.connect(part)) as copy:
            live.backup(copy)  # page by page, a consistent snapshot even while the forum writes
            if copy.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise Refused("Gagal: salinan tidak lolos pemeriksaan integritas SQLite.")
    else:
        dumped = subprocess.run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(part),
                                 _libpq_url(url)], capture_output=True, text=True)
        listed = subprocess.run([_pg_tool("pg_restore"), "--list", str(part)], capture_output=True, text=True) \
            if dumped.returncode == 0 else dumped
        if listed.returncode != 0:
            part.unlink(missing_ok=True)
            raise Refused(f"Gagal mencadangkan: {(listed.stderr or '').strip().splitlines()[-1:]}")
    os.replace(part, target)


def restore_database(url: str, source: Path, replace: bool) -> None:
    """Put the backup `source` into the database at `url`, then migrate it to this code's schema."""
    from models.db import make_engine
    from models.migrate import is_empty, upgrade
    if not source.is_file():
        raise FileNotFoundError(2, "tidak ada", str(source))
    engine = make_engine(url)
    empty = is_empty(engine)
    engine.dispose()
    if not empty and not replace:
        raise Refused("Gagal: basis data tujuan sudah berisi forum. Hentikan `forum serve` lalu ulangi dengan "
                         "--ganti untuk menggantinya dengan isi cadangan.")
    target = _sqlite_path(url)
    if target is not None:
        with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as backup:
            try:
                whole = backup.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            except sqlite3.DatabaseError:  # not a database at all
                whole = False
            if not whole:
                raise Refused(f"Gagal: {source} bukan cadangan SQLite yang utuh.")
            target.parent.mkdir(parents=True, exist_ok=True)
            with closing(sqlite3.connect(target)) as live:
                backup.backup(live)
    else:
        restored = subprocess.run([_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
                                   "--dbname", _libpq_url(url), str(source)], capture_output=True, text=True)
        if restored.returncode != 0:
            raise Refused(f"Gagal memulihkan: {(restored.stderr or '').strip().splitlines()[-1:]}")
    upgrade(url)  # a backup made by older code gets this code's schema


def cmd_backup(settings: Settings, args) -> int:
    """Back the database up into one file."""
    target = Path(args.file)
    try:
        backup_database(settings.resolved_database_url, target)
    except Refused as exc:
        print(exc, file=sys.stderr)
        return 2
    size = target.stat().st_size / 1e6
    print(f"Cadangan tersimpan: {target} ({size:.1f} MB; {_counts(settings.resolved_database_url)}).")
    return 0


def cmd_restore(settings: Settings, args) -> int:
    """Replace the database with a backup; the search index is rebuilt from the restored vectors."""
    try:
        restore_database(settings.resolved_database_url, Path(args.file), args.ganti)
    except Refused as exc:
        print(exc, file=sys.stderr)
        return 2
    # The index files describe the database as it was: rebuilt from the restored vectors at the next start.
    shutil.rmtree(settings.data_dir / "index", ignore_errors=True)
    print(f"Dipulihkan dari {args.file}: {_counts(settings.resolved_database_url)}. Jalankan `forum serve`; indeks "
          "pencarian dibangun ulang dari vektor yang tersimpan, tanpa menghitung ulang.")
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
