"""Searches that found nothing and searches that ended in a new thread, as moderators see them."""
import html as html_lib
import re
from datetime import timedelta

from sqlalchemy import func, select

from forum import accounts, merging, search_log
from models import DuplicateLink, SearchLogEntry, utcnow
from tests import factories as f
from tests.search.test_web_search import search_client  # noqa: F401
from tests.web.helpers import bearer, fresh, login_as
from web.pages.search import search_log_writer

record = search_log.record_search


def test_a_search_is_stored_normalised_and_an_empty_one_not_at_all(db):
    member = f.user(db)
    entry = record(db, member.id, "  Cuti   BESAR  pppk ", 0)
    assert (entry.query, entry.results, entry.user_id) == ("cuti besar pppk", 0, member.id)
    assert record(db, None, "   ", 3) is None
    assert len(record(db, None, "x" * 500, 1).query) == search_log.QUERY_CHARS
    assert db.scalar(select(func.count(SearchLogEntry.id))) == 2


def test_identity_numbers_phones_and_emails_typed_into_search_are_never_stored(db):
    typed = {"status nip 19850101 201001 1 001 belum muncul": "status nip [angka] belum muncul",
             "NIK 3171234567890001 salah": "nik [angka] salah",
             "hubungi +62 812-3456-7890 atau budi.s@bkn.go.id": "hubungi [angka] atau [email]",
             # dates, years and short numbers are what searches are made of: they stay
             "pp 11 tahun 2017 sesudah:2024-01-01 sebelum:2025-06-01": "pp 11 tahun 2017 sesudah:2024-01-01 sebelum:2025-06-01"}
    for query, stored in typed.items():
        assert record(db, None, query, 0).query == stored
    assert not db.scalar(select(func.count(SearchLogEntry.id)).where(SearchLogEntry.query.like("%3456%")))


def test_searches_that_found_nothing_are_grouped_most_frequent_first_within_the_period(db):
    now = utcnow()
    for text in ("tunjangan kemahalan papua", "Tunjangan  kemahalan papua", "sppd luar negeri"):
        record(db, None, text, 0, now=now - timedelta(hours=2))
    record(db, None, "cuti besar", 4, now=now - timedelta(hours=1))
    record(db, None, "tunjangan kemahalan papua", 0, now=now - timedelta(days=40))  # outside 30 days
    db.commit()
    gaps = search_log.search_gaps(db, f.user(db, role="moderator"), 30, now=now)
    assert (gaps.searches, gaps.found_nothing, gaps.found_nothing_percent) == (4, 3, 75.0)
    assert [(q, n) for q, n, _ in gaps.missing] == [("tunjangan kemahalan papua", 2), ("sppd luar negeri", 1)]
    assert search_log.search_gaps(db, None, 90, now=now).missing[0][1] == 3
    assert search_log.search_gaps(db, None, 7, now=now - timedelta(days=30)).found_nothing_percent is None


def test_a_thread_posted_within_the_hour_after_a_search_is_listed_with_that_search(db, forum):
    now = utcnow()
    asker, later, quiet = f.user(db, "cari_lalu_tanya"), f.user(db, "tanya_besok"), f.user(db, "cari_saja")
    record(db, asker.id, "ngajuin cuti besar 4 tahun", 0, now=now - timedelta(minutes=50))
    record(db, asker.id, "cuti besar masa kerja", 2, now=now - timedelta(minutes=20))
    record(db, later.id, "latsar online", 1, now=now - timedelta(hours=5))
    record(db, quiet.id, "isi skp", 3, now=now - timedelta(minutes=10))
    asked = f.thread(db, asker, title="Cuti besar kalau baru 4 tahun?", body="Apakah sudah bisa mengajukan cuti besar?")
    asked.created_at = now
    too_late = f.thread(db, later, title="Latsar daring kapan dibuka?", body="Mohon infonya untuk angkatan tahun ini.")
    too_late.created_at = now
    db.commit()
    gaps = search_log.search_gaps(db, f.user(db, role="moderator"), 30, now=now)
    assert [(q, n, t.id) for q, n, t, _ in gaps.asked_after] == [("cuti besar masa kerja", 2, asked.id)]
    assert gaps.asked_after[0][3] is None  # no duplicate candidate yet


