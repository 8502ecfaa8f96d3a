"""The thread page of a long discussion: one page of replies at a time, and every link lands on the right page."""
import pytest
from sqlalchemy import select

from forum import posts
from forum.thread_pages import REPLIES_PER_PAGE
from models import Post
from tests import factories as f
from tests.web.helpers import fast_hashing, find, login_as, post_form  # noqa: F401

pytestmark = pytest.mark.usefixtures("fast_hashing")


@pytest.fixture
def long_thread(db):
    """A question with 2 pages and a bit of direct replies, by a helper; the asker is `asker`."""
    asker, helper = f.user(db, username="rina"), f.user(db, username="sapto")
    t = f.thread(db, asker, title="Pengalaman mengisi SKP baru di e-Kinerja BKN")
    direct = [posts.reply(db, author=helper, thread=t, body_md=f"Catatan saya nomor {n} soal SKP.")
              for n in range(2 * REPLIES_PER_PAGE + 3)]
    db.commit()
    return {"thread": t, "direct": direct, "asker": asker, "helper": helper}


def _post_ids(html: str) -> list[int]:
    return [int(a["data-post-id"]) for a in find(html, "article")]


def test_a_long_thread_shows_one_page_of_replies_with_the_question_on_every_page(client, long_thread):
    t, direct = long_thread["thread"], long_thread["direct"]
    base = f"/diskusi/{t.id}/{t.slug}"
    first, second, past = (client.get(url) for url in (base, f"{base}?hal=2", f"{base}?hal=40"))
    assert _post_ids(first.text) == [t.first_post_id, *(p.id for p in direct[:REPLIES_PER_PAGE])]
    # A logged-out visitor gets shared cached pages: each page number is a page of its own.
    assert _post_ids(second.text) == [t.first_post_id, *(p.id for p in direct[REPLIES_PER_PAGE:2 * REPLIES_PER_PAGE])]
    assert _post_ids(past.text) == [t.first_post_id, *(p.id for p in direct[2 * REPLIES_PER_PAGE:])]
    assert "Halaman 1 dari 3" in first.text and find(first.text, "a", rel="next", href=f"{base}?hal=2")
    assert find(second.text, "a", rel="prev", href=f"{base}?hal=1") and "(halaman 2) · Forum ASN Progresif</title>" in second.text
    assert not find(past.text, "a", rel="next") and "Halaman 3 dari 3" in past.text
    # Numbered links: every page of a three-page thread is one click away, the current one marked.
    assert find(second.text, "a", href=f"{base}?hal=3", **{"aria-label": "Halaman 3"})
    assert '<strong aria-current="page">2</strong>' in second.text


def test_links_to_a_post_on_a_later_page_go_to_that_page(client, db, long_thread):
    t, direct, helper = long_thread["thread"], long_thread["direct"], long_thread["helper"]
    base = f"/diskusi/{t.id}/{t.slug}"
    later = direct[REPLIES_PER_PAGE + 4]
    moved = client.get(f"/p/{later.id}", follow_redirects=False)
    assert moved.status_code == 302 and moved.headers["location"] == f"{base}?hal=2#post-{later.id}"
    login_as(client, db, long_thread["asker"])
    page_two = client.get(f"{base}?hal=2").text
    assert f'href="?hal=2&amp;balas={later.id}#balas"' in page_two  # "Balas" without JavaScript stays on page 2
    sent = post_form(client, f"/diskusi/{t.id}/balas", {"body_md": "Terima kasih, sangat membantu.",
                                                        "reply_to": str(later.id)})
    mine = db.scalar(select(Post).where(Post.reply_to_id == later.id))
    assert sent.status_code == 303 and sent.headers["location"] == f"{base}?hal=2#post-{mine.id}"
    refused = post_form(client, f"/diskusi/{t.id}/balas", {"body_md": "x", "reply_to": str(later.id)})
    assert refused.status_code == 400 and f'id="post-{later.id}"' in refused.text  # its page, with what was typed
    assert "Halaman 2 dari 3" in refused.text
    accepted = post_form(client, f"/diskusi/{t.id}/jawaban", {"post_id": str(later.id)})
    assert accepted.status_code == 303
    page_one = client.get(base).text
    block = page_one.split('class="accepted-block"')[1].split("</section>")[0]
    assert f'href="/p/{later.id}"' in block and f'id="post-{later.id}"' not in page_one.split('class="replies"')[1]
    assert helper is not None


def test_a_visitor_on_a_later_page_logs_in_and_returns_to_it_and_batal_stays_there(client, db, long_thread):
    t, direct = long_thread["thread"], long_thread["direct"]
    base = f"/diskusi/{t.id}/{t.slug}"
    page_two = client.get(f"{base}?hal=2").text
    back = f"lanjut=/diskusi/{t.id}/{t.slug}%3Fhal%3D2"
    assert f'href="/masuk?{back}"' in page_two and f'href="/daftar?{back}"' in page_two  # the card and the header
    assert 'href="/masuk"' in client.get("/").text  # from home, nothing to come back to
    assert f'name="lanjut" value="/diskusi/{t.id}/{t.slug}?hal=2"' in client.get(f"/masuk?{back}").text
    login_as(client, db, long_thread["asker"])
    form = client.get(f"{base}?hal=2&balas={direct[REPLIES_PER_PAGE].id}").text
    assert f'href="{base}?hal=2&amp;#balas" class="linkbtn js-reply-clear">batal</a>' in form


def test_a_link_to_a_hidden_reply_opens_its_page_with_the_placeholder_for_everyone(client, db, long_thread):
    from forum import reports
    t, direct = long_thread["thread"], long_thread["direct"]
    hidden = direct[REPLIES_PER_PAGE + 1]
    report = reports.report_post(db, reporter=long_thread["asker"], post=hidden, reason="Tidak relevan")
    reports.hide_reported_post(db, report=report, actor=f.user(db, role="moderator"))
    db.commit()
    moved = client.get(f"/p/{hidden.id}", follow_redirects=False)
    assert moved.status_code == 302 and moved.headers["location"] == f"/diskusi/{t.id}/{t.slug}?hal=2#post-{hidden.id}"
    page = client.get(moved.headers["location"]).text
    assert f'id="post-{hidden.id}"' in page and "[tulisan disembunyikan moderator]" in page


def test_the_api_refuses_a_reply_to_post_zero_as_it_refuses_a_negative_one(client, db, long_thread):
    from tests.web.helpers import bearer
    from forum import accounts
    token, _ = accounts.create_api_token(db, long_thread["helper"], "uji")
    db.commit()
    t = long_thread["thread"]
    for target in (0, -5):
        sent = client.post(f"/api/v1/threads/{t.id}/replies", headers=bearer(token),
                           json={"body_md": "Balasan dengan rujukan yang salah.", "reply_to": target})
        assert sent.status_code == 400 and sent.json()["detail"] == "Balasan yang dirujuk tidak valid.", target
