"""Thread lists: filters by agency and topic, three sorts, pagination."""
import math
from dataclasses import dataclass

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from forum.errors import ValidationFailed
from forum.permissions import lists_hidden_threads
from models import Agency, Post, Thread, Topic, User, Watch, thread_topics

SORTS = {"aktivitas": "Aktivitas terakhir", "terbaru": "Terbaru", "belum-terjawab": "Belum terjawab"}
MAX_PAGE_SIZE = 100


@dataclass
class Page:
    items: list
    total: int
    page: int
    page_size: int
    asked_page: int | None = None  # a page past the end that was asked for (the last one is shown instead)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))


def visibility_clauses(staff: bool) -> list:
    """WHERE clauses for listable threads: never merged-away ones; hidden ones only for staff."""
    clauses = [Thread.merged_into_id.is_(None)]
    if not staff:
        clauses.append(Thread.is_hidden.is_(False))
    return clauses


def unlisted_threads_query(staff: bool):
    """Ids of the threads visibility_clauses leaves out: few, and each part is read from its own index."""
    # One query per index: given "merged OR hidden", SQLite (no statistics) scans a whole index (5 ms at 100k
    # threads instead of 0.2).
    merged = select(Thread.id).where(Thread.merged_into_id.is_not(None))
    return merged if staff else merged.union_all(select(Thread.id).where(Thread.is_hidden.is_(True)))


def visible_threads_query(viewer: User | None):
    """Threads a viewer may list: never merged-away ones; hidden ones only for staff."""
    return select(Thread).where(*visibility_clauses(lists_hidden_threads(viewer)))


def listing_clauses(*, staff: bool, sort: str, agency_id=None, topic_id=None, author_id=None) -> list:
    """WHERE clauses of one thread list. Ids may be values or bindparam()s: the read model
    (forum.read_model) builds its statements once and binds the ids per request."""
    if sort not in SORTS:
        raise ValidationFailed("Urutan tidak dikenal. Pilih: " + ", ".join(SORTS) + ".", field="sort")
    clauses = visibility_clauses(staff)
    if agency_id is not None:
        clauses.append(Thread.agency_id == agency_id)
    if topic_id is not None:
        clauses.append(exists().where(thread_topics.c.thread_id == Thread.id, thread_topics.c.topic_id == topic_id))
    if author_id is not None:
        clauses.append(Thread.author_id == author_id)
    if sort == "belum-terjawab":
        clauses.append(Thread.accepted_post_id.is_(None))
    return clauses


def listing_filter(viewer: User | None, *, agency: Agency | None = None, topic: Topic | None = None,
                   author: User | None = None, sort: str = "aktivitas") -> list:
    """WHERE clauses of one thread list for a viewer (see listing_clauses)."""
    return listing_clauses(staff=lists_hidden_threads(viewer), sort=sort, agency_id=agency.id if agency is not None else None,
                           topic_id=topic.id if topic is not None else None,
                           author_id=author.id if author is not None else None)


def listing_order(sort: str) -> tuple:
    """ORDER BY of a sort; activity and newest follow the listing indexes, so their first page needs no sort."""
    if sort == "terbaru":
        return (Thread.created_at.desc(), Thread.id.desc())
    if sort == "belum-terjawab":
        return (Thread.reply_count.asc(), Thread.created_at.desc(), Thread.id.desc())
    return (Thread.is_pinned.desc(), Thread.last_activity_at.desc(), Thread.id.desc())


def clamp_page_size(page_size: object) -> int:
    """Between 1 and MAX_PAGE_SIZE."""
    return min(max(int(page_size), 1), MAX_PAGE_SIZE)


def last_page_if_past(page: int, page_size: int, total: int) -> tuple[int, int | None]:
    """(the page to show, the page asked for when it was past the end of `total` items, else None): an old
    link or a typed URL past the end shows the last page and says so, instead of an empty list."""
    last = -(-total // page_size)
    return (last, page) if total and page > last else (page, None)


def count_threads(session: Session, clauses: list) -> int:
    """How many threads match the WHERE clauses (count(*): SQLite counts index entries twice as fast as ids)."""
    return session.scalar(select(func.count()).select_from(Thread).where(*clauses)) or 0


def parse_page(value: object, default: int = 1) -> int:
    """Page number from a query string; bad values fall back to 1 rather than erroring."""
    try:
        page = int(value) if value not in (None, "") else default
    except (TypeError, ValueError):
        return default
    return min(max(page, 1), 10_000)


def list_threads(session: Session, viewer: User | None = None, *, agency: Agency | None = None,
                 topic: Topic | None = None, author: User | None = None, sort: str = "aktivitas",
                 page: int = 1, page_size: int = 20, clamp_page: bool = False, followed_by: User | None = None) -> Page:
    """One page of threads matching the filters, pinned first for the activity sort (with `clamp_page`, a
    page past the end shows the last one and says so); `followed_by`: only the threads that member follows."""
    clauses = listing_filter(viewer, agency=agency, topic=topic, author=author, sort=sort)
    if followed_by is not None:
        clauses.append(exists().where(Watch.thread_id == Thread.id, Watch.user_id == followed_by.id))
    page_size = clamp_page_size(page_size)
    total = count_threads(session, clauses)
    asked = None
    if clamp_page:
        page, asked = last_page_if_past(page, page_size, total)
    # Joined many-to-one loads ride the listing index (no whole-table sort); topics need a second query.
    q = select(Thread).where(*clauses).options(joinedload(Thread.author).joinedload(User.agency),
                                               joinedload(Thread.agency), selectinload(Thread.topics))
    # A member's followed threads are theirs, not the forum's front page: pins do not jump the queue there.
    order = (Thread.last_activity_at.desc(), Thread.id.desc()) if followed_by is not None and sort == "aktivitas" \
        else listing_order(sort)
    items = list(session.scalars(q.order_by(*order).limit(page_size).offset((page - 1) * page_size)))
    return Page(items=items, total=total, page=page, page_size=page_size, asked_page=asked)


def list_user_replies(session: Session, viewer: User | None, user: User, limit: int = 30) -> list[Post]:
    """The member's latest replies in threads the viewer may see."""
    q = (select(Post).join(Thread, Thread.id == Post.thread_id)
         .where(Post.author_id == user.id, Post.is_deleted.is_(False), Post.is_hidden.is_(False),
                Post.id != Thread.first_post_id, Thread.merged_into_id.is_(None)))
    if not lists_hidden_threads(viewer):
        q = q.where(Thread.is_hidden.is_(False))
    return list(session.scalars(q.order_by(Post.created_at.desc()).limit(limit)))
