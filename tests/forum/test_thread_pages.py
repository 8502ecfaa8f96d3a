"""A long thread in pages of whole top-level replies, and links that find the page showing a post."""
from forum import posts
from forum.thread_pages import REPLIES_PER_PAGE, page_holding, page_of_nodes, post_url
from forum.threads import thread_posts
from forum.tree import build_tree
from models import Notification
from tests import factories as f


def _long_thread(db, top_level: int):
    """A question with `top_level` direct replies; the second of them has a conversation of three under it."""
    asker, helper = f.user(db), f.user(db)
    t = f.thread(db, asker, title="Bagaimana pengalaman rekan mengikuti Latsar CPNS daring?")
    direct = [posts.reply(db, author=helper, thread=t, body_md=f"Pengalaman saya nomor {n} di angkatan ini.")
              for n in range(top_level)]
    under = direct[1]
    nested = []
    for n in range(3):
        under = posts.reply(db, author=asker if n % 2 == 0 else helper, thread=t, reply_to=under.id,
                            body_md=f"Tanggapan lanjutan ke-{n} tentang materi Latsar.")
        nested.append(under)
    db.commit()
    return t, direct, nested


def test_pages_hold_whole_top_level_replies_with_the_conversation_under_each(db):
    t, direct, nested = _long_thread(db, 2 * REPLIES_PER_PAGE + 5)
    _first, _accepted, nodes = build_tree(t, thread_posts(db, t))
    one, two, three = (page_of_nodes(nodes, n) for n in (1, 2, 3))
    assert (one.pages, one.page, three.page) == (3, 1, 3)
    assert [n.post.id for n in one.nodes if n.depth == 1] == [p.id for p in direct[:REPLIES_PER_PAGE]]
    # The replies under the second direct reply came later than every direct reply, and still stay beside it.
    assert [n.post.id for n in one.nodes][:5] == [direct[0].id, direct[1].id, *(p.id for p in nested)]
    assert [n.post.id for n in two.nodes] == [p.id for p in direct[REPLIES_PER_PAGE:2 * REPLIES_PER_PAGE]]
    assert [n.post.id for n in three.nodes] == [p.id for p in direct[2 * REPLIES_PER_PAGE:]]
    assert page_of_nodes(nodes, 99).page == 3 and page_of_nodes(nodes, 0).page == 1
    shown = [n.post.id for n in one.nodes + two.nodes + three.nodes]
    assert sorted(shown) == sorted(n.post.id for n in nodes) and len(shown) == len(set(shown))


def test_a_post_link_names_the_page_that_shows_it_and_the_reply_notification_uses_it(db):
    t, direct, nested = _long_thread(db, REPLIES_PER_PAGE + 2)
    base = f"/diskusi/{t.id}/{t.slug}"
    assert post_url(db, t, direct[0].id) == f"{base}#post-{direct[0].id}"
    assert post_url(db, t, nested[-1].id) == f"{base}#post-{nested[-1].id}"  # nested under a page-1 reply
    last = direct[-1]
    assert post_url(db, t, last.id) == f"{base}?hal=2#post-{last.id}"
    assert post_url(db, t, t.first_post_id) == f"{base}#post-{t.first_post_id}"
    _first, _accepted, nodes = build_tree(t, thread_posts(db, t))
    assert page_holding(nodes, last.id) == 2 and page_holding(nodes, 10**9) == 1
    told = db.query(Notification).filter_by(post_id=last.id, kind="reply_thread").one()
    assert told.url == f"{base}?hal=2#post-{last.id}"
