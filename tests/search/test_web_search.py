"""The /cari page, the search API and the composer's suggestions, in Indonesian."""
import re

import pytest
from litestar.testing import TestClient

from sqlalchemy import select

from forum import posts
from models import Thread
from tests import factories as f
from web.app import create_app


@pytest.fixture
def search_client(settings, session_factory, forum, open_search):
    app = create_app(settings, session_factory, extra_state={"search": open_search()})
    with TestClient(app=app, base_url="http://testserver.local") as client:
        yield client


def test_the_search_page_shows_threads_with_highlighted_snippets(search_client, forum):
    html = search_client.get("/cari", params={"q": "gimana ngajuin cuti besar"}).text
    links = re.findall(r'class="thread-title" href="/diskusi/(\d+)/', html)
    assert int(links[0]) == forum["cuti"].id
    assert "<mark>cuti</mark>" in html and "diskusi ditemukan" in html


def test_an_empty_filtered_search_page_offers_to_drop_the_filter(search_client):
    html = search_client.get("/cari", params={"q": "prosedur cuti besar", "instansi": "kemenkeu"}).text
    assert "Tidak ada diskusi yang cocok" in html and "hapus filter" in html
    assert 'href="/cari?q=prosedur+cuti+besar"' in html


def test_phrases_nobody_wrote_and_minus_words_that_leave_nothing_are_explained_on_the_page_and_api(search_client):
    html = search_client.get("/cari", params={"q": 'prosedur "cuti besar tahunan" -pppk'}).text
    assert "Tidak ada diskusi yang memuat persis “cuti besar tahunan”; ditampilkan hasil tanpa tanda kutip." in html
    assert 'class="thread-title"' in html
    assert 'value="prosedur &#34;cuti besar tahunan&#34; -pppk"' in html  # what was typed stays in the box
    body = search_client.get("/api/v1/search", params={"q": 'prosedur "cuti besar tahunan" -pppk'}).json()
    assert (body["phrases"], body["excluded"], body["phrases_relaxed"]) == (["cuti besar tahunan"], ["pppk"], True)
    assert body["items"]
    html = search_client.get("/cari", params={"q": "prosedur cuti besar -cuti -uang -kinerja -cpns"}).text
    assert "Tidak ada diskusi yang cocok" in html and "cari tanpa syarat kata" in html
    assert 'href="/cari?q=prosedur+cuti+besar"' in html
    body = search_client.get("/api/v1/search", params={"q": "prosedur cuti besar -cuti -uang -kinerja -cpns"}).json()
    assert body["items"] == [] and body["suggestions"][0]["query"] == "prosedur cuti besar"
    html = search_client.get("/cari", params={"q": "gimana cuti besar -pppk"}).text  # a question: read as prose
    assert 'data-testid="search-note"' in html and "Kalimat tanya dibaca apa adanya" in html
    assert search_client.get("/api/v1/search", params={"q": "gimana cuti besar -pppk"}).json()["notes"]


def test_the_search_api_returns_threads_filters_and_snippets(search_client, forum):
    body = search_client.get("/api/v1/search", params={"q": "uang harian perjadin", "instansi": "kemenkeu"}).json()
    assert body["filters"] == {"agency": "kemenkeu"}
    assert body["items"][0]["thread"]["id"] == forum["sppd"].id and "<mark>" in body["items"][0]["snippet_html"]


def test_the_composer_suggests_earlier_questions_with_their_answer_and_asks_if_it_helps(search_client, db, forum):
    skp = forum["skp"]
    reply = posts.reply(db, author=skp.author, thread=skp, body_md="Isi SKP lewat menu Perencanaan Kinerja, lalu ajukan ke atasan.")
    posts.accept_answer(db, actor=skp.author, thread=skp, post=reply)
    db.commit()
    fragment = search_client.get("/api/v1/suggest", params={"title": "gimana cara ngisi skp di e-kinerja", "format": "html"})
    assert fragment.headers["content-type"].startswith("text/html")
    html = fragment.text
    assert "Pertanyaan serupa" in html and "Apakah ini menjawab pertanyaan Anda?" in html
    assert skp.title in html and "Jawaban terpilih" in html
    items = search_client.get("/api/v1/suggest", params={"title": "gimana cara ngisi skp di e-kinerja"}).json()["items"]
    assert items[0]["thread"]["id"] == skp.id and items[0]["accepted"] and items[0]["answer_post_id"] == reply.id
    assert len(items) <= 5


