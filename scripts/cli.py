"""The `forum` command: serve, migrate, seed-demo, seed-catalog, add-agency, add-topic, create-admin (search adds
reindex and eval)."""
import argparse
import getpass
import os
import re
import sys
from pathlib import Path

from forum.settings import Settings, load_settings

DEMO_DATA = Path(__file__).parent / "demo_data"
# What an operator does next about a refusal that only the command line can fix.
NEXT_STEP = {("agency", "Instansi tidak dikenal."): " Tambahkan dulu: `forum seed-catalog` (daftar bawaan) atau "
             "`forum add-agency SLUG NAMA`.",
             ("agency", "Pilih instansi."): " Sebutkan dengan --agency SLUG, mis. --agency bkn."}


def _session_factory(settings: Settings):
    from models.db import make_engine, make_session_factory
    return make_session_factory(make_engine(settings.resolved_database_url))


def cmd_migrate(settings: Settings, args) -> int:
    """Upgrade the database schema to the newest migration."""
    from models.migrate import upgrade
    upgrade(settings.resolved_database_url)
    print(f"Basis data sudah diperbarui ke skema terbaru: {_safe_url(settings)}")
    return 0


def cmd_seed_demo(settings: Settings, args) -> int:
    """Fill an empty database with the demo content."""
    from tqdm import tqdm

    from forum.demo import DEMO_PASSWORD, load_json_parts, seed_demo
    cmd_migrate(settings, args)
    factory = _session_factory(settings)
    total = len(load_json_parts(DEMO_DATA, "threads"))
    with factory() as session, tqdm(total=total, desc="Mengisi diskusi demo", unit="diskusi") as bar:
        try:
            counts = seed_demo(session, DEMO_DATA, progress=lambda: bar.update(1))
        except RuntimeError as exc:
            print(str(exc), file=sys.stdout if args.if_empty else sys.stderr)
            return 0 if args.if_empty else 1
        session.commit()
    print(f"Demo terisi: {counts['users']} anggota, {counts['threads']} diskusi, {counts['replies']} balasan.")
    print(f"Masuk sebagai 'admin', 'moderator', atau anggota demo mana pun dengan kata sandi {DEMO_PASSWORD}")
    return 0


def cmd_seed_catalog(settings: Settings, args) -> int:
    """Add the shipped list of agencies and topics (no demo members or threads): a real forum's first step."""
    from forum.catalog import seed_catalog
    cmd_migrate(settings, args)
    with _session_factory(settings)() as session:
        agencies, topics = seed_catalog(session, DEMO_DATA)
        session.commit()
    print(f"Ditambahkan {agencies} instansi dan {topics} topik (yang sudah ada dibiarkan).")
    return 0


def _write(settings: Settings, verb, done) -> int:
    """Run a domain verb in one transaction: its refusal is printed in Indonesian (each field), else `done(row)`."""
    from forum.errors import ValidationFailed
    with _session_factory(settings)() as session:
        try:
            row = verb(session)
        except ValidationFailed as exc:
            for field, message in (exc.fields or {"": exc.message}).items():
                hint = NEXT_STEP.get((field, message), "")
                print(f"Gagal: {message}{hint}", file=sys.stderr)
            return 2
        session.commit()
        print(done(row))
    return 0


def cmd_add_agency(settings: Settings, args) -> int:
    """Add one agency (a member's home agency and a thread's tag)."""
    from forum.catalog import add_agency
    return _write(settings, lambda session: add_agency(session, args.slug, args.name, args.level),
                  lambda row: f"Ditambahkan: {row.name} ({row.slug}).")


def cmd_add_topic(settings: Settings, args) -> int:
    """Add one topic."""
    from forum.catalog import add_topic
    return _write(settings, lambda session: add_topic(session, args.slug, args.name, args.description),
                  lambda row: f"Ditambahkan: {row.name} ({row.slug}).")


