"""Time and memory of a worker rebuilding the large forum's vector index from its stored vectors.

Run it after `scripts/bench_search.py`, on the forum that generated (same `--dir` and `--database-url`).
Each case runs in a fresh process on a copy of the saved index directory:
- `startup_without_file`: a real `forum serve` worker (uvicorn, `scripts.asgi:build`) starts with the index
  file deleted and rebuilds it before its first search is answered;
- `regrow_in_worker`: a real worker starts on an index whose clusters were learned from 40,000 vectors (a small
  forum's, after a bulk import took it to 1M posts) and regrows them in its background thread while a client
  keeps searching over HTTP: the worker's peak RSS from its first answer on, and the searches' latency meanwhile;
- `rebuild_while_serving`: the search side of a worker opens the saved index, then rebuilds it in place, as
  a regrow does after a bulk import took a small forum's index past its clusters; the old index serves
  until the new one is swapped in.
Reported: seconds, the process's peak RSS (VmHWM, reset just before the rebuild) and its RSS afterwards; for the
rebuild while serving also the step the peak came in and how long searches waited while the new index was filled.
Prints a short table and, last, one JSON line (BENCH_TRACE=1: the regrowing worker's RSS every 100 searches, on
stderr).  Usage: python -m scripts.bench_rebuild [--dir D] [--database-url URL] [--case all|startup|regrow|serving]
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def _status_mb(pid="self") -> dict:
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
    return {key: round(int(fields[key].split()[0]) / 1024) for key in ("VmHWM", "VmRSS")}


def _serve(env: dict, port: int, workers: int = 1) -> subprocess.Popen:
    """Worker processes started the way `forum serve` starts them (scripts/serve.py).

    Not plain `uvicorn --workers N`: its shared socket leaves Nagle's algorithm on, and every search then
    waited ~40 ms for a delayed ACK (an idle 2-worker server: p50 52 ms against 7 ms through scripts/serve.py)."""
    return subprocess.Popen([sys.executable, "-m", "scripts.serve", "scripts.asgi:build", "--factory", "--port",
                             str(port), "--log-level", "warning", "--workers", str(workers)], env=env, cwd=ROOT)


def _copy_without_file(data_dir: Path, kind: str, into: Path, keep_file: bool) -> Path:
    """A copy of the data dir (index, secret key); without the FAISS file unless `keep_file`."""
    target = into / "data"
    shutil.copytree(data_dir, target)
    if not keep_file:
        (target / "index" / kind / "vectors.faiss").unlink()
    return target


def startup_without_file(url: str, data_dir: Path, kind: str, port: int = 8766) -> dict:
    """A served worker starting without its index file: seconds until it answers a search, peak and final RSS."""
    env = {**os.environ, "FORUM_DATABASE_URL": url, "FORUM_DATA_DIR": str(data_dir), "FORUM_INDEX_KIND": kind}
    t0 = time.perf_counter()
    server = _serve(env, port)
    try:
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v1/search", params={"q": "cuti besar"},
                             timeout=600).status_code == 200:
                    break
            except httpx.HTTPError:
                if server.poll() is not None:
                    raise SystemExit("the worker exited during start-up")
                time.sleep(0.5)
        seconds, memory = round(time.perf_counter() - t0, 1), _status_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=60)
    return {"startup_without_file_s": seconds, "startup_without_file_peak_mb": memory["VmHWM"],
            "startup_without_file_rss_mb": memory["VmRSS"]}


def _with_fewer_clusters(url: str, data_dir: Path, kind: str) -> int:
    """Replace the saved index with one whose clusters came from 40,000 vectors: a small forum's index after a
    bulk import took it to 1M posts. Returns its cluster count."""
    from sqlalchemy.orm import sessionmaker

    from models.db import make_engine
    from search.service import open_engine
    engine = open_engine(sessionmaker(make_engine(url)), data_dir, kind=kind)
    engine.index.stop()
    engine.index.builder.max_train = 40_000
    engine.index.rebuild()
    return engine.index.vectors.nlist


def _workers_of(pid: int) -> list[int]:
    """The worker processes under a uvicorn supervisor (those holding an index: more than 300 MB)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(c) for c in children if _status_mb(c)["VmRSS"] > 300] or [pid]