def test_the_composer_stays_quiet_until_a_few_words_are_typed(search_client):
    assert search_client.get("/api/v1/suggest", params={"title": "cuti", "format": "html"}).text.strip() == ""


def test_similar_threads_api_hides_what_the_viewer_may_not_see(search_client, db, forum):
    forum["cuti"].is_hidden = True
    db.commit()
    assert search_client.get(f"/api/v1/threads/{forum['cuti'].id}/similar").status_code == 404
    body = search_client.get(f"/api/v1/threads/{forum['skp'].id}/similar").json()
    assert forum["cuti"].id not in [r["thread"]["id"] for r in body["related"]]


def test_similar_threads_of_a_merged_away_thread_redirect_to_those_of_the_thread_it_joined(search_client, db, forum):
    from forum.merging import merge_threads
    merge_threads(db, source=forum["skp"], target=forum["cuti"], actor=f.user(db, role="moderator"))
    db.commit()
    response = search_client.get(f"/api/v1/threads/{forum['skp'].id}/similar", follow_redirects=False)
    assert response.status_code == 301 and response.headers["location"] == f"/api/v1/threads/{forum['cuti'].id}/similar"
    body = search_client.get(f"/api/v1/threads/{forum['skp'].id}/similar").json()
    assert forum["skp"].id not in [r["thread"]["id"] for r in body["related"]]


def test_the_thread_page_shows_related_discussions_and_the_duplicate_banner(search_client, db, forum):
    from forum import duplicate_detection
    from models import DuplicateLink
    judge = duplicate_detection.load_judge()
    assert judge is not None, "the judge ships in search/data"
    cuti, sppd = forum["cuti"], forum["sppd"]
    answer = posts.reply(db, author=sppd.author, thread=cuti, body_md="Belum bisa, cuti besar butuh masa kerja lima tahun.")
    posts.accept_answer(db, actor=cuti.author, thread=cuti, post=answer)
    new = forum["latsar"]
    db.add(DuplicateLink(thread_id=new.id, other_thread_id=cuti.id, similarity=0.95, judge_score=judge.threshold + 0.01))
    db.add(DuplicateLink(thread_id=new.id, other_thread_id=sppd.id, similarity=0.86, judge_score=0.1))
    db.commit()
    html = search_client.get(f"/diskusi/{new.id}/{new.slug}").text
    assert "Pertanyaan ini mungkin sudah dijawab di" in html and "butuh masa kerja lima tahun" in html
    assert "Diskusi serupa" in html and sppd.title in html
    html = search_client.get(f"/diskusi/{sppd.id}/{sppd.slug}").text
    assert "Pertanyaan ini mungkin sudah dijawab di" not in html and new.title in html  # related both ways
    assert 'data-testid="banner-hidden"' not in html and 'data-testid="related-hidden"' not in html
    cuti.is_hidden = sppd.is_hidden = True  # moderators still see both, labelled; members see neither
    db.commit()
    from tests.web.helpers import login_as
    login_as(search_client, db, f.user(db, role="moderator"))
    html = search_client.get(f"/diskusi/{new.id}/{new.slug}").text
    assert 'data-testid="banner-hidden"' in html and 'data-testid="related-hidden"' in html


def test_the_search_page_and_api_order_results_by_date_on_request(search_client, db, forum):
    author = forum["cuti"].author
    for title in ("Cuti besar PNS masa kerja belum lima tahun, bisa?", "Syarat mengajukan cuti besar untuk PNS"):
        f.thread(db, author, title=title, body="Apakah PNS dengan masa kerja kurang dari lima tahun boleh mengajukan cuti besar?")
    db.commit()
    search_client.app.state.search.index.catch_up()
    query = {"q": "syarat cuti besar PNS masa kerja lima tahun", "urut": "terbaru"}
    before = [item["thread"]["id"] for item in search_client.get("/api/v1/search", params=query).json()["items"]]
    assert len(before) >= 2
    # The last of a date-ordered list becomes the newest thread: it must then come first.
    last = db.get(Thread, before[-1])
    for t in db.scalars(select(Thread).where(Thread.id != last.id)):
        t.created_at = t.created_at.replace(year=t.created_at.year - 1)
    db.commit()
    html = search_client.get("/cari", params=query).text
    assert '<option value="terbaru" selected>' in html and "diurutkan dari yang terbaru" in html
    links = [int(i) for i in re.findall(r'class="thread-title" href="/diskusi/(\d+)/', html)]
    assert links[0] == last.id and sorted(links) == sorted(before)
    body = search_client.get("/api/v1/search", params=query).json()
    assert body["sort"] == "terbaru" and body["items"][0]["thread"]["id"] == last.id
    bad = search_client.get("/api/v1/search", params={"q": "cuti", "urut": "acak"})
    assert bad.status_code == 200 and any("Urutan" in p for p in bad.json()["problems"])


