"""The read model shows the same threads, posts and related threads as the ORM verbs, for every viewer."""
from datetime import datetime, timedelta

import pytest

from forum import duplicates, moderation, posts, read_model, threads
from forum.catalog import get_agency, get_topic, list_agencies, list_topics
from forum.errors import ValidationFailed
from forum.listing import SORTS, list_threads
from models import DuplicateLink, Thread
from tests import factories as f
from tests.web.helpers import fast_hashing  # noqa: F401

pytestmark = pytest.mark.usefixtures("fast_hashing")
T0 = datetime(2026, 2, 1)


@pytest.fixture
def forum(db):
    a, b = f.user(db), f.user(db, agency_slug="kemenkeu")
    mod = f.user(db, role="moderator")
    x = f.thread(db, a, title="Thread X tentang cuti", topic_slugs=("gaji", "cuti"), now=T0)
    y = f.thread(db, a, title="Thread Y tentang gaji", agency_slug="kemenkeu", topic_slugs=("gaji",),
                 now=T0 + timedelta(days=1))
    z = f.thread(db, b, title="Thread Z tentang keduanya", agency_slug="kemenkeu", topic_slugs=("cuti", "gaji"),
                 now=T0 + timedelta(days=2))
    r1 = posts.reply(db, author=b, thread=x, body_md="Jawaban untuk X.", now=T0 + timedelta(days=3))
    posts.reply(db, author=a, thread=x, body_md="Terima kasih.", reply_to=r1.id, now=T0 + timedelta(days=4))
    posts.accept_answer(db, actor=a, thread=x, post=r1)
    moderation.pin_thread(db, y, mod)
    moderation.hide_thread(db, z, mod)
    db.commit()
    db.expire_all()  # topics as loaded from the database (by name), not in the order the factory assigned them
    return dict(a=a, b=b, mod=mod, x=x, y=y, z=z)


def test_thread_lists_match_the_orm_list_for_every_sort_filter_and_viewer(db, forum):
    agency, topic = get_agency(db, "kemenkeu"), get_topic(db, "cuti")
    for viewer in (None, forum["a"], forum["mod"]):
        for sort in SORTS:
            for filters in ({}, {"agency": agency}, {"topic": topic}, {"author": forum["a"]},
                            {"agency": agency, "topic": topic}):
                orm = list_threads(db, viewer, sort=sort, page_size=2, page=1, **filters)
                rows = read_model.thread_list(db, viewer, sort=sort, page_size=2, page=1, **filters)
                assert [t.id for t in rows.items] == [t.id for t in orm.items]
                assert (rows.total, rows.pages) == (orm.total, orm.pages)
    with pytest.raises(ValidationFailed):
        read_model.thread_list(db, None, sort="acak")


def test_list_rows_carry_what_the_list_shows(db, forum):
    orm = {t.id: t for t in list_threads(db, forum["mod"]).items}
    rows = read_model.with_topics(db, read_model.thread_list(db, forum["mod"]).items)
    for row in rows:
        t = orm[row.id]
        assert (row.title, row.slug, row.agency.name, row.agency.slug, row.author.username, row.author.display_name,
                row.reply_count, row.is_answered, row.is_pinned, row.is_hidden, row.last_activity_at, row.version) == (
            t.title, t.slug, t.agency.name, t.agency.slug, t.author.username, t.author.display_name, t.reply_count,
            t.is_answered, t.is_pinned, t.is_hidden, t.last_activity_at, t.version)
        assert [(tp.slug, tp.name) for tp in row.topics] == [(tp.slug, tp.name) for tp in t.topics]
    agencies, topics = read_model.catalog_lists(db)
    assert [a.slug for a in agencies] == [a.slug for a in list_agencies(db)]
    assert [t.slug for t in topics] == [t.slug for t in list_topics(db)]


def test_the_thread_head_and_posts_match_the_orm_objects(db, forum):
    thread = db.get(Thread, forum["x"].id)
    head = read_model.thread_head(db, thread.id)
    assert (head.title, head.agency.name, [t.slug for t in head.topics], head.accepted_post_id, head.version) == (
        thread.title, thread.agency.name, [t.slug for t in thread.topics], thread.accepted_post_id, thread.version)
    rows = read_model.thread_posts(db, thread.id)
    orm = threads.thread_posts(db, thread)
    assert [(p.id, p.reply_to_id, p.body_html, p.author.username, p.author.agency.name) for p in rows] == [
        (p.id, p.reply_to_id, p.body_html, p.author.username, p.author.agency.name) for p in orm]
    assert read_model.thread_head(db, 10**6) is None and read_model.thread_head(db, 2**70) is None


def test_the_thread_page_related_list_and_banner_match_the_api_for_members_and_moderators(db, forum):
    x, y, z = forum["x"], forum["y"], forum["z"]
    w = f.thread(db, forum["b"], title="Thread W tentang cuti juga", now=T0 + timedelta(days=5))
    db.add_all([DuplicateLink(thread_id=w.id, other_thread_id=x.id, similarity=0.95, judge_score=0.99, reasons={}),
                DuplicateLink(thread_id=w.id, other_thread_id=y.id, similarity=0.91, judge_score=0.2, reasons={},
                              status="variant"),
                DuplicateLink(thread_id=w.id, other_thread_id=z.id, similarity=0.97, judge_score=0.98, reasons={}),
                DuplicateLink(thread_id=x.id, other_thread_id=y.id, similarity=0.9, judge_score=0.9, reasons={},
                              status="not_duplicate")])
    db.commit()
    for viewer in (None, forum["mod"]):
        page = duplicates.thread_page_context(db, viewer, read_model.thread_head(db, w.id))
        api = duplicates.related_threads(db, viewer, w)
        assert [(r.thread.id, r.variant) for r in page["related"]] == [(r.thread.id, r.variant) for r in api]
        banner = duplicates.duplicate_banner(db, viewer, w)
        assert (page["duplicate_banner"].thread.id, page["duplicate_banner"].answer_excerpt) == (
            banner.thread.id, banner.answer_excerpt)
    member = duplicates.thread_page_context(db, None, read_model.thread_head(db, w.id))
    assert [r.thread.id for r in member["related"]] == [y.id, x.id]  # the variant first; hidden z left out
    assert member["duplicate_banner"].thread.id == x.id and member["duplicate_banner"].answer_excerpt
    assert duplicates.thread_page_context(db, None, read_model.thread_head(db, y.id))["related"][0].thread.id == w.id