def regrow_in_worker(url: str, data_dir: Path, kind: str, port: int = 8767, workers: int = 1) -> dict:
    """Served workers whose saved index has outgrown its clusters: one regrows them in the background while a
    client keeps searching, the others adopt its file. Each worker's peak RSS from the first answer on, and the
    searches' latency meanwhile."""
    import faiss
    nlist_before = _with_fewer_clusters(url, data_dir, kind)
    saved = data_dir / "index" / kind / "vectors.faiss"
    stamp = saved.stat().st_mtime_ns
    env = {**os.environ, "FORUM_DATABASE_URL": url, "FORUM_DATA_DIR": str(data_dir), "FORUM_INDEX_KIND": kind,
           "FORUM_WORKERS": str(workers)}
    server = _serve(env, port, workers)
    # With several workers, the others adopt the regrown file at their next poll, each after its own load.
    settle = 5 if workers == 1 else 25
    queries = ["cuti besar pns", "kenaikan pangkat reguler", "skp tahunan", "sppd luar kota", "latsar cpns",
               "tunjangan kinerja", "mutasi antar instansi", "pengadaan barang e-katalog"]
    latencies, started, regrown = [], None, None
    try:
        with httpx.Client(timeout=600) as client:
            while started is None:
                try:
                    if client.get(f"http://127.0.0.1:{port}/api/v1/search", params={"q": "cuti"}).status_code == 200:
                        started = time.perf_counter()
                except httpx.HTTPError:
                    if server.poll() is not None:
                        raise SystemExit("the worker exited during start-up")
                    time.sleep(0.5)
            # Every worker has loaded its index (the 1M-post one holds 400 MB of it; the process alone ~330 MB).
            while len(pids := _workers_of(server.pid)) < workers or min(_status_mb(p)["VmRSS"] for p in pids) < 650:
                time.sleep(0.2)
            before = {pid: _status_mb(pid) for pid in pids}  # the start-up's own peak (loading the file) ends here
            for pid in pids:
                Path(f"/proc/{pid}/clear_refs").write_text("5")
            while regrown is None or time.perf_counter() < regrown + settle:  # some seconds past the swap
                t0 = time.perf_counter()
                client.get(f"http://127.0.0.1:{port}/api/v1/search",
                           params={"q": queries[len(latencies) % len(queries)]}).raise_for_status()
                latencies.append((time.perf_counter() - t0) * 1000)
                if os.environ.get("BENCH_TRACE") and len(latencies) % 100 == 0:
                    print(f"{time.perf_counter() - started:6.1f}s {[_status_mb(p) for p in pids]}", file=sys.stderr)
                if regrown is None and saved.stat().st_mtime_ns != stamp:
                    regrown = time.perf_counter()
            memory = {pid: _status_mb(pid) for pid in pids}
    finally:
        server.terminate()
        server.wait(timeout=60)
    nlist_after = faiss.extract_index_ivf(faiss.read_index(str(saved))).nlist
    ordered = sorted(latencies)
    return {"regrow_workers": workers, "regrow_clusters": f"{nlist_before} -> {nlist_after}",
            "regrow_s": round(regrown - started, 1),
            "regrow_rss_at_first_answer_mb": [m["VmRSS"] for m in before.values()],
            "regrow_startup_peak_mb": [m["VmHWM"] for m in before.values()],
            "regrow_peak_mb": [m["VmHWM"] for m in memory.values()],
            "regrow_rss_after_mb": [m["VmRSS"] for m in memory.values()],
            "regrow_searches": len(latencies), "regrow_search_p50_ms": round(ordered[len(ordered) // 2], 1),
            "regrow_search_p95_ms": round(ordered[int(len(ordered) * 0.95)], 1),
            "regrow_search_max_ms": round(ordered[-1], 1)}


def rebuild_while_serving(url: str, data_dir: Path, kind: str) -> dict:
    """In this process: open the saved index as a worker does, then rebuild it; seconds, peak and final RSS."""
    from sqlalchemy.orm import sessionmaker

    from models.db import make_engine
    from search.heap import freeze_startup_heap
    from search.service import open_engine
    engine = open_engine(sessionmaker(make_engine(url)), data_dir, kind=kind)
    engine.index.stop()
    freeze_startup_heap()  # as the worker's start-up ends
    opened = _status_mb()
    Path("/proc/self/clear_refs").write_text("5")  # VmHWM from here on: the rebuild's own peak
    phases = PhaseClock()
    t0 = time.perf_counter()
    engine.index.rebuild(phases)
    seconds, memory = round(time.perf_counter() - t0, 1), _status_mb()
    return {"rebuild_while_serving_s": seconds, "rebuild_while_serving_rss_before_mb": opened["VmRSS"],
            "rebuild_while_serving_peak_mb": memory["VmHWM"], "rebuild_while_serving_rss_mb": memory["VmRSS"],
            "rebuild_while_serving_vectors": engine.index.vectors.count,
            # The last phase fills the swapped-in index under the search lock: searches wait this long.
            "rebuild_while_serving_search_pause_s": round(time.perf_counter() - phases.started["add"], 2),
            "rebuild_while_serving_peak_phase": phases.peak_phase}


class PhaseClock:
    """A progress reporter (search/progress.py) noting when each phase began and in which the peak RSS rose."""

    def __init__(self):
        self.started: dict[str, float] = {}
        self.peak_phase, self._peak, self._current = None, 0, None

    def phase(self, key, total=None):
        self._note()
        self.started[key], self._current = time.perf_counter(), key

    def __call__(self, count=1):
        self._note()

    def _note(self):
        peak = _status_mb()["VmHWM"]
        if self._current is not None and peak > self._peak:
            self.peak_phase, self._peak = self._current, peak


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", default="/tmp/forum-bench", help="the directory scripts/bench_search.py used")
    ap.add_argument("--database-url", help="the database scripts/bench_search.py filled (default DIR/bench.db)")
    ap.add_argument("--kind", default="ivf_sq8")
    ap.add_argument("--case", choices=["all", "startup", "serving", "regrow"], default="all")
    ap.add_argument("--workers", type=int, default=1, help="workers serving in the regrow case")
    args = ap.parse_args(argv)
    # The worker's settings, as scripts/bench_search.py sets them (synthetic vectors, served runtime).
    os.environ["FORUM_SEARCH_NOISE_FLOOR"] = "0"
    from search.embedders import serving_runtime
    os.environ["FORUM_EMBED_RUNTIME"] = serving_runtime()
    directory = Path(args.dir)
    url = args.database_url or f"sqlite:///{directory / 'bench.db'}"
    if not (directory / "data" / "index" / args.kind / "vectors.faiss").exists():
        raise SystemExit(f"no saved {args.kind} index under {directory}/data: run scripts/bench_search.py first")
    out = {"index_kind": args.kind, "database": url.split(":", 1)[0]}
    with tempfile.TemporaryDirectory() as scratch:
        if args.case in ("all", "startup"):
            copy = _copy_without_file(directory / "data", args.kind, Path(scratch) / "startup", keep_file=False)
            out.update(startup_without_file(url, copy, args.kind))
        if args.case in ("all", "regrow"):
            copy = _copy_without_file(directory / "data", args.kind, Path(scratch) / "regrow", keep_file=True)
            out.update(regrow_in_worker(url, copy, args.kind, workers=args.workers))
        if args.case == "all":
            # Its own process: the peak must not include this one's HTTP client or imports.
            child = subprocess.run([sys.executable, "-m", "scripts.bench_rebuild", "--dir", str(directory),
                                    "--database-url", url, "--kind", args.kind, "--case", "serving"],
                                   cwd=ROOT, capture_output=True, text=True, check=True)
            out.update({k: v for k, v in json.loads(child.stdout.strip().splitlines()[-1]).items() if k not in out})
        elif args.case == "serving":
            copy = _copy_without_file(directory / "data", args.kind, Path(scratch) / "serving", keep_file=True)
            out.update(rebuild_while_serving(url, copy, args.kind))
    for key, value in out.items():
        print(f"{key:<40} {value}")
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
