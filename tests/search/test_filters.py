"""Filters and operators narrow the search; hidden and merged-away threads never appear."""
from datetime import date, datetime, timedelta

import pytest

from forum import posts
from forum.search import search_threads
from forum.search_query import parse_query
from sqlalchemy import select

from models import Post, Thread, utcnow
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


def test_an_operator_left_empty_is_named_with_an_example_and_not_searched_as_a_word():
    q = parse_query("cuti besar oleh: urut:")
    assert q.text == "cuti besar" and q.author is None and q.sort is None
    assert q.problems == ["“oleh:” belum diisi; tulis nilainya langsung setelah titik dua, mis. oleh:nama_pengguna.",
                          "“urut:” belum diisi; tulis nilainya langsung setelah titik dua, mis. urut:terbaru."]


def test_control_characters_typed_or_pasted_into_the_query_are_dropped():
    assert parse_query("\x00cuti\x07 besar").text == "cuti besar"


def test_an_operator_given_twice_uses_the_last_value_and_says_so():
    q = parse_query("cuti status:terjawab status:belum urut:terbaru urut:terbaru")
    assert (q.status, q.sort) == ("belum", "terbaru")
    assert q.notes == ["“status:” ditulis lebih dari sekali; yang dipakai yang terakhir, “belum”."]


def test_an_agency_is_found_by_its_name_without_the_abbreviation_in_brackets(db):
    from forum.search_filters import check_filter_names
    f.agency(db, "bps", "Badan Pusat Statistik (BPS)")
    f.agency(db, "bps-jatim", "Badan Pusat Statistik (BPS) Provinsi Jawa Timur")
    db.commit()
    for typed, slug in (('instansi:"Badan Pusat Statistik"', "bps"), ('instansi:"badan pusat statistik (bps)"', "bps"),
                        ("instansi:bps-jatim", "bps-jatim"), ('instansi:"Badan Pusat"', None)):
        q = parse_query("data inflasi " + typed)
        check_filter_names(db, q)
        assert q.agency == slug, typed
        assert bool(q.problems) == (slug is None), typed


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


def test_a_date_operator_means_the_day_in_wib_as_the_pages_show_it(db, open_search):
    author = f.user(db)
    # 18.00 UTC on 31 May is 01.00 WIB on 1 June: the page says "1 Jun 2025", so the search agrees.
    early = f.thread(db, author, title="Cuti bersama Idul Adha dihitung cuti tahunan?",
                     body="Apakah cuti bersama Idul Adha memotong cuti tahunan?", now=datetime(2025, 5, 31, 18, 0))
    db.commit()
    engine = open_search()
    assert [h.thread.id for h in search_threads(db, engine, None, "cuti bersama sesudah:2025-06-01").hits] == [early.id]
    assert search_threads(db, engine, None, "cuti bersama sebelum:2025-06-01").hits == []


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


def test_the_order_operator_is_split_from_the_text_and_a_bad_order_is_reported_in_indonesian():
    q = parse_query("cuti bersama urut:terbaru instansi:bkn")
    assert (q.text, q.sort, q.agency) == ("cuti bersama", "terbaru", "bkn")
    assert q.as_string() == "cuti bersama instansi:bkn urut:terbaru"
    assert parse_query("cuti", form={"sort": "relevan"}).sort is None
    bad = parse_query("cuti urut:acak")
    assert bad.sort is None and any("Urutan" in p for p in bad.problems)


