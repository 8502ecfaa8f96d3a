"""The faster search path returns exactly what the straightforward one did: same stems, threads, answers, scores."""
import types
from datetime import datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import select, text

import forum.search as search_module
import search.engine as engine_module
from forum import posts
from forum.suggestions import _with_answers, suggest_similar
from forum.search_filters import allowed_threads as _allowed, filtered_threads as _filtered, visible_among as _visible_among
from forum.search_query import SearchQuery
from models import Post, SearchDocument, Thread, utcnow
from models.base import WIB
from search import lexical
from search.docmap import DocMap
from search.engine import GroupHit
from search.vector_index import VectorIndex
from tests import factories as f


def _documents(db, stems_per_doc):
    for n, stems in enumerate(stems_per_doc, start=1):
        db.add(SearchDocument(doc_id=n, group_id=n, title="", text=stems, stems=stems))
    db.commit()


VOCAB = ["cuti", "gaji", "pangkat", "mutasi", "taspen", "skp", "apel", "latsar"]


def _corpus(count=60, seed=0):
    rng = np.random.default_rng(seed)
    # Stem i appears in about 1/(i+1) of the documents: some common, some rare, one in none.
    return [" ".join(w for i, w in enumerate(VOCAB[:-1]) if rng.random() < 1 / (i + 1)) or "kosong"
            for _ in range(count)]


def _exact_counts(corpus):
    """Documents per stem, counted in Python from the stored stems (no index involved)."""
    return {t: sum(t in doc.split() for doc in corpus) for t in VOCAB}


def test_capped_stem_counts_match_the_exact_counts_up_to_the_cap(db, monkeypatch):
    corpus = _corpus()
    _documents(db, corpus)
    exact = _exact_counts(corpus)
    if db.get_bind().dialect.name == "sqlite":  # and the index's own vocabulary agrees
        assert exact == {t: dict(db.execute(text("SELECT term, doc FROM search_fts_vocab")).all()).get(t, 0)
                         for t in VOCAB}
    for cap in (4, 1000):
        monkeypatch.setattr(lexical, "_DF", {})
        monkeypatch.setattr(lexical, "DF_CAP", cap)
        counted = lexical._document_frequencies(db, VOCAB)
        assert counted == {t: min(exact.get(t, 0), cap) for t in VOCAB}


def test_common_stems_are_pruned_exactly_as_with_full_counts(db, monkeypatch):
    corpus = _corpus(count=80, seed=1)
    _documents(db, corpus)
    exact = _exact_counts(corpus)
    for share, most, least in ((0.10, 5_000, 200), (0.25, 12, 2), (0.5, 30, 5), (0.05, 3, 1)):
        monkeypatch.setattr(lexical, "_DF", {})
        monkeypatch.setattr(lexical, "COMMON_SHARE", share)
        monkeypatch.setattr(lexical, "COMMON_MAX_DOCS", most)
        monkeypatch.setattr(lexical, "COMMON_MIN_DOCS", least)
        monkeypatch.setattr(lexical, "DF_CAP", max(most, least) + 1)
        limit = max(min(share * 80, most), least)
        assert lexical._prune_common(db, VOCAB) == [t for t in VOCAB if 0 < exact.get(t, 0) <= limit]


def test_stem_counts_of_one_forum_never_steer_another_forums_search(db, tmp_path, monkeypatch):
    from models.db import make_engine, make_session_factory
    from models.migrate import upgrade
    monkeypatch.setattr(lexical, "_DF", {})
    _documents(db, ["cuti"] * 30)
    other_url = f"sqlite:///{tmp_path / 'lain.db'}"
    upgrade(other_url)
    engine = make_engine(other_url)
    try:
        with make_session_factory(engine)() as other:
            _documents(other, ["gaji"] * 5)
            assert lexical._document_frequencies(db, ["cuti", "gaji"]) == {"cuti": 30, "gaji": 0}
            assert lexical._document_frequencies(other, ["cuti", "gaji"]) == {"cuti": 0, "gaji": 5}
    finally:
        engine.dispose()


