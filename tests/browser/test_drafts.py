"""Half-written questions and replies survive leaving the page and a refused send, in real Chromium; a
confirmed send, "Buang draf" and logging out discard them."""
import pytest

from tests.browser.test_member_journey import _register, _seed_catalog

SAVED = 700  # ms: the draft is stored 300 ms after typing stops


@pytest.fixture
def live_server_env():
    return {"FORUM_WRITES_PER_MINUTE": "2"}  # the second reply below is refused by the rate limit


def test_a_half_written_question_and_reply_survive_leaving_the_page_and_a_refused_send(live_server, browser, db_url):
    _seed_catalog(db_url)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    page = context.new_page()
    _register(page, live_server, "sari.wulandari", "Sari Wulandari", "bkn")
    page.goto(live_server + "/diskusi/baru")
    page.fill("#title", "Apakah tugas belajar S2 tetap dapat TPP?")
    page.fill("#body_md", "Saya berencana **tugas belajar** tahun depan.")
    page.select_option("#agency", "bkn")
    page.check("input[name=topics][value=kepegawaian-karier]")
    page.wait_for_timeout(SAVED)
    page.goto(live_server + "/")  # away, as the "Pertanyaan serupa" links take the member
    # The restored title asks for its "Pertanyaan serupa" at once, not only after the next keystroke.
    with page.expect_request(lambda r: "/api/v1/suggest" in r.url and "belajar" in r.url, timeout=10_000):
        page.goto(live_server + "/diskusi/baru")
    assert page.input_value("#title") == "Apakah tugas belajar S2 tetap dapat TPP?"
    assert page.input_value("#body_md") == "Saya berencana **tugas belajar** tahun depan."
    assert page.input_value("#agency") == "bkn" and page.is_checked("input[name=topics][value=kepegawaian-karier]")
    assert "Draf yang belum terkirim dipulihkan" in page.inner_text("[data-testid=draft-restored]")
    page.wait_for_selector("#preview strong")  # the restored text reaches the live preview
    page.goto(live_server + "/diskusi/baru?judul=cuti+bersama+akhir+tahun")  # a search's "ask it" link
    assert page.input_value("#title") == "Apakah tugas belajar S2 tetap dapat TPP?"  # the unsent draft wins

    page.click("button:has-text('Terbitkan diskusi')")  # write 1 of 2
    page.wait_for_selector("h1:has-text('tugas belajar')")
    thread_url = page.url
    page.goto(live_server + "/diskusi/baru")  # sent and confirmed: nothing to restore
    assert page.input_value("#title") == "" and page.locator("[data-testid=draft-restored]").count() == 0

    page.goto(thread_url)
    page.fill("#reply_body", "Menambahkan: saya golongan III/b.")
    page.click("button:has-text('Kirim balasan')")  # write 2 of 2
    page.wait_for_selector(".flash:has-text('Balasan terkirim')")
    assert page.input_value("#reply_body") == ""
    page.fill("#reply_body", "Satu lagi: apakah SK tugas belajar perlu persetujuan BKN?")
    page.wait_for_timeout(SAVED)
    page.click("button:has-text('Kirim balasan')")  # refused: too many writes this minute
    page.wait_for_selector("text=terlalu cepat")
    page.goto(thread_url)
    assert page.input_value("#reply_body") == "Satu lagi: apakah SK tugas belajar perlu persetujuan BKN?"
    page.click("[data-testid=draft-restored] button:has-text('Buang draf')")
    page.reload()
    assert page.input_value("#reply_body") == ""

    page.fill("#reply_body", "Draf di komputer kantor bersama")
    page.wait_for_timeout(SAVED)
    page.click("button:has-text('Keluar')")  # logging out forgets every draft
    page.wait_for_selector("text=Masuk")
    page.goto(live_server + "/masuk")
    page.fill("#username", "sari.wulandari")
    page.fill("#password", "Rahasia-Kuat-2025")
    page.click("button[type=submit]:has-text('Masuk')")
    page.wait_for_selector(".flash")
    page.goto(thread_url)
    assert page.input_value("#reply_body") == "" and page.locator("[data-testid=draft-restored]").count() == 0
    context.close()