def test_a_searched_then_asked_thread_names_its_closest_earlier_candidate_the_viewer_may_see(db, forum):
    asker = f.user(db)
    record(db, asker.id, "cuti besar baru 4 tahun", 3, now=utcnow() - timedelta(minutes=5))
    asked = f.thread(db, asker, title="Cuti besar kalau baru 4 tahun?", body="Apakah sudah bisa mengajukan cuti besar?")
    secret = f.thread(db, f.user(db), title="Cuti besar bagi PNS empat tahun", body="Bisakah cuti besar diambil?")
    secret.is_hidden = True
    for other, score, status in ((forum["cuti"], 0.4, "candidate"), (forum["skp"], 0.2, "candidate"),
                                 (secret, 0.9, "candidate"), (forum["latsar"], 0.95, "not_duplicate")):
        db.add(DuplicateLink(thread_id=asked.id, other_thread_id=other.id, similarity=0.9, judge_score=score,
                             status=status))
    db.commit()
    [(_, _, thread, earlier)] = search_log.search_gaps(db, f.user(db), 30).asked_after
    assert (thread.id, earlier.id) == (asked.id, forum["cuti"].id)
    [(_, _, _, for_moderator)] = search_log.search_gaps(db, f.user(db, role="moderator"), 30).asked_after
    assert for_moderator.id == secret.id


def test_the_list_hides_threads_the_viewer_may_not_see_and_shows_merged_ones(db, forum):
    now = utcnow()
    spammer, asker = f.user(db), f.user(db)
    record(db, spammer.id, "pulsa", 0, now=now - timedelta(minutes=5))
    record(db, asker.id, "cuti besar", 1, now=now - timedelta(minutes=5))
    spam = f.thread(db, spammer, title="Jual pulsa murah sekali", body="Hubungi nomor ini untuk pulsa murah.")
    spam.is_hidden = True
    dup = f.thread(db, asker, title="Cuti besar PNS baru empat tahun", body="Apakah sudah bisa mengajukan cuti besar?")
    db.commit()
    merging.merge_threads(db, actor=f.user(db, role="moderator"), source=dup, target=forum["cuti"])
    db.commit()
    member_view = search_log.search_gaps(db, f.user(db), 30)
    assert [t.id for _, _, t, _ in member_view.asked_after] == [dup.id]
    assert dup.merged_into_id == forum["cuti"].id
    moderator_view = search_log.search_gaps(db, f.user(db, role="moderator"), 30)
    assert {t.id for _, _, t, _ in moderator_view.asked_after} == {dup.id, spam.id}


def test_a_flood_of_searches_is_logged_only_up_to_the_hourly_cap(db, monkeypatch):
    monkeypatch.setattr(search_log, "MEMBER_PER_HOUR", 3)
    monkeypatch.setattr(search_log, "VISITORS_PER_HOUR", 2)
    member, now = f.user(db), utcnow()
    kept = [record(db, member.id, f"cari {i}", 0, now=now) for i in range(5)]
    visitors = [record(db, None, f"tamu {i}", 0, now=now) for i in range(4)]
    assert sum(e is not None for e in kept) == 3 and sum(e is not None for e in visitors) == 2
    assert record(db, member.id, "sejam kemudian", 0, now=now + timedelta(hours=1, seconds=1)) is not None


def test_rows_older_than_the_longest_period_are_forgotten(db):
    now = utcnow()
    record(db, None, "lama sekali", 0, now=now - search_log.KEEP - timedelta(days=1))
    record(db, None, "baru saja", 0, now=now)
    assert search_log.forget_old_searches(db, now) == 1
    assert list(db.scalars(select(SearchLogEntry.query))) == ["baru saja"]


