"""Read model for the busiest pages (thread, lists): Core selects of just the columns the templates show.

Building ORM entities with their eager relationships cost far more than running the SQL (about 60% of a
thread page), so these functions return small frozen rows instead. The rows use the models' attribute names,
so forum.permissions and tree.build_tree accept them as they are. Being plain values, they also compare and
hash: web.page_cache uses them as the cache key of a rendered page.
"""
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from forum.listing import Page, clamp_page_size, last_page_if_past, listing_clauses, listing_order, visibility_clauses
from forum.permissions import lists_hidden_threads
from models import Agency, Post, Thread, Topic, User, thread_topics
from models.catalog import AGENCY_LEVELS
from models.id_list import in_id_list
from models.threads import ThreadState


@dataclass(frozen=True, slots=True)
class AgencyRef:
    id: int
    slug: str
    name: str


@dataclass(frozen=True, slots=True)
class TopicRef:
    id: int
    slug: str
    name: str


@dataclass(frozen=True, slots=True)
class AuthorRef:
    id: int
    username: str
    display_name: str
    agency: AgencyRef


@dataclass(frozen=True, slots=True)
class ThreadRow(ThreadState):
    id: int
    title: str
    slug: str
    author_id: int
    agency_id: int
    is_locked: bool
    is_hidden: bool
    is_pinned: bool
    merged_into_id: int | None
    first_post_id: int | None
    accepted_post_id: int | None
    created_at: datetime
    last_activity_at: datetime
    reply_count: int
    # Every change to a thread or its posts bumps it (forum.posts, forum.moderation.claim, forum.reports).
    version: int
    agency: AgencyRef
    author: AuthorRef | None = None
    topics: tuple[TopicRef, ...] = ()


@dataclass(frozen=True, slots=True)
class PostRow:
    id: int
    thread_id: int
    author_id: int
    reply_to_id: int | None
    body_html: str
    created_at: datetime
    edited_at: datetime | None
    is_deleted: bool
    is_hidden: bool
    merged_from_thread_id: int | None
    deleted_by_id: int | None
    author: AuthorRef


_THREAD = (Thread.id, Thread.title, Thread.slug, Thread.author_id, Thread.agency_id, Thread.is_locked,
           Thread.is_hidden, Thread.is_pinned, Thread.merged_into_id, Thread.first_post_id, Thread.accepted_post_id,
           Thread.created_at, Thread.last_activity_at, Thread.reply_count, Thread.version)
_N = len(_THREAD)
_AuthorAgency = Agency.__table__.alias("author_agency")
_AUTHOR = (User.username, User.display_name, *_AuthorAgency.c["id", "slug", "name"])


def _thread_select(*extra):
    return select(*_THREAD, Agency.id, Agency.slug, Agency.name, *extra).join(Agency, Agency.id == Thread.agency_id)


def _with_author(stmt, author_id):
    return stmt.join(User, User.id == author_id).join(_AuthorAgency, _AuthorAgency.c.id == User.agency_id)


def _thread_row(row, **more) -> ThreadRow:
    return ThreadRow(*row[:_N], agency=AgencyRef(*row[_N:_N + 3]), **more)


def _author(author_id: int, row, at: int) -> AuthorRef:
    return AuthorRef(author_id, row[at], row[at + 1], AgencyRef(*row[at + 2:at + 5]))


# Statements are built once with bind parameters: building a select() and its cache key cost several times
# more than running it. They run on the session's connection (same transaction), skipping the ORM layer.
_HEAD = (_thread_select(Topic.id, Topic.slug, Topic.name)
         .outerjoin(thread_topics, thread_topics.c.thread_id == Thread.id)
         .outerjoin(Topic, Topic.id == thread_topics.c.topic_id)
         .where(Thread.id == bindparam("thread_id")).order_by(Topic.name, Topic.id))
_POSTS = _with_author(select(Post.id, Post.thread_id, Post.author_id, Post.reply_to_id, Post.body_html,
                             Post.created_at, Post.edited_at, Post.is_deleted, Post.is_hidden,
                             Post.merged_from_thread_id, Post.deleted_by_id, *_AUTHOR), Post.author_id).where(
    Post.thread_id == bindparam("thread_id")).order_by(Post.created_at, Post.id)
_TITLES = select(Thread.id, Thread.title).where(in_id_list(Thread.id))
_VISIBLE = {staff: _thread_select().where(in_id_list(Thread.id), *visibility_clauses(staff))
            for staff in (False, True)}
_TOPICS = (select(thread_topics.c.thread_id, Topic.id, Topic.slug, Topic.name)
           .join(Topic, Topic.id == thread_topics.c.topic_id)
           .where(in_id_list(thread_topics.c.thread_id)).order_by(Topic.name, Topic.id))
_AGENCIES = select(Agency.level, Agency.id, Agency.slug, Agency.name)
_ALL_TOPICS = select(Topic.id, Topic.slug, Topic.name).order_by(Topic.name)
_CATALOG_VERSION = select(*(select(fn(table.id)).scalar_subquery() for table in (Agency, Topic)
                            for fn in (func.count, func.max)))


