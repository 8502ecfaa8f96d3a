"""Search subcommands of `forum`: reindex, eval retrieval, eval pairs, eval forum."""
import json
import math
from pathlib import Path


def cmd_reindex(settings, args) -> int:
    """Catch the index up with the database, embedding whatever has no vector yet (resumable)."""
    from models.db import make_engine, make_session_factory
    from scripts.phase_progress import PhaseProgress
    from search.embedders import bulk_threads
    from search.passage_store import drop_other_models, made_another_way
    factory = make_session_factory(make_engine(settings.resolved_database_url))
    with factory() as session:
        upgrade = made_another_way(session)
    if args.documents or upgrade:
        # After an upgrade the stems were cut by the older text code too (e.g. "PPPK" read as "pakai" before
        # session 30): documents first, so the new vectors are made once, from the new plain forms.
        from forum.indexing import reindex_every_post
        with factory() as session:
            why = " (vektor dari versi sebelumnya ditemukan)" if upgrade and not args.documents else ""
            print(f"Dokumen pencarian disusun ulang dari {reindex_every_post(session)} tulisan{why}.")
    if args.rebuild:
        # Dropping the cache files is safe: the database holds every vector.
        for name in ("vectors.faiss", "vectors.json", "docmap.npy"):
            (Path(settings.data_dir) / "index" / settings.index_kind / name).unlink(missing_ok=True)
    with PhaseProgress() as progress, bulk_threads(settings.embedder):
        engine = _open_forum_engine(settings, factory, progress=progress)
    index = engine.index
    dropped = drop_other_models(factory, index.model_id)  # after an upgrade: the vectors made the old way
    if dropped:
        print(f"{dropped} vektor lama (model atau cara penyematan sebelumnya) dihapus dari basis data.")
    _refresh_statistics(factory)
    print(f"Indeks pencarian siap: {index.vectors.count} vektor ({index.model_id}, {index.kind}), "
          f"{engine.embedder.embedded} teks baru disematkan (bagian tulisan dan kueri pencarian duplikat; yang "
          f"sudah ada di cache sematan tidak dihitung), peristiwa terakhir #{index.last_event}.")
    return 0


def _open_forum_engine(settings, factory, progress=None):
    """The forum's search engine, caught up with its database the way the web process does it."""
    from forum import duplicate_detection
    from search.service import open_engine
    # Newly embedded first posts get their duplicate candidates, exactly as in the web process.
    return open_engine(factory, settings.data_dir, embedder=settings.embedder, kind=settings.index_kind,
                       cache_dir=settings.cache_dir, progress=progress,
                       on_indexed=[lambda engine, ids: duplicate_detection.after_indexed(factory, engine, ids)])


def _refresh_statistics(factory) -> None:
    """PostgreSQL: re-read the lexeme statistics that tell common stems from rare ones (search/lexeme_stats.py).

    Autovacuum does this in time on a server that runs it; after a bulk import, or where it is off, search
    would otherwise fall back to counting stems through the index (slower, same results)."""
    from sqlalchemy import text
    with factory() as session:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("ANALYZE search_documents"))
            session.commit()


def cmd_eval_retrieval(settings, args) -> int:
    from scripts.search_eval import eval_retrieval
    result = eval_retrieval(Path(args.dir), Path(settings.data_dir), limit=args.limit, embedder=settings.embedder,
                            kind=args.index or settings.index_kind, quiet=args.json)
    _report(result, args.json)
    return 0


def cmd_eval_pairs(settings, args) -> int:
    from scripts.search_eval import eval_pairs
    _report(eval_pairs(Path(args.file), Path(settings.data_dir), embedder=settings.embedder), args.json)
    return 0


def cmd_eval_demo(settings, args) -> int:
    """Phone-style searches aimed at the demo forum's threads (scripts/demo_search_eval.py)."""
    from scripts.demo_search_eval import SEARCHES, eval_demo
    result = eval_demo(Path(args.file) if args.file else SEARCHES, Path(settings.data_dir), embedder=settings.embedder,
                       quiet=args.json)
    misses = result.pop("misses")
    for key, value in result.items():
        print(f"{key:<18}  {value}")
    print("Bukan yang pertama (peringkat, jenis, pencarian → yang tampil pertama):")
    for miss in misses:
        print(f"  {miss['rank'] or '-'}\t{miss['kind']}\t{miss['query'][:70]} → {miss['first'][:60]}")
    if args.json:
        print(json.dumps({**result, "misses": misses}, ensure_ascii=False))  # the last stdout line, for scripts
    return 0


