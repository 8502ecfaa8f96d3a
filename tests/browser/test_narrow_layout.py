"""On a 375 px phone, a title typed as one long word or a wide table never widens the page, in real Chromium."""
from forum import moderation, posts
from models.db import make_engine
from tests import factories as f
from tests.browser.conftest import log_in, writing_session

LONG_WORD = "KataSangatPanjangTanpaSpasiUntukMengujiTataLetakHalamanDiLayarPonsel" * 2


def test_a_long_unbroken_title_and_a_wide_table_stay_inside_a_phone_screen(live_server, browser, db_url):
    engine = make_engine(db_url)
    with writing_session(engine) as db:
        author = f.user(db, username="nama.panjang")
        thread = f.thread(db, author, title=f"Tata letak {LONG_WORD}",
                          body="Tabel tunjangan:\n\n| " + " | ".join(f"Kolom nomor {i}" for i in range(12)) + " |\n|"
                               + "---|" * 12 + "\n| " + " | ".join(str(i) for i in range(12)) + " |")
        posts.reply(db, author=f.user(db), thread=thread, body_md="Lihat juga tabel di atas, sudah lengkap.")
        moderator = f.user(db, username="moderator.ponsel", role="moderator")
        # A pasted link as a moderator's reason: one 491-character word in the moderation log.
        moderation.pin_thread(db, thread, moderator, "https://contoh.go.id/" + "a" * 470)
        db.commit()
        paths = ["/", f"/diskusi/{thread.id}/{thread.slug}", "/u/nama.panjang", "/moderasi/log", "/cari?q=tabel+tunjangan"]
    engine.dispose()
    context = browser.new_context(viewport={"width": 375, "height": 800}, locale="id-ID", is_mobile=True)
    page = context.new_page()
    log_in(page, live_server, "moderator.ponsel", f.PASSWORD)
    for path in paths:
        page.goto(live_server + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, path
    page.goto(live_server + paths[1])
    widths = page.evaluate("[...document.querySelectorAll('.post-body table')].map(t => [t.scrollWidth, t.clientWidth])")
    assert widths and widths[0][0] > widths[0][1]  # the table scrolls inside the post instead of squeezing its words
    # The composer's earlier answers get most of the phone's width (default list and quote indents left ~150 px).
    page.goto(live_server + "/diskusi/baru")
    page.fill("#title", "Tata letak tabel tunjangan di layar ponsel")
    excerpt = page.wait_for_selector("[data-testid=suggestions] .answer-excerpt", timeout=120_000)
    assert excerpt.bounding_box()["width"] >= 230, excerpt.bounding_box()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    context.close()


SHOWN_LINKS = "[...document.querySelectorAll('.mainnav > *')].filter(e => e.offsetWidth)"


def _home_on_a_phone(browser, live_server, username: str, width: int):
    """A page logged in as `username` on the home page of a `width` px phone (close its context when done)."""
    context = browser.new_context(viewport={"width": width, "height": 700}, locale="id-ID", is_mobile=True)
    page = context.new_page()
    log_in(page, live_server, username, f.PASSWORD)
    page.goto(live_server + "/")
    return page


def test_a_members_header_links_fit_one_row_on_a_phone_even_with_a_long_name(live_server, browser, db_url):
    engine = make_engine(db_url)
    with writing_session(engine) as db:
        f.user(db, username="raden.ajeng").display_name = "Raden Ajeng Kartika Sari Dewi Anggraini"
        db.commit()
    engine.dispose()
    page = _home_on_a_phone(browser, live_server, "raden.ajeng", 375)
    tops = page.evaluate(f"{SHOWN_LINKS}.map(e => Math.round(e.getBoundingClientRect().top))")
    assert len(tops) == 5 and len(set(tops)) == 1, tops  # Instansi, Topik, the bell, the name, Keluar
    assert page.evaluate(f"{SHOWN_LINKS}.every(e => e.getBoundingClientRect().right <= 375)")
    assert page.get_attribute(".mainnav .me", "title") == "Raden Ajeng Kartika Sari Dewi Anggraini"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.context.close()


def test_a_moderators_header_with_unread_notifications_stays_inside_a_320_px_screen(live_server, browser, db_url):
    engine = make_engine(db_url)
    with writing_session(engine) as db:
        moderator = f.user(db, username="moderator.kecil", role="moderator")
        moderator.display_name = "Admin Forum Pusat"
        thread = f.thread(db, moderator, title="Cara mengajukan cuti besar di layar kecil")
        posts.reply(db, author=f.user(db), thread=thread, body_md="Ajukan lewat SIASN dengan surat atasan.")
        db.commit()
    engine.dispose()
    page = _home_on_a_phone(browser, live_server, "moderator.kecil", 320)
    assert page.inner_text(".bell [data-testid=unread]") == "1"
    assert page.evaluate(f"{SHOWN_LINKS}.every(e => e.getBoundingClientRect().right <= 320)")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    bell, badge = page.locator(".bell svg").bounding_box(), page.locator(".bell [data-testid=unread]").bounding_box()
    assert abs(badge["y"] - bell["y"]) < bell["height"]  # the count beside the bell, not under it
    assert page.locator(".mainnav .me").bounding_box()["width"] >= 70  # a name, not "Ad…"
    page.context.close()