def test_the_search_page_logs_its_first_page_and_moderators_see_what_found_nothing(search_client, db, forum):
    member = f.user(db, "pencari")
    login_as(search_client, db, member)
    assert search_client.get("/cari", params={"q": "gimana ngajuin cuti besar"}).status_code == 200
    search_client.get("/cari", params={"q": "gimana ngajuin cuti besar", "hal": "2"})
    search_client.get("/cari", params={"q": "prosedur cuti besar", "instansi": "kemenkeu"})
    search_client.get("/cari", params={"q": ""})
    search_log_writer(search_client.app).flush()
    fresh(db)
    rows = list(db.execute(select(SearchLogEntry.query, SearchLogEntry.results, SearchLogEntry.user_id)
                           .order_by(SearchLogEntry.id)))
    assert [(q, uid) for q, _, uid in rows] == [("gimana ngajuin cuti besar", member.id),
                                                ("prosedur cuti besar instansi:kemenkeu", member.id)]
    assert rows[0][1] >= 1 and rows[1][1] == 0
    assert search_client.get("/moderasi/statistik").status_code == 403
    login_as(search_client, db, f.user(db, role="moderator"))
    page = search_client.get("/moderasi/statistik").text
    missing = re.search(r'data-testid="stat-missing">(.*?)</ol>', page, re.S).group(1)
    assert "“prosedur cuti besar instansi:kemenkeu”" in html_lib.unescape(missing)
    assert "gimana ngajuin" not in missing
    assert re.search(r'data-testid="stat-found-nothing">1<', page)
    assert re.search(r'data-testid="stat-searches">2<', page)


def test_a_member_searching_through_the_api_is_logged_like_the_search_page(search_client, db, forum):
    member = f.user(db, "pencari_aplikasi")
    token = accounts.create_api_token(db, member, "aplikasi")[0]
    db.commit()
    first = search_client.get("/api/v1/search", params={"q": "tunjangan kemahalan papua"}, headers=bearer(token))
    assert first.status_code == 200
    search_client.get("/api/v1/search", params={"q": "gimana ngajuin cuti besar", "page": "2"}, headers=bearer(token))
    search_client.get("/api/v1/search", params={"q": "uang harian", "instansi": "kemenkeu"})  # a visitor
    search_log_writer(search_client.app).flush()
    fresh(db)
    rows = list(db.execute(select(SearchLogEntry.query, SearchLogEntry.results, SearchLogEntry.user_id)
                           .order_by(SearchLogEntry.id)))
    assert rows == [("tunjangan kemahalan papua", first.json()["total"], member.id),
                    ("uang harian instansi:kemenkeu", 1, None)]  # the SPPD thread


def test_the_api_gives_moderators_the_same_search_figures(search_client, db, forum):
    asker = f.user(db, "cari_lalu_tanya")
    record(db, asker.id, "cuti besar 4 tahun", 2)
    record(db, None, "tunjangan kemahalan papua", 0)
    f.thread(db, asker, title="Cuti besar kalau baru 4 tahun?", body="Apakah sudah bisa mengajukan cuti besar?")
    moderator_token, _ = accounts.create_api_token(db, f.user(db, role="moderator"), "cli")
    member_token, _ = accounts.create_api_token(db, f.user(db), "cli")
    db.commit()
    assert search_client.get("/api/v1/moderation/search-gaps", headers=bearer(member_token)).status_code == 403
    body = search_client.get("/api/v1/moderation/search-gaps", headers=bearer(moderator_token)).json()
    assert (body["searches"], body["found_nothing"], body["found_nothing_percent"]) == (2, 1, 50.0)
    assert [m["query"] for m in body["missing"]] == ["tunjangan kemahalan papua"]
    assert [(a["query"], a["thread"]["title"], a["closest_earlier"]) for a in body["asked_after"]] == [
        ("cuti besar 4 tahun", "Cuti besar kalau baru 4 tahun?", None)]
    bad = search_client.get("/api/v1/moderation/search-gaps", params={"days": 5}, headers=bearer(moderator_token))
    assert bad.status_code == 400 and "Periode" in bad.text