def run(session: Session, stmt, **params):
    """Execute a prebuilt Core statement in the session's transaction (pending ORM changes flushed first)."""
    session.flush()
    return session.connection().execute(stmt, params)


def valid_id(value: object) -> bool:
    """A positive id the database can compare (huge numbers overflow SQLite's integers)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**62


def thread_head(session: Session, thread_id: object) -> ThreadRow | None:
    """One thread with its agency and topics (by name), in one query; no visibility check."""
    if not valid_id(thread_id):
        return None
    rows = run(session, _HEAD, thread_id=thread_id).all()
    if not rows:
        return None
    topics = tuple(TopicRef(*r[-3:]) for r in rows if r[-3] is not None)
    return _thread_row(rows[0], topics=topics)


def thread_posts(session: Session, thread_id: int) -> list[PostRow]:
    """Every post of the thread, oldest first, with its author and the author's agency (one query)."""
    authors: dict[int, AuthorRef] = {}
    out = []
    for r in run(session, _POSTS, thread_id=thread_id):
        author = authors.get(r[2])
        if author is None:
            author = authors[r[2]] = _author(r[2], r, 11)
        out.append(PostRow(*r[:11], author=author))
    return out


def thread_titles(session: Session, ids: set[int]) -> dict[int, str]:
    """Titles by thread id (e.g. the threads merged into this one)."""
    return {r.id: r.title for r in run(session, _TITLES, ids=list(ids))} if ids else {}


def visible_threads(session: Session, viewer: User | None, ids) -> dict[int, ThreadRow]:
    """Of these threads, the ones the viewer may list (as in forum.listing), by id, without topics."""
    ids = list(ids)
    if not ids:
        return {}
    return {r[0]: _thread_row(r) for r in run(session, _VISIBLE[lists_hidden_threads(viewer)], ids=ids)}


@lru_cache(maxsize=64)
def _list_statements(staff: bool, sort: str, by_agency: bool, by_topic: bool, by_author: bool) -> tuple:
    clauses = listing_clauses(staff=staff, sort=sort, agency_id=bindparam("agency_id") if by_agency else None,
                              topic_id=bindparam("topic_id") if by_topic else None,
                              author_id=bindparam("author_id") if by_author else None)
    count = select(func.count()).select_from(Thread).where(*clauses)
    page = (_with_author(_thread_select(*_AUTHOR), Thread.author_id).where(*clauses)
            .order_by(*listing_order(sort)).limit(bindparam("limit")).offset(bindparam("offset")))
    return count, page


def thread_list(session: Session, viewer: User | None = None, *, agency=None, topic=None, author=None,
                sort: str = "aktivitas", page: int = 1, page_size: int = 20, clamp_page: bool = False) -> Page:
    """forum.listing.list_threads as rows with author and agency; topics come from with_topics().

    With `clamp_page`, a page past the end (an old link, a typed URL) shows the last page and says so."""
    count, select_page = _list_statements(  # an unknown sort raises ValidationFailed, as in list_threads
        lists_hidden_threads(viewer), sort, agency is not None, topic is not None, author is not None)
    params = {name: row.id for name, row in (("agency_id", agency), ("topic_id", topic), ("author_id", author))
              if row is not None}
    page_size = clamp_page_size(page_size)
    total = run(session, count, **params).scalar() or 0
    asked = None
    if clamp_page:
        page, asked = last_page_if_past(page, page_size, total)
    rows = run(session, select_page, limit=page_size, offset=(page - 1) * page_size, **params)
    items = [_thread_row(r, author=_author(r[3], r, _N + 3)) for r in rows]
    return Page(items=items, total=total, page=page, page_size=page_size, asked_page=asked)


def with_topics(session: Session, rows: list[ThreadRow]) -> list[ThreadRow]:
    """The same rows with their topics (by name) filled in, in one query."""
    if not rows:
        return rows
    by_thread: dict[int, list[TopicRef]] = {}
    for thread_id, *topic in run(session, _TOPICS, ids=[r.id for r in rows]):
        by_thread.setdefault(thread_id, []).append(TopicRef(*topic))
    return [replace(r, topics=tuple(by_thread.get(r.id, ()))) for r in rows]


def catalog_lists(session: Session) -> tuple[list[AgencyRef], list[TopicRef]]:
    """Agencies (central government first, then by name) and topics (by name) for the filter menus."""
    order = {level: i for i, level in enumerate(AGENCY_LEVELS)}
    agencies = sorted(run(session, _AGENCIES), key=lambda r: (order.get(r[0], 9), r[3]))
    return [AgencyRef(*r[1:]) for r in agencies], [TopicRef(*r) for r in run(session, _ALL_TOPICS)]


def catalog_version(session: Session) -> tuple:
    """Counts and highest ids of agencies and topics: changes whenever the catalog grows (nothing renames)."""
    return tuple(run(session, _CATALOG_VERSION).one())
