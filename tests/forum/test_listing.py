"""Thread lists: filters, sorts, pinned first, hidden threads, pagination and page parsing."""
from datetime import datetime, timedelta

import pytest

from forum import posts
from forum.errors import ValidationFailed
from forum.listing import list_threads, list_user_replies, parse_page
from tests import factories as f
from tests.web.helpers import fast_hashing  # noqa: F401

pytestmark = pytest.mark.usefixtures("fast_hashing")
T0 = datetime(2026, 2, 1)


def _ids(page):
    return [t.id for t in page.items]


@pytest.fixture
def three(db):
    a, b = f.user(db), f.user(db)
    mod = f.user(db, role="moderator")
    x = f.thread(db, a, title="Thread X tentang cuti", topic_slugs=("cuti",), now=T0)
    y = f.thread(db, a, title="Thread Y tentang gaji", agency_slug="kemenkeu", topic_slugs=("gaji",),
                 now=T0 + timedelta(days=1))
    z = f.thread(db, b, title="Thread Z tentang keduanya", agency_slug="kemenkeu", topic_slugs=("cuti", "gaji"),
                 now=T0 + timedelta(days=2))
    r = posts.reply(db, author=b, thread=x, body_md="Jawaban untuk X.", now=T0 + timedelta(days=3))
    db.flush()
    return dict(a=a, b=b, mod=mod, x=x, y=y, z=z, r=r)


def test_filters_by_agency_topic_and_author_combine(db, three):
    from forum.catalog import get_agency, get_topic
    kemenkeu, cuti = get_agency(db, "kemenkeu"), get_topic(db, "cuti")
    assert _ids(list_threads(db, agency=kemenkeu)) == [three["z"].id, three["y"].id]
    assert _ids(list_threads(db, topic=cuti)) == [three["x"].id, three["z"].id]
    assert _ids(list_threads(db, agency=kemenkeu, topic=cuti)) == [three["z"].id]
    assert _ids(list_threads(db, author=three["a"], sort="terbaru")) == [three["y"].id, three["x"].id]


def test_sorts_by_activity_creation_and_unanswered(db, three):
    x, y, z = three["x"], three["y"], three["z"]
    assert _ids(list_threads(db)) == [x.id, z.id, y.id]
    assert _ids(list_threads(db, sort="terbaru")) == [z.id, y.id, x.id]
    posts.accept_answer(db, actor=three["a"], thread=x, post=three["r"])
    assert _ids(list_threads(db, sort="belum-terjawab")) == [z.id, y.id]
    with pytest.raises(ValidationFailed):
        list_threads(db, sort="acak")


def test_pinned_first_and_hidden_only_for_staff(db, three):
    x, y, z = three["x"], three["y"], three["z"]
    y.is_pinned, z.is_hidden = True, True
    db.flush()
    assert _ids(list_threads(db, three["a"])) == [y.id, x.id]
    assert _ids(list_threads(db, three["mod"])) == [y.id, x.id, z.id]
    assert list_threads(db, None).total == 2


def test_a_moderator_limited_to_one_agency_never_lists_hidden_threads_of_another(db, three):
    from forum import read_model, roles
    from forum.search_filters import allowed_threads
    from forum.search_query import parse_query
    three["z"].is_hidden = True  # a kemenkeu thread hidden by a forum-wide moderator (personal data, say)
    admin, scoped = f.user(db, role="admin"), f.user(db)
    f.agency(db, "bappenas")
    roles.set_role(db, actor=admin, user=scoped, role="moderator", agencies=["bappenas"])
    db.flush()
    z = three["z"].id
    assert z not in _ids(list_threads(db, scoped)) and z in _ids(list_threads(db, three["mod"]))
    assert z not in allowed_threads(db, scoped, parse_query("instansi:kemenkeu"))
    assert z in allowed_threads(db, three["mod"], parse_query("instansi:kemenkeu"))
    assert z not in read_model.visible_threads(db, scoped, {z})


def test_pagination_counts_pages_and_clamps_the_page_size(db, three):
    page = list_threads(db, sort="terbaru", page=2, page_size=2)
    assert _ids(page) == [three["x"].id] and (page.total, page.pages) == (3, 2)
    assert list_threads(db, page_size=0).page_size == 1
    assert list_threads(db, page_size=10_000).page_size == 100
    assert list_threads(db, page=10_000).items == []


@pytest.mark.parametrize("raw, page", [(None, 1), ("", 1), ("3", 3), ("abc", 1), ("-4", 1), ("0", 1),
                                       ("1.5", 1), ("99999999999999999999", 10_000), ([1], 1)])
def test_page_numbers_from_query_strings_never_raise(raw, page):
    assert parse_page(raw) == page


def test_a_members_replies_skip_first_posts_and_hidden_threads(db, three):
    replies = list_user_replies(db, None, three["b"])
    assert [p.id for p in replies] == [three["r"].id]
    three["x"].is_hidden = True
    db.flush()
    assert list_user_replies(db, None, three["b"]) == []
    assert len(list_user_replies(db, three["mod"], three["b"])) == 1