def test_a_synonym_file_in_the_data_dir_lets_a_local_acronym_find_its_long_form(settings, session_factory, db, open_search):
    from dataclasses import replace

    from search.text import use_local_synonyms
    thread = f.thread(db, f.user(db), title="Tidak bisa masuk ke sistem informasi manajemen kepegawaian",
                      body="Sejak pekan lalu sistem informasi manajemen kepegawaian menolak kata sandi saya.")
    db.commit()
    engine = open_search()

    def bm25_of_thread(app_settings) -> bool:
        app = create_app(app_settings, session_factory, extra_state={"search": engine})
        with TestClient(app=app, base_url="http://testserver.local") as client:
            items = client.get("/api/v1/search", params={"q": "login simpeg gagal terus"}).json()["items"]
        return any(i["thread"]["id"] == thread.id and "bm25" in i["signals"] for i in items)

    try:
        assert not bm25_of_thread(settings)  # no word of the query is in the thread
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        (settings.data_dir / "synonyms.json").write_text('{"groups": [["simpeg", "sistem informasi manajemen kepegawaian"]]}')
        assert bm25_of_thread(replace(settings))
    finally:
        use_local_synonyms(None)


def test_the_search_api_filters_by_author(search_client, db, forum):
    writer = f.user(db, "siti_lan")
    posts.reply(db, author=writer, thread=forum["latsar"], body_md="Latsar angkatan kami mulai Juli, tiga bulan.")
    db.commit()
    search_client.app.state.search.index.catch_up()
    body = search_client.get("/api/v1/search", params={"q": "jadwal latsar", "oleh": "siti_lan"}).json()
    assert body["filters"] == {"author": "siti_lan"} and [i["thread"]["id"] for i in body["items"]] == [forum["latsar"].id]
    unknown = search_client.get("/api/v1/search", params={"q": "cuti besar", "oleh": "tidak_ada"}).json()
    assert unknown["filters"] == {} and unknown["problems"] == ["Pengguna “tidak_ada” tidak ditemukan; filter itu diabaikan."]


def test_odd_search_text_is_never_a_500_and_what_was_typed_comes_back_escaped(search_client):
    from tests.web.helpers import page_problems, xss_payloads
    odd = ['"\x00"', '-"\x00" cuti', 'cuti\x00besar "a\x00b" -c\x00d', '"' * 40, "-" * 40, '- " -" "-"',
           '"cuti besar" ' * 30, "x" * 5000, "ＣＵＴＩ 𝐁𝐄𝐒𝐀𝐑 -ｐｐｐｋ", '"%_" -%', 'instansi:"\x00" "cuti']
    attacks = [p for p in xss_payloads() if "<" in p][::10]
    for text in odd + [f'cuti "{p}" -{p}' for p in attacks]:
        for url in ("/cari", "/api/v1/search"):
            response = search_client.get(url, params={"q": text})
            assert response.status_code in (200, 400), (url, text, response.status_code)
            if url == "/cari":
                assert page_problems(search_client, response.text) == [], text
    for field in ("instansi", "topik", "status", "sebelum", "sesudah", "oleh", "urut"):
        for url in ("/cari", "/api/v1/search"):
            response = search_client.get(url, params={"q": "cuti besar", field: "bkn\x00"})
            assert response.status_code in (200, 400), (url, field, response.status_code)
            assert "tidak sah" in response.text, (url, field)


