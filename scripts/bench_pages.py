"""Benchmark pages over real HTTP: home, a 30-reply and a 400-reply thread, the thread-list API, a hello-world ceiling.

Logged-out visitors (no cookie, as wrk sends) share cached pages (web/page_cache.py); the `*_member` routes
send a member's session cookie, so they measure the uncached render of the same pages.

Usage: python scripts/bench_pages.py [--threads 10000] [--posts 100000] [--duration 10] [--connections 16]
Needs `wrk` (Debian package). Prints a table and, last, one JSON line.
"""
import argparse
import json
import os
import platform
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from forum.accounts import start_session  # noqa: E402
from forum.markup import render_markdown  # noqa: E402
from models import Agency, Post, Thread, Topic, User, thread_topics, utcnow  # noqa: E402
from models.db import make_engine, make_session_factory  # noqa: E402
from models.migrate import upgrade  # noqa: E402

LUA = """
done = function(summary, latency, requests)
  io.write(string.format("BENCH %d %f %f %f %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), summary.errors.status + summary.errors.connect + summary.errors.timeout))
end
"""
BODIES = [
    "Rekan-rekan, bagaimana **prosedur** pengajuan cuti besar? Apakah harus lewat SIASN dulu?",
    "Setahu saya sesuai *Peraturan BKN 24/2017*:\n\n1. ajukan ke atasan\n2. unggah dokumen\n3. tunggu SK",
    "Terima kasih, sangat membantu. Di instansi kami prosesnya sekitar 2 minggu.",
    "Coba cek juga https://www.bkn.go.id untuk panduan terbaru, ada tabel syaratnya.",
]


def generate(url: str, n_threads: int, n_posts: int) -> int:
    """Bulk-insert agencies, topics, users, threads and posts; thread 1 has 30 replies and thread 2 has 400 (about
    two thirds of them top-level, as in the others). Returns thread 1's id and the number of posts."""
    engine = make_engine(url)
    rendered = [render_markdown(b) for b in BODIES]
    now = utcnow()
    rng = random.Random(7)
    with engine.begin() as conn:
        conn.execute(insert(Agency), [{"id": i, "slug": f"instansi-{i}", "name": f"Instansi {i}", "level": "pusat"}
                                      for i in range(1, 31)])
        conn.execute(insert(Topic), [{"id": i, "slug": f"topik-{i}", "name": f"Topik {i}", "description": ""}
                                     for i in range(1, 15)])
        conn.execute(insert(User), [{"id": i, "username": f"anggota{i}", "display_name": f"Anggota {i}",
                                     "email": f"a{i}@contoh.go.id", "password_hash": "x", "agency_id": 1 + i % 30,
                                     "role": "member", "is_active": True, "bio": "", "created_at": now}
                                    for i in range(1, 501)])
        replies_left = n_posts - n_threads
        post_id = 0
        for start in range(0, n_threads, 1000):
            threads, posts, tt = [], [], []
            for tid in range(start + 1, min(start + 1000, n_threads) + 1):
                replies = {1: 30, 2: 400}.get(tid) or min(replies_left, rng.randint(0, 18))
                replies_left -= replies
                created = now - timedelta(minutes=tid * 7)
                first = post_id + 1
                for k in range(replies + 1):
                    post_id += 1
                    r = rendered[k % len(rendered)]
                    posts.append({"id": post_id, "thread_id": tid, "author_id": 1 + (tid + k) % 500,
                                  "reply_to_id": None if k < 2 or k % 3 else post_id - 1, "body_md": BODIES[k % 4],
                                  "body_html": r.html, "body_text": r.text, "created_at": created + timedelta(minutes=k),
                                  "is_deleted": False, "is_hidden": False})
                threads.append({"id": tid, "title": f"Pertanyaan tentang cuti dan kepegawaian nomor {tid}",
                                "slug": f"pertanyaan-{tid}", "author_id": 1 + tid % 500, "agency_id": 1 + tid % 30,
                                "is_locked": False, "is_hidden": False, "is_pinned": False, "first_post_id": None,
                                "accepted_post_id": None, "created_at": created,
                                "last_activity_at": created + timedelta(minutes=replies), "reply_count": replies,
                                "version": 1, "_first": first, "_accepted": first + 1 if replies and tid % 2 else None})
                tt += [{"thread_id": tid, "topic_id": 1 + tid % 14}, {"thread_id": tid, "topic_id": 1 + (tid + 5) % 14}]
            conn.execute(insert(Thread), [{k: v for k, v in t.items() if not k.startswith("_")} for t in threads])
            conn.execute(insert(Post), posts)
            conn.execute(insert(thread_topics), tt)
            for t in threads:
                conn.execute(Thread.__table__.update().where(Thread.id == t["id"]).values(
                    first_post_id=t["_first"], accepted_post_id=t["_accepted"]))
    engine.dispose()
    return 1, post_id


