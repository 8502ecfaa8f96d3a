"""Thread lists: filters by agency and topic, three sorts, pagination."""
import math
from dataclasses import dataclass

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from forum.errors import ValidationFailed
from forum.permissions import is_staff
from models import Agency, Post, Thread, Topic, User, thread_topics

SORTS = {"aktivitas": "Aktivitas terakhir", "terbaru": "Terbaru", "belum-terjawab": "Belum terjawab"}
MAX_PAGE_SIZE = 100


@dataclass
class Page:
    items: list
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))


def visible_threads_query(viewer: User | None):
    """Threads a viewer may list: never merged-away ones; hidden ones only for staff."""
    q = select(Thread).where(Thread.merged_into_id.is_(None))
    if not is_staff(viewer):
        q = q.where(Thread.is_hidden.is_(False))
    return q


def parse_page(value: object, default: int = 1) -> int:
    """Page number from a query string; bad values fall back to 1 rather than erroring."""
    try:
        page = int(value) if value not in (None, "") else default
    except (TypeError, ValueError):
        return default
    return min(max(page, 1), 10_000)


def list_threads(session: Session, viewer: User | None = None, *, agency: Agency | None = None,
                 topic: Topic | None = None, author: User | None = None, sort: str = "aktivitas",
                 page: int = 1, page_size: int = 20) -> Page:
    """One page of threads matching the filters, pinned first for the activity sort."""
    if sort not in SORTS:
        raise ValidationFailed("Urutan tidak dikenal. Pilih: " + ", ".join(SORTS) + ".", field="sort")
    page_size = min(max(int(page_size), 1), MAX_PAGE_SIZE)
    q = visible_threads_query(viewer)
    if agency is not None:
        q = q.where(Thread.agency_id == agency.id)
    if topic is not None:
        q = q.where(exists().where(thread_topics.c.thread_id == Thread.id, thread_topics.c.topic_id == topic.id))
    if author is not None:
        q = q.where(Thread.author_id == author.id)
    if sort == "belum-terjawab":
        q = q.where(Thread.accepted_post_id.is_(None))
    total = session.scalar(q.with_only_columns(func.count(Thread.id)).order_by(None)) or 0
    if sort == "terbaru":
        order = (Thread.created_at.desc(), Thread.id.desc())
    elif sort == "belum-terjawab":
        order = (Thread.reply_count.asc(), Thread.created_at.desc(), Thread.id.desc())
    else:
        order = (Thread.is_pinned.desc(), Thread.last_activity_at.desc(), Thread.id.desc())
    # Joined many-to-one loads ride the listing index (no whole-table sort); topics need a second query.
    q = q.options(joinedload(Thread.author).joinedload(User.agency), joinedload(Thread.agency),
                  selectinload(Thread.topics))
    items = list(session.scalars(q.order_by(*order).limit(page_size).offset((page - 1) * page_size)))
    return Page(items=items, total=total, page=page, page_size=page_size)


def list_user_replies(session: Session, viewer: User | None, user: User, limit: int = 30) -> list[Post]:
    """The member's latest replies in threads the viewer may see."""
    q = (select(Post).join(Thread, Thread.id == Post.thread_id)
         .where(Post.author_id == user.id, Post.is_deleted.is_(False), Post.is_hidden.is_(False),
                Post.id != Thread.first_post_id, Thread.merged_into_id.is_(None)))
    if not is_staff(viewer):
        q = q.where(Thread.is_hidden.is_(False))
    return list(session.scalars(q.order_by(Post.created_at.desc()).limit(limit)))