def _three_cuti_bersama_threads(db):
    author = f.user(db)
    oldest = f.thread(db, author, title="Cuti bersama memotong jatah cuti tahunan?",
                      body="Apakah cuti bersama mengurangi cuti tahunan pegawai?", now=utcnow() - timedelta(days=300))
    middle = f.thread(db, author, title="Jatah cuti tahunan berkurang karena cuti bersama",
                      body="Cuti bersama kemarin mengurangi sisa cuti tahunan saya, benarkah?", now=utcnow() - timedelta(days=100))
    newest = f.thread(db, author, title="Cuti bersama akhir tahun dan sisa cuti tahunan",
                      body="Kalau cuti bersama diambil, sisa cuti tahunan tinggal berapa?", now=utcnow() - timedelta(days=5))
    unrelated = f.thread(db, author, title="Cara mengisi SKP di aplikasi e-Kinerja",
                         body="Menu mana untuk mengisi rencana hasil kerja?", now=utcnow() - timedelta(days=1))
    db.commit()
    return oldest, middle, newest, unrelated


def test_ordering_by_newest_lists_the_strongly_relevant_threads_newest_first(db, open_search):
    oldest, middle, newest, unrelated = _three_cuti_bersama_threads(db)
    engine = open_search()
    by_relevance = search_threads(db, engine, None, "cuti bersama memotong cuti tahunan")
    by_date = search_threads(db, engine, None, "cuti bersama memotong cuti tahunan urut:terbaru")
    assert {h.thread.id for h in by_relevance.hits} >= {h.thread.id for h in by_date.hits} >= {oldest.id, middle.id, newest.id}
    assert unrelated.id not in {h.thread.id for h in by_date.hits}  # a newer but unrelated thread is not pulled in
    ids = [h.thread.id for h in by_date.hits]
    assert ids.index(newest.id) < ids.index(middle.id) < ids.index(oldest.id)
    assert [h.thread.created_at for h in by_date.hits] == sorted((h.thread.created_at for h in by_date.hits), reverse=True)


def test_a_date_order_leaves_out_the_weak_tail_that_relevance_order_keeps_at_the_bottom(db, open_search):
    _three_cuti_bersama_threads(db)
    loose = f.thread(db, f.user(db), title="Cuti melahirkan anak ketiga berapa bulan?",
                     body="Istri saya PNS, cuti melahirkan untuk anak ketiga dapat berapa lama?")
    db.commit()
    engine = open_search()
    query = "cuti bersama memotong cuti tahunan"
    by_relevance = [h.thread.id for h in search_threads(db, engine, None, query).hits]
    by_date = [h.thread.id for h in search_threads(db, engine, None, query, form={"sort": "terbaru"}).hits]
    assert loose.id in by_relevance[3:]  # related by a word, ranked below the three real matches
    assert loose.id not in by_date  # newest of all, but too weak a match to lead a date-ordered list


def test_ordering_by_activity_puts_an_old_thread_with_a_new_reply_first(db, open_search):
    threads = _three_cuti_bersama_threads(db)[:3]
    query = "cuti bersama cuti tahunan"
    by_relevance = [h.thread.id for h in search_threads(db, open_search(), None, query).hits]
    # The least relevant of the three gets a reply today: ordered by activity it must come first.
    least = max(threads, key=lambda t: by_relevance.index(t.id))
    posts.reply(db, author=f.user(db, "penjawab"), thread=least, body_md="Ya, cuti bersama memotong cuti tahunan.")
    db.commit()
    hits = search_threads(db, open_search(), None, query, form={"sort": "aktif"}).hits
    assert hits[0].thread.id == least.id != by_relevance[0]
    assert [h.thread.last_activity_at for h in hits] == sorted((h.thread.last_activity_at for h in hits), reverse=True)