def test_postgres_statistics_drop_common_stems_without_counting_their_documents(db, monkeypatch):
    from sqlalchemy import event

    from search import lexeme_stats
    if db.get_bind().dialect.name != "postgresql":
        pytest.skip("pg_stats is PostgreSQL's; SQLite counts through FTS5 (tests above)")
    # 400 documents: "cuti" in every one, "gaji" in every tenth, "taspen" in two.
    _documents(db, ["cuti" + (" gaji" if n % 10 == 0 else "") + (" taspen" if n < 2 else "") for n in range(400)])
    db.execute(text("ANALYZE search_documents"))
    for name, value in (("_STATS", {}), ("_LEXEMES", {}), ("STATS_MIN_DOCS", 0)):
        monkeypatch.setattr(lexeme_stats, name, value)
    for name, value in (("_DF", {}), ("COMMON_SHARE", 0.05), ("COMMON_MAX_DOCS", 5_000), ("COMMON_MIN_DOCS", 1)):
        monkeypatch.setattr(lexical, name, value)
    statements = []
    listen = lambda conn, cursor, statement, *rest: statements.append(statement)  # noqa: E731
    event.listen(db.get_bind(), "before_cursor_execute", listen)
    try:
        kept = lexical._prune_common(db, ["cuti", "gaji", "taspen", "belumpernahada"])
    finally:
        event.remove(db.get_bind(), "before_cursor_execute", listen)
    # 5% of 400 is 20 documents: cuti (400) and gaji (40) are common, the rest is kept (an unseen stem costs
    # the GIN index nothing, so it is not told apart from a rare one).
    assert kept == ["taspen", "belumpernahada"]
    assert not [s for s in statements if "count(" in s.lower()], statements
    estimated = lexeme_stats.estimated_frequencies(db, ["cuti", "gaji", "taspen"], cap=5001)
    assert estimated["cuti"] == 400 and 30 <= estimated["gaji"] <= 50
    # Familiarity (search/familiarity.py) must tell an unseen stem from a rare one, probing (a count stopped at
    # one row) instead of counting a stem's documents.
    probes = []
    probe = lambda conn, cursor, statement, params, *rest: probes.append((statement, params))  # noqa: E731
    event.listen(db.get_bind(), "before_cursor_execute", probe)
    try:
        df = lexical.document_frequencies(db, ["cuti", "taspen", "belumpernahada"])
    finally:
        event.remove(db.get_bind(), "before_cursor_execute", probe)
    assert df["cuti"] == 400 and df["taspen"] >= lexeme_stats.RARE and df["belumpernahada"] == 0
    counts = [params for statement, params in probes if "count(" in statement.lower()]
    assert counts and all(params["cap"] == 1 for params in counts), probes


def test_postgres_statistics_are_not_used_for_a_small_or_unanalyzed_table(db, monkeypatch):
    from search import lexeme_stats
    if db.get_bind().dialect.name != "postgresql":
        pytest.skip("pg_stats is PostgreSQL's")
    _documents(db, ["cuti gaji"] * 50)
    db.execute(text("ANALYZE search_documents"))
    monkeypatch.setattr(lexeme_stats, "_STATS", {})
    assert lexeme_stats.estimated_frequencies(db, ["cuti"], cap=5001) is None  # 50 rows < STATS_MIN_DOCS
    monkeypatch.setattr(lexical, "_DF", {})
    assert lexical._document_frequencies(db, ["cuti", "gaji", "taspen"]) == {"cuti": 50, "gaji": 50, "taspen": 0}


