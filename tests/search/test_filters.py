"""Filters and operators narrow the search; hidden and merged-away threads never appear."""
from datetime import date, timedelta

from forum import posts
from forum.search import parse_query, search_threads
from sqlalchemy import select

from models import Post, utcnow
from tests import factories as f


def test_operators_are_split_from_the_question_text():
    q = parse_query("cuti besar instansi:BKN topik:cuti-kehadiran status:terjawab sebelum:2025-06-01 sesudah:2024-01-01")
    assert q.text == "cuti besar"
    assert (q.agency, q.topic, q.status) == ("bkn", "cuti-kehadiran", "terjawab")
    assert (q.before, q.after) == (date(2025, 6, 1), date(2024, 1, 1))


def test_a_bad_operator_value_is_reported_in_indonesian_and_ignored():
    q = parse_query("cuti status:mungkin sebelum:kemarin")
    assert q.status is None and q.before is None
    assert any("Status" in p for p in q.problems) and any("TTTT-BB-HH" in p for p in q.problems)


def test_agency_and_topic_operators_keep_only_matching_threads(db, forum, open_search):
    engine = open_search()
    page = search_threads(db, engine, None, "uang harian dinas instansi:kemenkeu")
    assert [h.thread.id for h in page.hits] == [forum["sppd"].id]
    page = search_threads(db, engine, None, "uang harian dinas instansi:bkn")
    assert forum["sppd"].id not in [h.thread.id for h in page.hits]
    page = search_threads(db, engine, None, "kinerja", form={"topic": "kinerja"})
    assert [h.thread.id for h in page.hits] == [forum["skp"].id]


def test_status_operator_separates_answered_from_unanswered(db, forum, open_search):
    thread = forum["skp"]
    reply = db.scalar(select(Post).where(Post.thread_id == thread.id, Post.id != thread.first_post_id))
    posts.accept_answer(db, actor=thread.author, thread=thread, post=reply)
    db.commit()
    engine = open_search()
    answered = search_threads(db, engine, None, "sasaran kinerja pegawai status:terjawab")
    assert [h.thread.id for h in answered.hits] == [thread.id]
    unanswered = search_threads(db, engine, None, "sasaran kinerja pegawai status:belum")
    assert thread.id not in [h.thread.id for h in unanswered.hits]


def test_date_operators_filter_on_when_the_thread_was_opened(db, open_search):
    author = f.user(db)
    old = f.thread(db, author, title="Cuti bersama akhir tahun lalu dihitung?", body="Apakah cuti bersama memotong cuti tahunan?",
                   now=utcnow() - timedelta(days=400))
    new = f.thread(db, author, title="Cuti bersama tahun ini memotong jatah?", body="Apakah cuti bersama memotong cuti tahunan kita?")
    db.commit()
    engine = open_search()
    cutoff = (utcnow() - timedelta(days=30)).date().isoformat()
    assert [h.thread.id for h in search_threads(db, engine, None, f"cuti bersama sebelum:{cutoff}").hits] == [old.id]
    assert [h.thread.id for h in search_threads(db, engine, None, f"cuti bersama sesudah:{cutoff}").hits] == [new.id]


def test_an_empty_filtered_search_suggests_which_filter_to_drop(db, forum, open_search):
    page = search_threads(db, open_search(), None, "prosedur cuti besar instansi:kemenkeu")
    assert page.hits == []
    assert [(s["label"], s["query"]) for s in page.suggestions] == [("instansi:kemenkeu", "prosedur cuti besar")]


def test_hidden_threads_never_reach_members_or_anonymous_visitors(db, forum, open_search):
    forum["cuti"].is_hidden = True
    db.commit()
    engine = open_search()
    member = f.user(db)
    for viewer in (None, member):
        for query in ("cuti besar masa kerja lima tahun", "cuti besar instansi:bkn", "prosedur cuti besar status:belum"):
            assert forum["cuti"].id not in [h.thread.id for h in search_threads(db, engine, viewer, query).hits]
    moderator = f.user(db, role="moderator")
    assert forum["cuti"].id in [h.thread.id for h in search_threads(db, engine, moderator, "cuti besar masa kerja").hits]


def test_results_are_paginated(db, open_search):
    author = f.user(db)
    for n in range(7):
        f.thread(db, author, title=f"Pertanyaan cuti tahunan nomor {n + 1} di kantor", body=f"Sisa cuti tahunan saya {n + 3} hari, bisa dibawa?")
    db.commit()
    engine = open_search()
    first = search_threads(db, engine, None, "sisa cuti tahunan", page=1, page_size=3)
    second = search_threads(db, engine, None, "sisa cuti tahunan", page=2, page_size=3)
    assert first.total == 7 and first.pages == 3
    assert not {h.thread.id for h in first.hits} & {h.thread.id for h in second.hits}
