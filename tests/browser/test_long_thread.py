"""A long thread in real Chromium: a link made before the thread grew still lands on the post, on its page."""
from forum import posts
from forum.thread_pages import REPLIES_PER_PAGE
from models.db import make_engine
from tests import factories as f
from tests.browser.conftest import writing_session


def test_an_old_anchor_link_to_a_post_now_on_page_two_opens_page_two_at_that_post(live_server, browser, db_url):
    engine = make_engine(db_url)
    with writing_session(engine) as db:
        asker, helper = f.user(db), f.user(db)
        thread = f.thread(db, asker, title="Pengalaman ujian dinas kenaikan pangkat tahun ini")
        replies = [posts.reply(db, author=helper, thread=thread, body_md=f"Cerita saya yang ke-{n} tentang ujian dinas.")
                   for n in range(REPLIES_PER_PAGE + 3)]
        db.commit()
        base, later = f"/diskusi/{thread.id}/{thread.slug}", replies[-1].id
    engine.dispose()
    page = browser.new_page()
    page.goto(f"{live_server}{base}#post-{later}")  # as a notification stored before the thread had two pages
    page.wait_for_url(f"**{base}?hal=2#post-{later}")
    assert page.locator(f"#post-{later}").is_visible()
    assert "Halaman 2 dari 2" in page.locator(".pager").first.inner_text()
    page.goto(f"{live_server}{base}#post-{replies[0].id}")  # on this page: no jump
    assert page.url.endswith(f"{base}#post-{replies[0].id}")
    page.close()