def test_the_visibility_checks_agree_with_the_filtered_thread_query(db, forum):
    author = f.user(db)
    old = f.thread(db, author, title="Cuti bersama tahun lalu", body="Apakah memotong cuti tahunan?",
                   agency_slug="kemenkeu", now=utcnow() - timedelta(days=400))
    hidden = f.thread(db, author, title="Diskusi yang disembunyikan", body="Isi yang tidak boleh tampil.")
    hidden.is_hidden = True
    reply = db.scalar(select(Post).where(Post.thread_id == forum["skp"].id, Post.id != forum["skp"].first_post_id))
    posts.accept_answer(db, actor=forum["skp"].author, thread=forum["skp"], post=reply)
    db.commit()
    ids = [t.id for t in db.scalars(select(Thread))] + [10_000]
    cutoff = (utcnow() - timedelta(days=30)).date()
    queries = [SearchQuery(text="x"), SearchQuery(text="x", agency="kemenkeu"), SearchQuery(text="x", topic="kinerja"),
               SearchQuery(text="x", status="terjawab"), SearchQuery(text="x", status="belum", agency="bkn"),
               SearchQuery(text="x", before=cutoff), SearchQuery(text="x", after=cutoff, topic="cuti-kehadiran"),
               SearchQuery(text="x", agency="bkn", topic="kinerja", status="terjawab"),
               SearchQuery(text="x", agency="lan"),
               SearchQuery(text="x", agency="tidak-ada"), SearchQuery(text="x", topic="tidak-ada")]
    for viewer in (None, f.user(db), f.user(db, role="moderator")):
        for q in queries:
            assert _allowed(db, viewer, q) == set(db.scalars(_filtered(viewer, q))), (viewer, q)
            for drop in (None, *q.filters()):
                want = set(db.scalars(_filtered(viewer, q, drop).where(Thread.id.in_(ids))))
                assert _visible_among(db, viewer, q, ids, drop) == want, (viewer, q, drop)
    assert old.id in _visible_among(db, None, SearchQuery(text="x", before=cutoff), ids)
    assert hidden.id not in _visible_among(db, None, SearchQuery(text="x"), ids)
    assert _visible_among(db, None, SearchQuery(text="x"), []) == set()


def _answer_one_by_one(session, thread, hit):
    """The original composer lookup: one session.get (and one first-reply query) per suggestion."""
    answer = session.get(Post, thread.accepted_post_id) if thread.accepted_post_id else None
    accepted = answer is not None
    if answer is None and hit.doc_id != thread.first_post_id:
        answer = session.get(Post, hit.doc_id)
    if answer is None:
        answer = session.scalar(select(Post).where(Post.thread_id == thread.id, Post.id != thread.first_post_id,
                                                   Post.is_deleted.is_(False), Post.is_hidden.is_(False))
                                .order_by(Post.created_at, Post.id).limit(1))
    if answer is not None and (answer.is_deleted or answer.is_hidden):
        answer, accepted = None, False
    return answer.id if answer else None, accepted


