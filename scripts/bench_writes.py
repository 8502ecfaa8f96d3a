"""Concurrent writes: members replying at the same moment through `forum serve --workers N` (real server).

Counts the status codes (every reply should be 201) and the latency of a reply under that contention.
SQLite by default (a fresh file under --dir); `--database-url` for an empty PostgreSQL database.

    python -m scripts.bench_writes --workers 2 [--members 4 --replies 25]
"""
import argparse
import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def prepare(url: str, members: int) -> tuple[int, list[str]]:
    """A migrated database with one thread and `members` members holding API tokens."""
    from forum import accounts, catalog, threads
    from models.db import make_engine, make_session_factory
    from models.migrate import upgrade
    upgrade(url)
    with make_session_factory(make_engine(url))() as db:
        catalog.add_agency(db, "bkn", "Badan Kepegawaian Negara", "pusat")
        catalog.add_topic(db, "cuti-kehadiran", "Cuti & Kehadiran", "")
        users = [accounts.register_user(db, username=f"penguji{i}", display_name=f"Penguji {i}",
                                        email=f"penguji{i}@contoh.go.id", password="Sandi-Uji-Panjang-2025!",
                                        agency="bkn") for i in range(members)]
        thread = threads.create_thread(db, author=users[0], agency="bkn", topics=["cuti-kehadiran"],
                                       title="Tulis bersamaan: apakah semua balasan tersimpan?",
                                       body_md="Uji beberapa anggota membalas pada saat yang sama.")
        tokens = [accounts.create_api_token(db, u, "uji")[0] for u in users]
        db.commit()
        return thread.id, tokens


def run(url: str, directory: Path, workers: int, members: int, replies: int, port: int = 8959) -> dict:
    thread_id, tokens = prepare(url, members)
    env = {**os.environ, "FORUM_DATABASE_URL": url, "FORUM_DATA_DIR": str(directory / "data"),
           "FORUM_WRITES_PER_MINUTE": "1000000", "FORUM_SECRET_KEY": "bench-writes-" + "k" * 32}
    log = open(directory / "server.log", "w")
    server = subprocess.Popen([sys.executable, "-m", "scripts.cli", "serve", "--port", str(port), "--workers",
                               str(workers), "--log-level", "warning"], cwd=ROOT, env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(base + "/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        codes, latencies, start = Counter(), [], threading.Barrier(len(tokens))

        def member(token: str) -> None:
            with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=120) as client:
                start.wait()
                for i in range(replies):
                    t0 = time.perf_counter()
                    r = client.post(f"/api/v1/threads/{thread_id}/replies",
                                    json={"body_md": f"Balasan nomor {i} untuk uji tulis bersamaan."})
                    latencies.append((time.perf_counter() - t0) * 1000)
                    codes[r.status_code] += 1
        jobs = [threading.Thread(target=member, args=(t,)) for t in tokens]
        for job in jobs:
            job.start()
        for job in jobs:
            job.join()
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.close()
    latencies.sort()
    errors = sum(1 for line in (directory / "server.log").read_text().splitlines() if "Traceback" in line)
    return {"bench": "writes", "workers": workers, "members": members, "replies": members * replies,
            "status": {str(k): v for k, v in sorted(codes.items())}, "server_tracebacks": errors,
            "p50_ms": round(latencies[len(latencies) // 2], 1), "p95_ms": round(latencies[int(len(latencies) * .95)], 1),
            "database": url.split("://")[0]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--members", type=int, default=4)
    ap.add_argument("--replies", type=int, default=25, help="replies per member")
    ap.add_argument("--dir", default="/tmp/forum-bench-writes")
    ap.add_argument("--database-url", help="an empty database (default: a fresh SQLite file under --dir)")
    args = ap.parse_args(argv)
    directory = Path(args.dir)
    subprocess.run(["rm", "-rf", str(directory)], check=True)
    directory.mkdir(parents=True)
    url = args.database_url or f"sqlite:///{directory / 'forum.db'}"
    out = run(url, directory, args.workers, args.members, args.replies)
    print(f"{'workers':<10}{'replies':>8}{'201':>6}{'other':>7}{'p50 ms':>9}{'p95 ms':>9}{'tracebacks':>12}")
    other = sum(v for k, v in out["status"].items() if k != "201")
    print(f"{out['workers']:<10}{out['replies']:>8}{out['status'].get('201', 0):>6}{other:>7}"
          f"{out['p50_ms']:>9}{out['p95_ms']:>9}{out['server_tracebacks']:>12}")
    print(json.dumps(out))
    return 0 if other == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
