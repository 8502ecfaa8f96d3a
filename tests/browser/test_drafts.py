"""Half-written questions and replies survive leaving the page and a refused send, in real Chromium; a
confirmed send, "Buang draf" and logging out discard them."""
import pytest

from tests.browser.conftest import log_in, writing_session
from tests.browser.test_member_journey import _register, _seed_catalog

SAVED = 700  # ms: the draft is stored 300 ms after typing stops


@pytest.fixture
def live_server_env():
    return {"FORUM_WRITES_PER_MINUTE": "2"}  # the second reply below is refused by the rate limit


def _member_composing(browser, base, db_url, username, name, title, body):
    """A new member (BKN) with a question typed into the composer, not sent yet."""
    _seed_catalog(db_url)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    page = context.new_page()
    _register(page, base, username, name, "bkn")
    page.goto(base + "/diskusi/baru")
    page.fill("#title", title)
    page.fill("#body_md", body)
    page.select_option("#agency", "bkn")
    page.check("input[name=topics][value=kepegawaian-karier]")
    return context, page


def test_a_half_written_question_and_reply_survive_leaving_the_page_and_a_refused_send(live_server, browser, db_url):
    context, page = _member_composing(browser, live_server, db_url, "sari.wulandari", "Sari Wulandari",
                                      "Apakah tugas belajar S2 tetap dapat TPP?",
                                      "Saya berencana **tugas belajar** tahun depan.")
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


def test_a_reply_clicked_twice_is_sent_once_and_an_unsent_edit_survives_leaving_and_a_refused_save(
        live_server, browser, db_url):
    context, page = _member_composing(browser, live_server, db_url, "bayu.pratama", "Bayu Pratama",
                                      "Berapa lama proses kenaikan pangkat reguler?",
                                      "Usulan saya sudah masuk SIASN sejak Maret.")
    page.click("button:has-text('Terbitkan diskusi')")  # write 1 of 2
    page.wait_for_selector("h1:has-text('kenaikan pangkat')")
    thread_url = page.url

    page.fill("#reply_body", "Update: SK saya terbit setelah tiga bulan.")
    page.click("button:has-text('Kirim balasan')")  # write 2 of 2
    page.wait_for_selector(".flash:has-text('Balasan terkirim')")
    assert page.locator(".post-body:has-text('SK saya terbit setelah tiga bulan')").count() == 1
    # Back shows the page the reply was sent from with an empty box (the browser does not fill the sent text
    # back in), so the same reply cannot be sent twice by mistake. Playwright's Chromium reloads the page here;
    # from a member's back/forward cache it comes emptied by app.js, with a note saying so.
    page.go_back()
    page.wait_for_load_state()
    assert page.input_value("#reply_body") == ""
    page.go_forward()
    page.wait_for_selector(".flash:has-text('Balasan terkirim')")

    # A second click while the first send is on its way sends nothing. The sends are answered "204 No Content"
    # here, which leaves the page as it is, as a slow server would (and spends none of the member's writes).
    sent = []
    page.route("**/balas", lambda route: (sent.append(route.request.method), route.fulfill(status=204)))
    page.fill("#reply_body", "Balasan yang diklik dua kali.")
    page.click("button:has-text('Kirim balasan')", no_wait_after=True)
    page.wait_for_timeout(300)
    page.click("button:has-text('Kirim balasan')", no_wait_after=True)
    page.wait_for_timeout(300)
    page.unroute("**/balas")
    assert sent == ["POST"]
    page.reload()  # the page comes back ready to send

    page.click("a:has-text('Sunting') >> nth=-1")
    page.wait_for_selector("h1:has-text('Sunting tulisan')")
    edit_url = page.url
    page.fill("textarea[name=body_md]", "Update: SK saya terbit setelah tiga bulan, tanpa ujian dinas.")
    page.wait_for_timeout(SAVED)
    page.goto(thread_url)  # away without saving
    page.goto(edit_url)
    assert page.input_value("textarea[name=body_md]") == "Update: SK saya terbit setelah tiga bulan, tanpa ujian dinas."
    assert page.locator("[data-testid=draft-restored]").count() == 1
    page.click("button:has-text('Simpan perubahan')")  # refused: a third write this minute
    page.wait_for_selector("text=terlalu cepat")
    assert page.input_value("textarea[name=body_md]") == "Update: SK saya terbit setelah tiga bulan, tanpa ujian dinas."
    context.close()