def test_suggestions_choose_the_same_answer_as_looking_each_one_up(db, session_factory, forum):
    author, other = f.user(db), f.user(db)
    lone = f.thread(db, author, title="Belum ada balasan sama sekali",
                    body="Siapa yang tahu jawabannya, mohon dibantu?")
    later = utcnow() + timedelta(minutes=5)
    made = {}
    for key in ("accepted", "accepted_hidden", "first_deleted", "all_hidden", "plain"):
        thread = f.thread(db, author, title=f"Diskusi tentang {key}",
                          body=f"Pertanyaan lengkap mengenai {key} di kantor")
        # Out of id order in time: the first visible reply is chosen by time, then id.
        replies = [posts.reply(db, author=other, thread=thread, body_md=f"Balasan {n} untuk {key}",
                               now=later + timedelta(minutes=(5 - n) if key == "plain" else n)) for n in range(3)]
        made[key] = (thread, replies)
    db.flush()
    posts.accept_answer(db, actor=author, thread=made["accepted"][0], post=made["accepted"][1][2])
    posts.accept_answer(db, actor=author, thread=made["accepted_hidden"][0], post=made["accepted_hidden"][1][1])
    made["accepted_hidden"][1][1].is_hidden = True
    made["first_deleted"][1][0].is_deleted = True
    for reply in made["all_hidden"][1]:
        reply.is_hidden = True
    db.commit()
    plain = made["plain"][0]
    # An accepted answer whose row has vanished (only the attributes the lookup reads).
    gone = types.SimpleNamespace(id=plain.id, accepted_post_id=987_654, first_post_id=plain.first_post_id)

    def hit(thread, doc_id):
        return GroupHit(thread.id, 0.5, doc_id, {})

    skp = forum["skp"]
    skp_replies = list(db.scalars(select(Post.id).where(Post.thread_id == skp.id, Post.id != skp.first_post_id)))
    pairs = [(lone, hit(lone, lone.first_post_id)), (skp, hit(skp, skp.first_post_id)), (skp, hit(skp, skp_replies[1]))]
    for thread, replies in [*made.values(), (gone, made["plain"][1])]:
        pairs += [(thread, hit(thread, thread.first_post_id)), (thread, hit(thread, replies[0].id)),
                  (thread, hit(thread, replies[1].id))]
    first_deleted = made["first_deleted"][0]
    pairs.append((first_deleted, hit(first_deleted, 123_456)))  # a matched reply that is gone

    def load(session, thread):
        return thread if isinstance(thread, types.SimpleNamespace) else session.get(Thread, thread.id)

    for thread, h in pairs:
        with session_factory() as fresh:
            batched = _with_answers(fresh, [(load(fresh, thread), h)])[0]
            got = (batched.answer.id if batched.answer else None, batched.is_accepted)
        with session_factory() as fresh:
            assert got == _answer_one_by_one(fresh, load(fresh, thread), h), (thread.id, h.doc_id)
    # Several at once (distinct threads, as in real results) choose the same as one by one.
    batch = [pairs[0], pairs[2], *(pairs[3 + 3 * i + i % 3] for i in range(len(made))), pairs[-1]]
    batch = [(t, h) for t, h in batch if t is not first_deleted] + [pairs[-1]]
    with session_factory() as fresh:
        chosen = _with_answers(fresh, [(load(fresh, t), h) for t, h in batch])
        got = [(s.thread.id, s.answer.id if s.answer else None, s.is_accepted) for s in chosen]
    with session_factory() as fresh:
        want = [(t.id, *_answer_one_by_one(fresh, load(fresh, t), h)) for t, h in batch]
    assert got == want
    assert len({t for t, _, _ in got}) == len(got)


def _dense_reference(self, qvec, group_filter, signals, best_doc, check=None):
    """The original per-hit loop with numpy scalars and np.mean (the reference has no group_check path)."""
    assert check is None
    index = self.index
    with index.lock:
        allowed = None
        if group_filter is not None:
            allowed = index.docmap.vectors_in_groups(group_filter)
            if len(allowed) > engine_module.FILTER_SCAN * max(index.vectors.count, 1):
                allowed = None
        k = engine_module.DENSE_K if group_filter is None or allowed is not None else engine_module.DENSE_K * 3
        scores, ids = index.vectors.search(qvec, k, ids=allowed)
        docs = index.docmap.docs_of(ids[0])
        groups = index.docmap.groups_of_docs(docs)
    per_group = {}
    for score, doc, group in zip(scores[0], docs, groups):
        if doc < 0 or group < 0 or (group_filter is not None and int(group) not in group_filter):
            continue
        group, score = int(group), float(score)
        per_group.setdefault(group, []).append(score)
        if score > best_doc.get(group, (float("-inf"), 0))[0]:
            best_doc[group] = (score, int(doc))
    for group, values in per_group.items():
        signals.setdefault(group, {}).update(dense_max=max(values), dense_mean=float(np.mean(values[:3])))
    return (0, 0)


def _fill_dense_reference(self, session, qvec, groups, doc_ids, signals, best_doc):
    """The original lexical-only scoring: one docmap lookup and one reconstruct per stored vector."""
    from models import SearchVector
    if not doc_ids:
        return
    rows = session.execute(select(SearchVector.id, SearchVector.doc_id).where(
        SearchVector.doc_id.in_(doc_ids), SearchVector.model_id == self.index.model_id)).all()
    with self.index.lock:
        present = [(i, d) for i, d in rows if self.index.docmap.docs_of([i])[0] == d]
        if not present:
            return
        mats = np.zeros((len(present), self.index.dim), np.float32)
        for row, (i, _) in enumerate(present):
            mats[row] = self.index.vectors.index.reconstruct(int(i))
        groups_of = self.index.docmap.groups_of_docs([d for _, d in present])
    scores = mats @ qvec
    per_group = {}
    for (_, doc), group, score in zip(present, groups_of, scores):
        if int(group) in groups:
            per_group.setdefault(int(group), []).append((float(score), int(doc)))
    for group, values in per_group.items():
        values.sort(reverse=True)
        signals[group].update(dense_max=values[0][0], dense_mean=float(np.mean([v for v, _ in values[:3]])))
        best_doc[group] = values[0]


