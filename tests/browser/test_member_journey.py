"""A member registers, asks a question, another replies, and the reply shows — in real Chromium."""
from models.db import make_engine
from tests import factories as f
from tests.browser.conftest import SCREENSHOTS, writing_session


def _seed_catalog(db_url):
    engine = make_engine(db_url)
    with writing_session(engine) as db:
        f.agency(db, "bkn", "Badan Kepegawaian Negara (BKN)")
        f.agency(db, "pemkot-bandung", "Pemerintah Kota Bandung", "kabupaten-kota")
        f.topic(db, "cuti-kehadiran", "Cuti & Kehadiran")
        f.topic(db, "kepegawaian-karier", "Kepegawaian & Karier")
        db.commit()
    engine.dispose()


def _register(page, base, username, name, agency):
    page.goto(base + "/daftar")
    page.fill("#username", username)
    page.fill("#display_name", name)
    page.fill("#email", f"{username}@contoh.go.id")
    page.fill("#password", "Rahasia-Kuat-2025")
    page.select_option("#agency", agency)
    page.click("button[type=submit]:has-text('Daftar')")
    page.wait_for_selector(".flash")


def test_member_registers_posts_a_question_and_sees_a_colleagues_reply(live_server, browser, db_url):
    _seed_catalog(db_url)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    asker = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    page = asker.new_page()
    problems = []  # script errors, blocked resources (the Content-Security-Policy included), missing files
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    # The browser's own check of an empty required field speaks Indonesian, not the browser's language.
    page.goto(live_server + "/masuk")
    page.click("button[type=submit]:has-text('Masuk')")
    assert page.eval_on_selector("#username", "e => e.validationMessage") == "Kolom ini wajib diisi."
    assert page.url.endswith("/masuk")  # not sent
    page.goto(live_server + "/daftar")
    page.fill("#password", "Rahasia-Kuat-2025")
    page.check("[data-testid=show-password]")  # a password typed on a phone can be read back
    assert page.get_attribute("#password", "type") == "text"
    _register(page, live_server, "dewi.lestari", "Dewi Lestari", "pemkot-bandung")
    assert "Selamat datang, Dewi Lestari" in page.inner_text(".flash")
    page.keyboard.press("Tab")  # the first stop skips the header
    assert page.evaluate("document.activeElement.textContent") == "Langsung ke isi"

    page.click("text=+ Buat diskusi")
    page.fill("#title", "Syarat cuti besar kalau masa kerja belum lima tahun?")
    page.fill("#body_md", "Rekan-rekan, apakah **cuti besar** bisa diambil sebelum 5 tahun masa kerja?\n\n- saya PNS sejak 2022")
    page.wait_for_selector("#preview strong")  # the live preview renders the Markdown
    assert page.inner_text("#preview strong") == "cuti besar"
    page.check("input[name=topics][value=cuti-kehadiran]")
    page.click("button:has-text('Terbitkan diskusi')")
    page.wait_for_selector("h1:has-text('Syarat cuti besar')")
    thread_url = page.url
    page.screenshot(path=str(SCREENSHOTS / "thread-desktop.png"), full_page=True)

    helper_ctx = browser.new_context(viewport={"width": 375, "height": 800}, locale="id-ID", is_mobile=True)
    helper = helper_ctx.new_page()
    _register(helper, live_server, "budi.santoso", "Budi Santoso", "bkn")
    helper.goto(thread_url)
    helper.fill("#reply_body", "Cuti besar mensyaratkan masa kerja **paling singkat 5 tahun** terus-menerus.")
    helper.click("button:has-text('Kirim balasan')")
    helper.wait_for_selector(".flash:has-text('Balasan terkirim')")
    assert "paling singkat 5 tahun" in helper.inner_text(".replies")
    helper.screenshot(path=str(SCREENSHOTS / "thread-mobile.png"), full_page=True)
    # An empty reply is refused: the page opens on the box, which carries the message for screen readers.
    helper.click("button:has-text('Kirim balasan')")
    helper.wait_for_selector("#err-body_md")
    assert helper.evaluate("document.activeElement.id") == "reply_body"
    assert helper.get_attribute("#reply_body", "aria-invalid") == "true"
    assert "err-body_md" in helper.get_attribute("#reply_body", "aria-describedby")

    page.goto(live_server + "/")
    assert page.inner_text("[data-testid=unread]") == "1"  # the colleague's reply rings the asker's bell
    assert "Syarat cuti besar" in page.inner_text(".thread-list")
    page.screenshot(path=str(SCREENSHOTS / "home-desktop.png"), full_page=False)
    page.goto(thread_url)
    assert "paling singkat 5 tahun" in page.inner_text(".replies")
    assert page.locator("[data-testid=unread]").count() == 0  # opening the thread read what it was about
    # Pick the answer: the badge appears on the thread list.
    page.click("button:has-text('Pilih sebagai jawaban')")
    page.wait_for_selector(".accepted-block .tag.answered")
    assert "Jawaban terpilih" in page.inner_text(".accepted-block")
    assert problems == []
    asker.close()
    helper_ctx.close()