def test_the_author_operator_keeps_threads_the_member_asked_or_answered_in(db, forum, open_search):
    answerer = f.user(db, "budi_bkn")
    asked = f.thread(db, answerer, title="Cuti besar untuk PNS yang baru pindah instansi",
                     body="Apakah masa kerja di instansi lama dihitung untuk syarat cuti besar?")
    posts.reply(db, author=answerer, thread=forum["cuti"], body_md="Bisa, asal masa kerjanya sudah lima tahun.")
    hidden = posts.reply(db, author=answerer, thread=forum["latsar"], body_md="Latsar mulai bulan depan.")
    hidden.is_hidden = True  # a moderator hid it: it must not reveal where the member wrote
    db.commit()
    engine = open_search()
    q = parse_query("cuti besar oleh:@Budi_BKN")
    assert (q.text, q.author) == ("cuti besar", "budi_bkn")
    found = {h.thread.id for h in search_threads(db, engine, None, "cuti besar oleh:budi_bkn").hits}
    assert found == {asked.id, forum["cuti"].id}
    assert search_threads(db, engine, None, "latsar cpns oleh:budi_bkn").hits == []
    assert forum["skp"].id not in {h.thread.id for h in search_threads(db, engine, None, "skp", form={"author": "budi_bkn"}).hits}


def test_an_unknown_agency_topic_or_member_is_reported_in_indonesian_and_the_search_runs_without_it(
        db, forum, open_search):
    engine = open_search()
    for query, word in (("prosedur cuti besar oleh:tidak_ada", "Pengguna “tidak_ada” tidak ditemukan"),
                        ("prosedur cuti besar instansi:tidakada", "Instansi “tidakada” tidak dikenal"),
                        ("prosedur cuti besar topik:liburan", "Topik “liburan” tidak dikenal")):
        page = search_threads(db, engine, None, query)
        assert any(word in p for p in page.query.problems), page.query.problems
        assert page.query.filters() == {} and page.hits[0].thread.id == forum["cuti"].id


def test_an_agency_or_topic_may_be_named_as_the_pages_show_it(db, forum, open_search):
    page = search_threads(db, open_search(), None, 'uang harian dinas instansi:KEMENKEU topik:"Keuangan"')
    assert page.query.problems == [] and (page.query.agency, page.query.topic) == ("kemenkeu", "keuangan")
    assert [h.thread.id for h in page.hits] == [forum["sppd"].id]


def test_dates_that_leave_no_room_between_them_are_reported():
    q = parse_query("cuti sebelum:2024-01-01 sesudah:2025-01-01")
    assert any("harus sesudah tanggal" in p for p in q.problems)
    assert parse_query("cuti sebelum:2025-01-01 sesudah:2024-01-01").problems == []


@pytest.mark.parametrize("typed", ["*", '"', "-", "\u200b", "🙂🙂", "( ) : _"])
def test_a_query_without_a_letter_or_digit_finds_nothing_and_asks_for_words(db, forum, open_search, typed):
    page = search_threads(db, open_search(), None, typed)
    assert page.hits == [] and page.total == 0
    assert page.query.problems == ["Tulis setidaknya satu kata atau angka untuk dicari."]


def test_filters_without_words_list_every_thread_they_keep_latest_activity_first(db, forum, open_search):
    engine = open_search()
    posts.reply(db, author=f.user(db), thread=forum["skp"], body_md="Sudah saya coba, berhasil. Terima kasih.")
    db.commit()
    page = search_threads(db, engine, None, "instansi:bkn")
    bkn = set(db.scalars(select(Thread.id).where(Thread.agency_id == forum["cuti"].agency_id)))
    assert page.listing and page.total == len(bkn) >= 2
    assert {h.thread.id for h in page.hits} == bkn and page.hits[0].thread.id == forum["skp"].id
    assert all(h.post.id == h.thread.first_post_id for h in page.hits)
    newest = search_threads(db, engine, None, "urut:terbaru")  # an order alone lists every thread, newest first
    visible = db.scalars(select(Thread).where(Thread.is_hidden.is_(False), Thread.merged_into_id.is_(None))).all()
    assert newest.listing and newest.total == len(visible)
    assert newest.hits[0].thread.id == max(visible, key=lambda t: (t.created_at, t.id)).id
    forum["cuti"].is_hidden = True
    db.commit()
    assert forum["cuti"].id not in {h.thread.id for h in search_threads(db, engine, None, "", form={"agency": "bkn"}).hits}