def test_the_moderators_figures_count_a_search_still_waiting_in_the_log_queue(search_client, db, forum):
    # The log is written when the worker is idle (web/search_log_writer.py); in tests only a flush writes it,
    # so these figures include the search only because the pages write the queue before counting.
    moderator = f.user(db, role="moderator")
    token, _ = accounts.create_api_token(db, moderator, "cli")
    db.commit()
    search_client.get("/api/v1/search", params={"q": "tunjangan kemahalan papua"})
    assert search_client.get("/api/v1/moderation/search-gaps", headers=bearer(token)).json()["searches"] == 1
    search_client.get("/cari", params={"q": "honor narasumber webinar"})
    login_as(search_client, db, moderator)
    assert re.search(r'data-testid="stat-searches">2<', search_client.get("/moderasi/statistik").text)


def test_attack_strings_typed_into_search_come_back_inert_on_the_moderators_pages(search_client, db):
    from tests.web.helpers import page_problems, xss_payloads
    attacks = [p for p in xss_payloads() if "<" in p or "javascript:" in p.lower()][::25][:40]
    for text in attacks:
        record(db, None, text, 0)
    moderator = f.user(db, role="moderator")
    db.commit()
    login_as(search_client, db, moderator)
    stats = search_client.get("/moderasi/statistik")
    assert stats.status_code == 200 and page_problems(search_client, stats.text) == []
    for text in attacks[:10]:
        prefilled = search_client.get("/moderasi/sinonim", params={"istilah": text})
        assert prefilled.status_code == 200 and page_problems(search_client, prefilled.text) == [], text


def test_the_stats_page_links_a_searched_then_asked_thread_to_the_merge_preview(search_client, db, forum):
    asker = f.user(db)
    record(db, asker.id, "cuti besar baru 4 tahun", 3, now=utcnow() - timedelta(minutes=5))
    asked = f.thread(db, asker, title="Cuti besar kalau baru 4 tahun?", body="Apakah sudah bisa mengajukan cuti besar?")
    db.add(DuplicateLink(thread_id=asked.id, other_thread_id=forum["cuti"].id, similarity=0.9, judge_score=0.5))
    moderator = f.user(db, role="moderator")
    db.commit()
    login_as(search_client, db, moderator)
    page = search_client.get("/moderasi/statistik").text
    link = re.search(r'href="(/moderasi/gabung\?sumber=\d+&amp;tujuan=\d+)">bandingkan dan gabungkan', page).group(1)
    assert link == f"/moderasi/gabung?sumber={asked.id}&amp;tujuan={forum['cuti'].id}"
    preview = search_client.get(html_lib.unescape(link))
    assert preview.status_code == 200 and asked.title in preview.text and forum["cuti"].title in preview.text


def test_the_searched_then_asked_list_pages_through_many_threads_for_the_newest_visible_ones(db):
    now, made = utcnow(), []
    for i in range(40):
        member = f.user(db)
        record(db, member.id, f"pertanyaan nomor {i}", 1, now=now - timedelta(hours=40 - i, minutes=10))
        thread = f.thread(db, member, title=f"Pertanyaan nomor {i} tentang cuti", body="Mohon penjelasan rekan-rekan.")
        thread.created_at = now - timedelta(hours=40 - i)
        thread.is_hidden = i % 4 != 0  # three in four hidden: the member's list needs a second batch
        made.append(thread)
    db.commit()
    shown = search_log.search_gaps(db, f.user(db), 30, now=now, top=10).asked_after
    assert [t.id for _, _, t, _ in shown] == [t.id for t in reversed(made) if not t.is_hidden]
    assert (shown[0][0], shown[-1][0]) == ("pertanyaan nomor 36", "pertanyaan nomor 0")