def cmd_eval_forum(settings, args) -> int:
    """Rank the forum's own labelled questions with today's search (forum/own_questions.py)."""
    from forum.own_questions import ASKER, COMPOSER, evaluate_own_questions
    from models.db import make_engine, make_session_factory
    from search.embedders import bulk_threads
    factory = make_session_factory(make_engine(settings.resolved_database_url))
    with bulk_threads(settings.embedder):
        engine = _open_forum_engine(settings, factory)
    try:
        with factory() as session:
            result = evaluate_own_questions(session, engine, misses=args.misses)
    finally:
        engine.index.stop()
    if not result["questions"]:
        print("Belum ada pertanyaan berlabel: muncul saat anggota menekan “Ya, ini menjawab pertanyaan saya” "
              "di formulir atau menyatakan diskusinya “sudah terjawab di sana”.")
    _report({k: v for k, v in result.items() if k not in (COMPOSER, ASKER, "misses")}, as_json=False)
    for source, label in ((COMPOSER, "dari formulir"), (ASKER, "dari penanya")):
        part = result[source]
        print(f"  {label}: {part['questions']} pertanyaan, recall@5 {part['recall@5']}, mrr@10 {part['mrr@10']}")
    if result["misses"]:
        print("Tidak tampil di 5 teratas (peringkat, pertanyaan → diskusi yang menjawab):")
        for miss in result["misses"]:
            print(f"  {miss['rank'] or '-'}\t{miss['question'][:80]} → #{miss['thread_id']} {miss['thread_title']}")
    if args.json:
        print(json.dumps(result, ensure_ascii=False))  # the last stdout line, for scripts
    return 0


def _report(result: dict, as_json: bool) -> None:
    width = max(len(k) for k in result)
    for key, value in result.items():
        print(f"{key:<{width}}  {value}")
    if as_json:
        # The last stdout line, for scripts: strict JSON, so a metric that is undefined on this file (ROC-AUC
        # over one class) is null, not NaN, which JSON parsers other than Python's refuse.
        print(json.dumps({k: None if isinstance(v, float) and not math.isfinite(v) else v for k, v in result.items()},
                         allow_nan=False))


def _positive(text: str) -> int:
    """A whole number above zero for --limit (0 ran every query; -1 dropped the last one)."""
    import argparse
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"harus bilangan bulat positif, bukan {text!r}")
    return number


def register(sub) -> None:
    """Add `reindex` and `eval` to the `forum` command's subparsers."""
    p = sub.add_parser("reindex", help="perbarui indeks pencarian (bisa dilanjutkan bila terputus)")
    p.add_argument("--rebuild", action="store_true", help="bangun ulang berkas indeks dari vektor di basis data")
    p.add_argument("--documents", action="store_true",
                   help="susun ulang dokumen pencarian dari semua tulisan dulu (pemulihan, impor)")
    p.set_defaults(func=cmd_reindex)
    ev = sub.add_parser("eval", help="ukur mutu pencarian dan deteksi duplikat").add_subparsers(dest="what", required=True)
    p = ev.add_parser("retrieval", help="set temu kembali berformat BEIR")
    p.add_argument("dir", help="folder BEIR: corpus.jsonl, queries.jsonl, qrels/")
    p.add_argument("--limit", type=_positive, default=None, help="hanya N kueri pertama")
    p.add_argument("--index", choices=["flat", "ivf_sq8", "ivf_pq"], default=None, help="jenis indeks vektor")
    p.add_argument("--json", action="store_true", help="baris terakhir: satu objek JSON")
    p.set_defaults(func=cmd_eval_retrieval)
    p = ev.add_parser("pairs", help="pasangan pertanyaan berlabel (TSV)")
    p.add_argument("file", help="TSV: id, text_a, text_b, label")
    p.add_argument("--json", action="store_true", help="baris terakhir: satu objek JSON")
    p.set_defaults(func=cmd_eval_pairs)
    p = ev.add_parser("demo", help="pencarian gaya ponsel terhadap diskusi demo (forum sementara)")
    p.add_argument("file", nargs="?", default=None, help="TSV: kind, query, answered_by (bawaan: scripts/eval_data)")
    p.add_argument("--json", action="store_true", help="baris terakhir: satu objek JSON")
    p.set_defaults(func=cmd_eval_demo)
    p = ev.add_parser("forum", help="pertanyaan berlabel dari forum ini sendiri (jawaban yang ditemukan anggota)")
    p.add_argument("--misses", type=int, default=20, help="tampilkan paling banyak N yang tidak ditemukan")
    p.add_argument("--json", action="store_true", help="baris terakhir: satu objek JSON")
    p.set_defaults(func=cmd_eval_forum)