def member_cookie(url: str) -> str:
    """A session cookie of one generated member (they wrote none of thread 1's posts)."""
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        token = start_session(session, session.get(User, 250))
        session.commit()
    engine.dispose()
    return f"sesi={token}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(app: str, env: dict, factory: bool, workers: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    # The same start-up as `forum serve` (scripts/serve.py: TCP_NODELAY kept with several workers).
    cmd = [sys.executable, "-m", "scripts.serve", app, "--host", "127.0.0.1", "--port", str(port), "--workers",
           str(workers), "--log-level", "warning"] + (["--factory"] if factory else [])
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(base + "/", timeout=2).read()
            return proc, base
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"server {app} did not start")


def wrk(url: str, duration: int, connections: int, script: Path, cookie: str | None = None) -> dict:
    headers = ["-H", f"Cookie: {cookie}"] if cookie else []
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "-s", str(script), *headers, url],
                         capture_output=True, text=True, check=True).stdout
    m = re.search(r"BENCH (\d+) ([\d.]+) ([\d.]+) ([\d.]+) (\d+)", out)
    requests, dur_us, p50, p95, errors = int(m[1]), float(m[2]), float(m[3]), float(m[4]), int(m[5])
    return {"rps": round(requests / (dur_us / 1e6), 1), "p50_ms": round(p50 / 1000, 2), "p95_ms": round(p95 / 1000, 2),
            "errors": errors}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=10_000)
    ap.add_argument("--posts", type=int, default=100_000)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--workers", type=int, default=1)
    args = ap.parse_args()
    load_before = os.getloadavg()[0]  # other jobs on the machine skew every number: report it
    tmp = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    url = f"sqlite:///{tmp / 'bench.db'}"
    upgrade(url)
    t0 = time.time()
    thread_id, n_posts = generate(url, args.threads, args.posts)
    cookie = member_cookie(url)
    gen_s = time.time() - t0
    script = tmp / "report.lua"
    script.write_text(LUA)
    env = {**os.environ, "FORUM_DATABASE_URL": url, "FORUM_DATA_DIR": str(tmp / "data"), "FORUM_BENCH": "1"}
    results = {}
    proc, base = start_server("scripts.bench_hello:app", env, False, args.workers)
    try:
        results["hello_world"] = wrk(base + "/", args.duration, args.connections, script)
    finally:
        proc.terminate(); proc.wait()
    proc, base = start_server("scripts.asgi:build", env, True, args.workers)
    try:
        thread_path = f"/diskusi/{thread_id}/pertanyaan-{thread_id}"
        for name, path, who in (("home", "/", None), ("thread_30_replies", thread_path, None),
                                 ("api_threads", "/api/v1/threads", None), ("home_member", "/", cookie),
                                 ("thread_30_replies_member", thread_path, cookie),
                                 ("thread_400_replies_member", "/diskusi/2/pertanyaan-2", cookie)):
            request = urllib.request.Request(base + path, headers={"Cookie": who} if who else {})
            page = urllib.request.urlopen(request).read()  # warm up
            if who:
                assert b'action="/keluar"' in page, "the member cookie did not log in"
            results[name] = {**wrk(base + path, args.duration, args.connections, script, who), "kb": len(page) // 1024}
    finally:
        proc.terminate(); proc.wait()
    ceiling = results["hello_world"]["rps"]
    for r in results.values():
        r["x_hello"] = round(r["rps"] / ceiling, 3)
    print(f"\n{'route':<28}{'req/s':>10}{'p50 ms':>10}{'p95 ms':>10}{'× hello':>10}{'errors':>8}{'KB':>7}")
    for name, r in results.items():
        print(f"{name:<28}{r['rps']:>10}{r['p50_ms']:>10}{r['p95_ms']:>10}{r['x_hello']:>10}{r['errors']:>8}"
              f"{r.get('kb', ''):>7}")
    summary = {"bench": "pages", "threads": args.threads, "posts": n_posts, "connections": args.connections,
               "duration_s": args.duration, "workers": args.workers, "generate_s": round(gen_s, 1),
               "machine": f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}",
               "load_avg_1m_before": round(load_before, 2),
               "results": results}
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