def test_a_thread_just_posted_asks_for_its_similar_threads_until_they_are_found(search_client, db, forum):
    from datetime import timedelta

    from models import DuplicateLink, utcnow
    from tests.web.helpers import login_as, logout
    asker = f.user(db, "baru_bertanya")
    new = f.thread(db, asker, title="Baru 4 tahun kerja, bisa cuti besar?", body="Masa kerja saya empat tahun.")
    old_quiet = f.thread(db, asker, title="Apel pagi jam berapa?", body="Di kantor kecamatan.",
                         now=utcnow() - timedelta(minutes=10))
    db.commit()
    login_as(search_client, db, asker)
    page = search_client.get(f"/diskusi/{new.id}/{new.slug}").text
    assert f'hx-get="/diskusi/{new.id}/serupa-baru"' in page and 'hx-trigger="load delay:1s"' in page
    logout(search_client)
    assert "serupa-baru" not in search_client.get(f"/diskusi/{new.id}/{new.slug}").text  # shared visitor page
    login_as(search_client, db, asker)
    again = search_client.get(f"/diskusi/{new.id}/serupa-baru").text  # not compared yet: ask again
    assert 'data-testid="similar-pending"' in again and 'data-testid="related"' not in again
    db.add(DuplicateLink(thread_id=new.id, other_thread_id=forum["cuti"].id, similarity=0.9, judge_score=0.4))
    db.commit()
    found = search_client.get(f"/diskusi/{new.id}/serupa-baru").text
    assert 'data-testid="fresh-similar"' in found and forum["cuti"].title in found
    assert 'data-testid="asker-verdict"' in found and 'name="_csrf_token"' in found  # the asker can answer at once
    assert "serupa-baru" not in found  # found: no more asking
    assert "serupa-baru" not in search_client.get(f"/diskusi/{old_quiet.id}/{old_quiet.slug}").text
    assert search_client.get(f"/diskusi/{old_quiet.id}/serupa-baru").text.strip() == ""  # too old: stop asking


def test_a_result_shows_the_accepted_answer_so_the_searcher_reads_it_on_the_results_page(search_client, db, forum):
    cuti = forum["cuti"]
    answer = posts.reply(db, author=f.user(db, "penjawab_bkn"), thread=cuti,
                         body_md="Belum bisa. Cuti besar baru boleh setelah masa kerja paling singkat lima tahun terus-menerus.")
    posts.accept_answer(db, actor=cuti.author, thread=cuti, post=answer)
    db.commit()
    html = search_client.get("/cari", params={"q": "gimana ngajuin cuti besar"}).text
    first_hit = html.split('class="thread-row search-hit"')[1]
    assert f"/diskusi/{cuti.id}/" in first_hit and 'data-testid="hit-answer"' in first_hit
    assert "✔ Jawaban terpilih" in first_hit and "paling singkat lima tahun" in first_hit
    item = search_client.get("/api/v1/search", params={"q": "gimana ngajuin cuti besar"}).json()["items"][0]
    assert item["thread"]["id"] == cuti.id and "lima tahun" in item["accepted_answer_html"]
    # A thread without an accepted answer shows none.
    other = search_client.get("/api/v1/search", params={"q": "uang harian perjalanan dinas"}).json()["items"][0]
    assert other["thread"]["id"] == forum["sppd"].id and other["accepted_answer_html"] is None
    from forum import reports
    moderator = f.user(db, role="moderator")
    report = reports.report_post(db, reporter=moderator, post=answer, reason="Perlu diperiksa ulang")
    reports.hide_reported_post(db, report=report, actor=moderator)
    db.commit()
    item = search_client.get("/api/v1/search", params={"q": "gimana ngajuin cuti besar"}).json()["items"][0]
    assert item["accepted_answer_html"] is None  # a hidden answer is never shown