@pytest.mark.parametrize("dense_k", [100, 1])  # 1: most lexical matches are scored from stored vectors
def test_engine_scores_are_bit_identical_to_the_numpy_reference(db, forum, open_search, monkeypatch, dense_k):
    monkeypatch.setattr(engine_module, "DENSE_K", dense_k)
    engine = open_search()
    reference = open_search()
    reference._dense = types.MethodType(_dense_reference, reference)
    reference._fill_dense = types.MethodType(_fill_dense_reference, reference)
    every = {t.id for t in forum.values()}
    for query in ("cuti besar masa kerja", "uang harian perjalanan dinas golongan 3", "kapan thr pppk cair",
                  "sasaran kinerja pegawai e-kinerja", "latsar cpns 2024", "balasan yang sama kemarin"):
        for group_filter in (None, every, {forum["skp"].id, forum["cuti"].id}):
            got = engine.search(db, query, group_filter=group_filter, limit=50)
            want = reference.search(db, query, group_filter=group_filter, limit=50)
            assert got.total == want.total
            assert [(h.group_id, h.score, h.doc_id, h.signals) for h in got.hits] == \
                   [(h.group_id, h.score, h.doc_id, h.signals) for h in want.hits], (query, group_filter)


def test_composer_suggestions_still_find_the_answered_question(db, forum, open_search):
    reply = db.scalar(select(Post).where(Post.thread_id == forum["skp"].id, Post.id != forum["skp"].first_post_id)
                      .order_by(Post.id.desc()))
    posts.accept_answer(db, actor=forum["skp"].author, thread=forum["skp"], post=reply)
    db.commit()
    items = suggest_similar(db, open_search(), None, "Bagaimana cara mengisi SKP di e-Kinerja?", "")
    top = items[0]
    assert top.thread.id == forum["skp"].id and top.is_accepted and top.answer.id == reply.id
    assert top.answer_excerpt.startswith("Untuk tunjangan hari raya")