def cmd_create_admin(settings: Settings, args) -> int:
    """Create an admin account (asks for the password when not given)."""
    from forum import accounts
    password = args.password
    if not password:
        if not sys.stdin.isatty():  # getpass would fall back to echoing stdin, with an English warning
            print("Gagal: tidak ada terminal untuk menanyakan kata sandi; berikan --password.", file=sys.stderr)
            return 2
        password = getpass.getpass("Kata sandi admin: ")
        if getpass.getpass("Ulangi kata sandi: ") != password:
            print("Gagal: kedua kata sandi berbeda.", file=sys.stderr)
            return 2
    return _write(settings, lambda session: accounts.register_user(
        session, username=args.username, display_name=args.display_name or args.username, email=args.email,
        password=password, agency=args.agency, role="admin"), lambda user: f"Admin '{user.username}' sudah dibuat.")


def cmd_serve(settings: Settings, args) -> int:
    """Run the web server (migrating an empty database first)."""
    from scripts.serve import serve
    from search.text import read_synonym_groups

    if settings.local_synonyms is not None:
        try:  # checked here so a broken file is one clear line, not a traceback from every worker
            read_synonym_groups(settings.local_synonyms)
        except ValueError as exc:
            print(exc, file=sys.stderr)
            return 1
    from models.db import make_engine
    from models.migrate import is_empty, upgrade
    from scripts.serve import tcp_listener
    try:  # before loading anything: a taken port is one line, not a model load and an English error
        tcp_listener(args.host, args.port).close()
    except OSError as exc:
        print(f"Tidak bisa memakai alamat {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    engine = make_engine(settings.resolved_database_url)
    if is_empty(engine):
        print("Basis data kosong: menjalankan migrasi…")
    engine.dispose()
    upgrade(settings.resolved_database_url)
    print(f"Forum ASN Progresif berjalan di http://{args.host}:{args.port}")
    # Workers inherit it: each takes cores // workers threads at most for a lone query (search/spare_cores.py).
    os.environ["FORUM_WORKERS"] = str(args.workers)
    return serve("scripts.asgi:build", factory=True, host=args.host, port=args.port, workers=args.workers,
                 log_level=args.log_level)


def _safe_url(settings: Settings) -> str:
    url = settings.resolved_database_url
    return url.split("@")[-1] if "@" in url else url


def build_parser() -> argparse.ArgumentParser:
    """All subcommands, including those other packages register."""
    from scripts.argparse_id import speak_indonesian
    speak_indonesian()
    parser = argparse.ArgumentParser(prog="forum", description="Forum ASN Progresif")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("serve", help="jalankan server web")
    p.add_argument("--host", default="127.0.0.1", help="alamat yang didengarkan (0.0.0.0: semua antarmuka)")
    p.add_argument("--port", type=int, default=8000, help="port HTTP (bawaan 8000)")
    p.add_argument("--workers", type=int, default=1, help="jumlah proses; tiap proses memuat model dan indeksnya")
    p.add_argument("--log-level", default="info", help="critical, error, warning, info, atau debug")
    p.set_defaults(func=cmd_serve)
    sub.add_parser("migrate", help="perbarui skema basis data", description="Perbarui skema basis data ke migrasi "
                   "terbaru (aman dijalankan berulang).").set_defaults(func=cmd_migrate)
    p = sub.add_parser("seed-demo", help="isi basis data kosong dengan konten demo")
    p.add_argument("--if-empty", action="store_true", help="lewati tanpa galat bila sudah ada diskusi")
    p.set_defaults(func=cmd_seed_demo)
    sub.add_parser("seed-catalog", help="isi daftar instansi dan topik bawaan, tanpa konten demo (forum sungguhan)"
                   ).set_defaults(func=cmd_seed_catalog)
    p = sub.add_parser("add-agency", help="tambah satu instansi")
    p.add_argument("slug", help="slug di alamat, mis. pemkab-sleman")
    p.add_argument("name", help='nama tampil, mis. "Pemerintah Kabupaten Sleman"')
    p.add_argument("--level", default="lainnya", help="pusat, provinsi, kabupaten-kota, atau lainnya")
    p.set_defaults(func=cmd_add_agency)
    p = sub.add_parser("add-topic", help="tambah satu topik")
    p.add_argument("slug", help="slug di alamat, mis. barang-jasa")
    p.add_argument("name", help='nama tampil, mis. "Pengadaan Barang/Jasa"')
    p.add_argument("--description", default="", help="satu kalimat tentang isi topik")
    p.set_defaults(func=cmd_add_topic)
    p = sub.add_parser("create-admin", help="buat akun admin")
    p.add_argument("--username", required=True, help="nama pengguna untuk masuk")
    p.add_argument("--email", required=True, help="email dinas admin")
    p.add_argument("--agency", required=True, help="slug instansi, mis. bkn")
    p.add_argument("--display-name", default="", help="nama tampil (bawaan: nama pengguna)")
    p.add_argument("--password", default="", help="bila kosong, ditanyakan")
    p.set_defaults(func=cmd_create_admin)
    from scripts import backup
    backup.register(sub)
    try:
        from scripts import search_commands
        search_commands.register(sub)
    except ImportError:
        pass
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `forum` command: an operator's usual mistakes are one Indonesian line, not a traceback."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(load_settings(), args) or 0
    except EOFError:  # Ctrl-D at a prompt, or no terminal to ask on
        print("\nDibatalkan: tidak ada masukan. Untuk skrip, berikan --password.", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nDihentikan. Yang sudah tersimpan tetap ada; jalankan perintah yang sama lagi untuk melanjutkan.",
              file=sys.stderr)
        return 130
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError) as exc:
        kind = "bukan folder" if isinstance(exc, NotADirectoryError) else \
            "adalah folder, bukan berkas" if isinstance(exc, IsADirectoryError) else "tidak ditemukan"
        print(f"Gagal: {exc.filename} {kind}.", file=sys.stderr)
        return 2
    except ValueError as exc:
        if not str(exc).startswith("FORUM_"):
            raise
        print(f"Pengaturan salah: {exc}", file=sys.stderr)  # settings name the variable and what it accepts
        return 2
    except Exception as exc:
        message = _operator_message(exc)
        if message is None:
            raise
        print(message, file=sys.stderr)
        return 2