def test_quoted_phrases_and_minus_words_are_split_from_the_text_without_touching_hyphenated_words():
    q = parse_query('"cuti besar" anak-anak ke-13 -pppk -"cuti melahirkan" instansi:"bkn"')
    assert q.text == '"cuti besar" anak-anak ke-13'  # ranked as typed, minus the excluded words
    assert (q.phrases, q.excluded, q.agency) == (["cuti besar"], ["pppk", "cuti melahirkan"], "bkn")
    assert q.as_string() == '"cuti besar" anak-anak ke-13 -pppk -"cuti melahirkan" instansi:bkn'
    assert q.as_string(drop="text") == "cuti besar anak-anak ke-13 instansi:bkn"
    assert parse_query('cuti "besar').phrases == [] and parse_query('cuti "besar').text == 'cuti "besar'
    # A hyphen before anything but a letter is text (an emoticon, a time range), not an exclusion.
    for text in ("ikhlas -_-", "jam kerja 7.30 -16.00"):
        assert (parse_query(text).text, parse_query(text).excluded) == (text, [])


def test_a_query_that_reads_as_a_question_keeps_its_quotes_and_hyphens_as_plain_text():
    for text in ('Apa arti "kekayaan bersih"?', "gimana cuti besar -pppk", 'Cutoff KVPY 2016 SA -Stream "2016"?'):
        q = parse_query(text)
        assert (q.text, q.phrases, q.excluded) == (text, [], [])
        assert any("Kalimat tanya dibaca apa adanya" in n for n in q.notes)  # the member is told why
    assert parse_query('syarat "cuti besar" -pppk').phrases == ["cuti besar"]  # keywords: operators
    assert parse_query('syarat "cuti besar" -pppk').notes == parse_query("apa itu SKP?").notes == []


def test_a_phrase_asked_for_and_excluded_at_once_is_reported_as_such():
    q = parse_query('"cuti besar" -"cuti besar" syarat')
    assert any("diminta sekaligus dikecualikan" in p and "cuti besar" in p for p in q.problems)
    assert parse_query('"cuti besar" -pppk syarat').problems == []


def test_a_query_of_only_minus_words_is_reported_in_indonesian():
    q = parse_query("-pppk")
    assert q.text == "" and q.excluded == ["pppk"]
    assert any("minus" in p for p in q.problems)


def _pppk_and_pns_leave(db):
    author = f.user(db)
    pns = f.thread(db, author, title="Syarat cuti besar PNS setelah lima tahun bekerja",
                   body="Berapa lama masa kerja PNS sebelum boleh mengajukan cuti besar?")
    pppk = f.thread(db, author, title="Syarat cuti besar untuk PPPK, apakah bisa diajukan?",
                    body="Pegawai PPPK apakah juga berhak atas cuti besar seperti PNS?")
    db.commit()
    return pns, pppk


def test_a_minus_word_leaves_out_the_threads_that_hold_it_instead_of_ranking_them_first(db, open_search):
    pns, pppk = _pppk_and_pns_leave(db)
    engine = open_search()
    assert pppk.id in [h.thread.id for h in search_threads(db, engine, None, "syarat cuti besar").hits]
    found = [h.thread.id for h in search_threads(db, engine, None, "syarat cuti besar -PPPK").hits]
    assert pns.id in found and pppk.id not in found
    # A word inside another word is not that word: -ppp excludes nothing here.
    assert pppk.id in [h.thread.id for h in search_threads(db, engine, None, "syarat cuti besar -ppp").hits]