@pytest.mark.parametrize("kind", ["flat", "ivf_sq8", "ivf_pq"])
def test_batched_reconstruct_returns_the_stored_vectors_and_still_refuses_unknown_ids(kind):
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(600, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ids = np.arange(10, 610, dtype=np.int64)
    index = VectorIndex(16, "m", kind, min_train=0)
    index.add(ids, vectors)
    index.remove(ids[:5])
    some = ids[rng.choice(np.arange(5, 600), size=50, replace=False)]
    one_by_one = np.vstack([index.index.reconstruct(int(i)) for i in some])
    assert np.array_equal(index.reconstruct(some), one_by_one)
    assert index.reconstruct([]).shape == (0, 16)
    with pytest.raises(RuntimeError):
        index.reconstruct([int(ids[0])])  # removed
    if kind != "flat":
        # A small filter holding removed or unknown ids scores only the ids that are there.
        query = vectors[7:8]
        allowed = np.concatenate([ids[:5], some[:20], [99_999]])
        scores, found = index.search(query, 5, ids=allowed)
        present = some[:20]
        exact = query @ np.vstack([index.index.reconstruct(int(i)) for i in present]).T
        order = np.argsort(-exact, axis=1)[:, :5]
        assert np.array_equal(found, present[order]) and np.array_equal(scores, np.take_along_axis(exact, order, 1))


def test_the_group_filter_picks_the_same_vectors_as_a_sorted_membership_test():
    rng = np.random.default_rng(3)
    docmap = DocMap()
    docs = np.arange(1, 5_001)
    docmap.set_vectors(docs * 2, docs)  # vector ids are not document ids
    docmap.set_groups(docs, docs // 7)
    docmap.drop_vectors(rng.choice(docs * 2, 300, replace=False))
    docmap.set_groups(rng.choice(docs, 100, replace=False), np.full(100, -1))  # documents without a group

    def reference(groups):
        live = np.nonzero(docmap.vec_doc >= 0)[0]
        wanted = np.fromiter(groups, dtype=np.int64, count=len(groups))
        return live[np.isin(docmap.groups_of_docs(docmap.vec_doc[live]), wanted)]

    def check():
        for groups in (set(), {0}, {1, 2, 3}, set(rng.choice(800, 300).tolist()), {10**7}, {-1}, {-1, 5},
                       set(range(800)), set(range(700, 900))):
            assert np.array_equal(docmap.vectors_in_groups(groups), reference(groups)), groups

    check()
    # The filter's vector -> group table is kept in step with every later change (posts, edits, merges).
    new_docs = np.arange(5_001, 5_101)
    docmap.set_groups(new_docs, np.full(100, 850))  # a new thread (group 850), its posts embedded after
    docmap.set_vectors(np.arange(20_001, 20_201), np.repeat(new_docs, 2))
    check()
    docmap.drop_vectors(np.arange(20_001, 20_101))  # an edit drops old passages ...
    docmap.set_vectors(np.arange(30_001, 30_051), new_docs[:50])  # ... and adds new ones
    docmap.set_groups(docs[docs // 7 == 3], np.full(int((docs // 7 == 3).sum()), 5))  # a merge: group 3 into 5
    check()
    docmap.doc_group = docmap.doc_group.copy()  # a reload of the whole group table
    docmap.set_groups(new_docs[:10], np.full(10, 4))
    check()


def test_a_broad_status_or_date_filter_asks_only_about_the_candidates_and_ranks_as_the_full_listing(
        db, forum, open_search, monkeypatch):
    reply = db.scalar(select(Post).where(Post.thread_id == forum["skp"].id, Post.id != forum["skp"].first_post_id))
    posts.accept_answer(db, actor=forum["skp"].author, thread=forum["skp"], post=reply)
    hidden = f.thread(db, f.user(db), title="Cuti besar yang disembunyikan", body="Cuti besar PNS lima tahun.")
    hidden.is_hidden = True
    db.commit()
    engine = open_search()
    # Tomorrow in WIB, as the filter reads dates: from 17.00 UTC on, UTC's tomorrow is already today in Jakarta.
    tomorrow = datetime.now(WIB).date() + timedelta(days=1)
    broad = [SearchQuery(text="cuti besar masa kerja", status="belum"),
             SearchQuery(text="uang harian perjalanan dinas", before=tomorrow),
             SearchQuery(text="jadwal latsar cpns", status="belum", before=tomorrow)]
    for q in broad:
        listed = search_module.allowed_threads(db, None, q)
        want = engine.search(db, q.text, group_filter=listed, limit=search_module.MAX_RESULTS)
        with monkeypatch.context() as m:
            m.setattr(search_module, "allowed_threads", lambda *a: pytest.fail("a broad filter listed every thread"))
            got = search_module._broad_filter_search(db, engine, None, q, None)
            ranked = search_module.ranked_hits(db, engine, None, q)
        assert got is not None, q
        assert [(h.group_id, h.score, h.doc_id, h.signals) for h in got.hits] == \
               [(h.group_id, h.score, h.doc_id, h.signals) for h in want.hits], q
        assert hidden.id not in {h.group_id for h in got.hits}
        assert ranked and (q.status != "belum" or forum["skp"].id not in {h.group_id for h in ranked})  # answered
    # Few candidates pass `status:terjawab` here: the exact filtered search answers it, and finds the thread.
    narrow = SearchQuery(text="tunjangan hari raya pppk", status="terjawab")
    assert search_module._broad_filter_search(db, engine, None, narrow, None) is None
    assert [h.group_id for h in search_module.ranked_hits(db, engine, None, narrow)] == [forum["skp"].id]
    # Agency and topic filters keep their own indexed listing.
    assert search_module._broad_filter_search(db, engine, None, SearchQuery(text="cuti", agency="bkn"), None) is None