def _operator_message(exc: Exception) -> str | None:
    """What an unmigrated, newer or unreachable database means, in one line (None: a real bug, re-raised)."""
    from alembic.util.exc import CommandError
    from sqlalchemy.exc import NoSuchModuleError, OperationalError, ProgrammingError
    text = str(exc)
    missing_database = re.search(r'database "([^"]+)" does not exist', text)
    if isinstance(exc, OperationalError) and missing_database:
        return (f"Basis data {missing_database.group(1)} belum ada: buat dulu, mis. `createdb -h 127.0.0.1 -U postgres "
                f"{missing_database.group(1)}`.")
    if isinstance(exc, (OperationalError, ProgrammingError)) and ("no such table" in text or "does not exist" in text):
        return "Basis data belum berisi tabel forum: jalankan `forum migrate` dulu."
    if isinstance(exc, CommandError) and "Can't locate revision" in text:
        return ("Basis data sudah dimigrasi oleh versi kode yang lebih baru dari yang terpasang; pasang kembali "
                "versi itu (migrasi tidak dapat dibatalkan oleh kode yang tidak mengenalnya).")
    if isinstance(exc, NoSuchModuleError):
        return ("FORUM_DATABASE_URL tidak dikenal: pakai sqlite:///berkas.db atau "
                "postgresql+psycopg://pengguna@host:5432/nama.")
    if isinstance(exc, OperationalError):
        return f"Basis data tidak dapat dihubungi: {text.splitlines()[0][:200]}"
    return None


if __name__ == "__main__":
    sys.exit(main())