def test_a_search_offers_to_ask_it_as_a_new_question_with_the_words_already_in_the_title(search_client, db):
    from tests.web.helpers import login_as
    html = search_client.get("/cari", params={"q": '"cuti besar" pppk topik:cuti-kehadiran'}).text
    assert 'href="/diskusi/baru?judul=cuti+besar+pppk&amp;topik=cuti-kehadiran"' in html
    empty = search_client.get("/cari", params={"q": "zzqx wwvy"}).text
    assert 'data-testid="ask-from-search"' in empty
    assert search_client.get("/diskusi/baru", params={"judul": "cuti besar pppk"},
                             follow_redirects=False).headers["location"].startswith("/masuk?lanjut=")
    login_as(search_client, db, f.user(db, "penanya_dari_cari"))
    composer = search_client.get("/diskusi/baru", params={"judul": "cuti besar\x00 pppk", "topik": "cuti-kehadiran"}).text
    assert 'value="cuti besar pppk"' in composer and "data-prefilled" in composer
    assert 'hx-trigger="input changed delay:500ms, draft-restored, load"' in composer  # similar questions show at once
    assert "data-prefilled" not in search_client.get("/diskusi/baru").text


def test_a_page_past_the_last_shows_the_last_page_and_says_so_while_the_api_stays_empty(search_client, forum):
    html = search_client.get("/cari", params={"q": "cuti besar", "hal": "9"}).text
    assert 'data-testid="page-clamped"' in html and "Halaman 9 tidak ada" in html
    assert f'href="/diskusi/{forum["cuti"].id}/' in html and "Tidak ada diskusi yang cocok" not in html
    body = search_client.get("/api/v1/search", params={"q": "cuti besar", "page": "9"}).json()
    assert body["page"] == 9 and body["items"] == [] and body["total"] >= 1  # a client paging on stops here


def test_a_filter_chosen_in_the_form_replaces_the_same_operator_in_the_query_box(search_client, forum):
    # A facet link put instansi:bkn in the box; the member then picks another agency, then "Semua instansi".
    html = search_client.get("/cari", params={"q": "uang harian dinas instansi:bkn", "instansi": "kemenkeu"}).text
    assert re.findall(r'class="thread-title" href="/diskusi/(\d+)/', html) == [str(forum["sppd"].id)]
    assert 'value="uang harian dinas"' in html and '<option value="kemenkeu" selected>' in html
    html = search_client.get("/cari", params={"q": "uang harian dinas instansi:bkn", "instansi": ""}).text
    assert str(forum["sppd"].id) in re.findall(r'class="thread-title" href="/diskusi/(\d+)/', html)
    # A link that carries the operator alone (no form field) keeps it.
    html = search_client.get("/cari", params={"q": "uang harian dinas instansi:kemenkeu"}).text
    assert re.findall(r'class="thread-title" href="/diskusi/(\d+)/', html) == [str(forum["sppd"].id)]


def test_choosing_only_a_filter_on_the_search_page_lists_its_threads(search_client, forum):
    html = search_client.get("/cari", params={"q": "", "instansi": "kemenkeu", "status": ""}).text
    assert re.findall(r'class="thread-title" href="/diskusi/(\d+)/', html) == [str(forum["sppd"].id)]
    assert "1 diskusi dengan filter yang dipilih" in html


def test_the_composer_stays_quiet_for_symbols_and_emoji(search_client):
    for title in ("🙂 🙂 🙂 🙂", '" * ( ) NEAR : -', "\u200b \u200b \u200b"):
        assert search_client.get("/api/v1/suggest", params={"title": title, "format": "html"}).text.strip() == ""


def test_a_date_too_far_back_is_reported_not_a_server_error_on_the_page_and_api(search_client, forum):
    for params in ({"q": "cuti besar", "sebelum": "0001-01-01"}, {"q": "sesudah:0001-01-01 cuti besar"}):
        api = search_client.get("/api/v1/search", params=params)
        assert api.status_code == 200 and any("terlalu lampau" in p for p in api.json()["problems"])
        assert forum["cuti"].id in [item["thread"]["id"] for item in api.json()["items"]]
        page = search_client.get("/cari", params=params)
        assert page.status_code == 200 and "terlalu lampau" in page.text


def test_the_api_numbers_its_results_in_their_order_across_pages(search_client, forum):
    both = search_client.get("/api/v1/search", params={"q": "cuti", "page_size": 2}).json()["items"]
    assert [i["rank"] for i in both] == [1, 2]
    second = search_client.get("/api/v1/search", params={"q": "cuti", "page_size": 1, "page": 2}).json()["items"]
    assert [(i["rank"], i["thread"]["id"]) for i in second] == [(2, both[1]["thread"]["id"])]
