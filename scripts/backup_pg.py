"""PostgreSQL's half of `forum backup` / `forum restore`: pg_dump and pg_restore, run with the password in the
environment (never on a command line other users can read with `ps`), their errors turned into one line."""
import os
import shutil
import subprocess
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url


class Refused(Exception):
    """An operator's request this command will not carry out; its message is one Indonesian line."""


def _tool(name: str) -> str:
    tool = shutil.which(name)
    if tool is None:
        raise Refused(f"Gagal: `{name}` tidak ditemukan. Pasang klien PostgreSQL (Debian: postgresql-client).")
    return tool


def _connection(url: str) -> tuple[str, dict]:
    """The URL as libpq reads it, without its password, and an environment carrying the password instead."""
    parsed = make_url(url).set(drivername="postgresql")
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    return parsed.set(password=None).render_as_string(hide_password=False), env


def _reason(stderr: str) -> str:
    """pg_dump's / pg_restore's own error lines (not their context lines), joined."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    errors = [line.split("error:", 1)[1].strip() for line in lines if "error:" in line]
    return "; ".join(errors or lines[-1:]) or "tanpa keterangan"


def dump(url: str, part: Path) -> None:
    """pg_dump in its custom format into `part`, then read back by pg_restore --list."""
    target, env = _connection(url)
    done = subprocess.run([_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(part), target],
                          capture_output=True, text=True, env=env)
    if done.returncode == 0:
        done = subprocess.run([_tool("pg_restore"), "--list", str(part)], capture_output=True, text=True)
    if done.returncode != 0:
        raise Refused(f"Gagal mencadangkan: {_reason(done.stderr)}")
    if " TABLE public threads " not in done.stdout:
        raise Refused("Gagal mencadangkan: basis data ini tidak berisi forum.")


def is_forum_dump(source: Path) -> bool:
    """Whether pg_restore reads `source` as a dump holding the forum's tables."""
    listed = subprocess.run([_tool("pg_restore"), "--list", str(source)], capture_output=True, text=True)
    return listed.returncode == 0 and " TABLE public threads " in listed.stdout


def other_connections(engine) -> int:
    """Sessions other than this one on the database (a running `forum serve`, a psql)."""
    with engine.connect() as conn:
        return conn.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                "AND pid <> pg_backend_pid()")) or 0


def restore(url: str, source: Path) -> None:
    """pg_restore --clean in one transaction: a failure leaves the database as it was."""
    target, env = _connection(url)
    done = subprocess.run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
                           "--dbname", target, str(source)], capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise Refused(f"Gagal memulihkan: {_reason(done.stderr)}. Basis data tidak diubah. Bila cadangan ini dibuat "
                      "oleh versi forum yang lebih lama, pulihkan ke basis data baru yang kosong (createdb).")
