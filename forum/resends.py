"""A form sent twice (a double click, a reload after posting, a client retrying) makes one post, not two."""
from datetime import datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from models import Post, Thread, User

# Long enough for a reload or a retry after a slow answer; short enough that saying the same thing again
# later, on purpose, is still possible.
RESEND_WINDOW = timedelta(minutes=2)
LOCK_SPACE = 4242  # first key of the advisory lock: this module's, the member's id is the second


def _one_send_at_a_time(session: Session, author: User) -> None:
    """Make a member's sends wait for each other until commit, so that two identical ones sent at the same
    moment see each other. SQLite's writing transactions (BEGIN IMMEDIATE) already queue; PostgreSQL's read
    committed ones would both find nothing and both insert, hence a transaction-scoped advisory lock there."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:space, :member)"), {"space": LOCK_SPACE, "member": author.id})


def resent_reply(session: Session, author: User, thread: Thread, body_md: str, reply_to_id: int | None,
                 now: datetime) -> Post | None:
    """The author's reply in this thread with the same text and parent sent moments ago, if any."""
    _one_send_at_a_time(session, author)
    return session.scalar(
        select(Post).where(Post.thread_id == thread.id, Post.author_id == author.id, Post.body_md == body_md,
                           Post.reply_to_id.is_(None) if reply_to_id is None else Post.reply_to_id == reply_to_id,
                           Post.is_deleted.is_(False), Post.created_at >= now - RESEND_WINDOW)
        .order_by(Post.id.desc()).limit(1))


def resent_thread(session: Session, author: User, title: str, body_md: str, now: datetime) -> Thread | None:
    """The author's thread with the same title and question opened moments ago (and still open), if any."""
    _one_send_at_a_time(session, author)
    return session.scalar(
        select(Thread).join(Post, Post.id == Thread.first_post_id)
        .where(Thread.author_id == author.id, Thread.title == title, Post.body_md == body_md,
               Thread.merged_into_id.is_(None), Thread.is_hidden.is_(False), Post.is_deleted.is_(False),
               Thread.created_at >= now - RESEND_WINDOW)
        .order_by(Thread.id.desc()).limit(1))