def test_an_edit_draft_restored_over_a_newer_text_is_refused_as_a_conflict_not_saved_over_it(live_server, browser, db_url):
    from sqlalchemy import select

    from forum import posts
    from models import User
    from models.db import make_engine
    from tests import factories as f
    context, page = _member_composing(browser, live_server, db_url, "dewi.kurnia", "Dewi Kurnia", "", "")
    engine = make_engine(db_url)
    with writing_session(engine) as db:
        dewi = db.scalar(select(User).where(User.username == "dewi.kurnia"))
        thread = f.thread(db, dewi, title="Apakah tugas belajar tetap dapat TPP?", body="Saya berencana tugas belajar S2.")
        reply = posts.reply(db, author=dewi, thread=thread, body_md="Tambahan: di kantor saya belum ada aturannya.")
        db.commit()
        reply_id = reply.id
    page.goto(f"{live_server}/tulisan/{reply_id}/sunting")
    page.fill("textarea[name=body_md]", "Tambahan: ternyata sudah ada surat edaran kepala BKD.")
    page.wait_for_timeout(SAVED)
    page.goto(live_server + "/")  # away without saving; meanwhile a moderator corrects the post
    with writing_session(engine) as db:
        moderator = f.user(db, username="moderator.bkd", role="moderator")
        posts.edit_post(db, editor=moderator, post=db.get(type(reply), reply_id),
                        body_md="Tambahan: di kantor saya belum ada aturannya. [Catatan moderator: lihat SE BKN.]")
        db.commit()
    engine.dispose()
    page.goto(f"{live_server}/tulisan/{reply_id}/sunting")
    assert page.input_value("textarea[name=body_md]") == "Tambahan: ternyata sudah ada surat edaran kepala BKD."
    page.click("button:has-text('Simpan perubahan')")
    page.wait_for_selector("[data-testid=newer-version]")  # refused: the newer text is shown, nothing overwritten
    assert "Catatan moderator" in page.inner_text("[data-testid=newer-version]")
    assert page.input_value("textarea[name=body_md]") == "Tambahan: ternyata sudah ada surat edaran kepala BKD."
    context.close()


def test_a_restored_reply_draft_still_answers_the_post_it_was_written_to(live_server, browser, db_url):
    from sqlalchemy import select

    from forum import posts
    from models import Post
    from models.db import make_engine, make_session_factory
    from tests import factories as f
    engine = make_engine(db_url)
    with writing_session(engine) as db:
        asker = f.user(db, username="rudi.hartono")
        thread = f.thread(db, asker, title="Apakah cuti besar bisa diambil dua kali?")
        answer = posts.reply(db, author=f.user(db, username="dewi.lestari"), thread=thread,
                             body_md="Bisa, setelah lima tahun lagi sejak cuti besar pertama.")
        db.commit()
        thread_path, answer_id = f"/diskusi/{thread.id}/{thread.slug}", answer.id
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    page = context.new_page()
    log_in(page, live_server, "rudi.hartono", f.PASSWORD)
    page.goto(live_server + thread_path)
    page.click(f".js-reply[data-post='{answer_id}']")
    page.fill("#reply_body", "Terima kasih, berarti saya harus menunggu sampai 2029.")
    page.wait_for_timeout(SAVED)
    page.goto(live_server + "/")  # away: a closed tab, a refused send for an expired form
    page.goto(live_server + thread_path)
    assert page.input_value("#reply_body") == "Terima kasih, berarti saya harus menunggu sampai 2029."
    assert page.input_value("#reply_to") == str(answer_id)
    assert page.is_visible("#reply-target") and page.inner_text("#reply-target-name") == "@dewi.lestari"
    page.click("button:has-text('Kirim balasan')")
    page.wait_for_selector(".flash:has-text('Balasan terkirim')")
    with make_session_factory(engine)() as db:
        sent = db.scalar(select(Post).where(Post.body_md.like("Terima kasih, berarti%")))
        assert sent.reply_to_id == answer_id  # nested under the answer, not a new top-level reply
    # "batal" forgets the target in the draft too.
    page.click(f".js-reply[data-post='{answer_id}']")
    page.fill("#reply_body", "Pertanyaan lain untuk semua.")
    page.click(".js-reply-clear")
    page.wait_for_timeout(SAVED)
    page.reload()
    assert page.input_value("#reply_to") == "" and not page.is_visible("#reply-target")
    engine.dispose()
    context.close()