def test_a_quoted_phrase_keeps_only_threads_holding_those_words_in_that_order(db, forum, open_search):
    engine = open_search()
    loose = [h.thread.id for h in search_threads(db, engine, None, "tunjangan hari raya").hits]
    exact = search_threads(db, engine, None, '"Tunjangan  hari raya"')
    assert [h.thread.id for h in exact.hits] == [forum["skp"].id] and len(loose) >= 1
    # The phrase is only in the SKP thread's second reply: that reply is the one shown, highlighted.
    assert exact.hits[0].post.id != forum["skp"].first_post_id
    assert "<mark>" in str(exact.hits[0].snippet) and "raya" in str(exact.hits[0].snippet).lower()
    assert not exact.phrases_relaxed
    # Words nobody wrote in that order: as Google does, the results without the quotes, and the page says so.
    relaxed = search_threads(db, engine, None, '"raya hari tunjangan"')
    assert relaxed.phrases_relaxed and relaxed.hits
    assert [h.thread.id for h in relaxed.hits] == [h.thread.id for h in search_threads(db, engine, None, "raya hari tunjangan").hits]


def test_a_phrase_only_in_a_hidden_post_matches_nothing_and_the_results_come_without_the_quotes(db, forum, open_search):
    from forum import reports
    moderator = f.user(db, role="moderator")
    reply = db.scalar(select(Post).where(Post.thread_id == forum["skp"].id, Post.body_md.contains("Idul Fitri")))
    report = reports.report_post(db, reporter=moderator, post=reply, reason="Salah tempat, bukan soal SKP")
    reports.hide_reported_post(db, report=report, actor=moderator)
    db.commit()
    page = search_threads(db, open_search(), None, 'pencairan "idul fitri"')
    assert page.phrases_relaxed  # the phrase is only in the hidden reply: no thread holds it
    assert reply.id not in [h.post.id for h in page.hits if h.post]


def test_minus_words_that_leave_nothing_offer_the_search_without_them(db, forum, open_search):
    page = search_threads(db, open_search(), None, "prosedur cuti besar -cuti -uang -kinerja -cpns")
    assert page.hits == [] and not page.phrases_relaxed
    assert [(s["filter"], s["label"], s["query"]) for s in page.suggestions] == [
        ("text", "-cuti -uang -kinerja -cpns", "prosedur cuti besar")]


def test_the_threads_a_filter_allows_are_exactly_those_the_viewer_may_list_under_it(db, forum):
    # The engine's group filter is read on each database in the form its planner answers fastest; every
    # form must keep the same threads as the listing's own definition (hidden ones for staff only, merged-away
    # ones for nobody), or a filtered search would rank threads it may not show and miss ones it may.
    from forum.merging import merge_threads
    from forum.search_filters import allowed_threads as _allowed, filtered_threads as _filtered

    author, moderator = f.user(db), f.user(db, role="moderator")
    hidden = f.thread(db, author, title="Cuti besar yang disembunyikan", topic_slugs=("cuti-kehadiran", "kinerja"))
    hidden.is_hidden = True
    source = f.thread(db, author, title="Cuti besar ditanya lagi", topic_slugs=("cuti-kehadiran",))
    target = f.thread(db, author, title="Cuti besar pertanyaan asal", agency_slug="kemenkeu", topic_slugs=("kinerja",))
    db.commit()
    merge_threads(db, source=source, target=target, actor=moderator)
    db.commit()
    queries = ["cuti topik:cuti-kehadiran", "cuti topik:kinerja", "cuti instansi:bkn", "cuti topik:kinerja instansi:kemenkeu",
               "cuti topik:cuti-kehadiran status:belum", f"cuti oleh:{author.username}", "cuti topik:tidak-ada"]
    for viewer in (None, author, moderator):
        for text in queries:
            q = parse_query(text)
            assert _allowed(db, viewer, q) == set(db.scalars(_filtered(viewer, q))), (text, viewer)
    everyone = parse_query("cuti topik:cuti-kehadiran")
    assert hidden.id not in _allowed(db, None, everyone) and hidden.id in _allowed(db, moderator, everyone)
    assert source.id not in _allowed(db, moderator, everyone) and forum["cuti"].id in _allowed(db, None, everyone)
