"""Threads, their posts (a reply tree), post revisions and watchers."""
from datetime import datetime

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow
from models.catalog import Agency, Topic
from models.accounts import User

thread_topics = Table(
    "thread_topics",
    Base.metadata,
    Column("thread_id", ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_id", ForeignKey("topics.id"), primary_key=True, index=True),
)


class ThreadState:
    """Status words derived from a thread's flags; shared by the ORM entity and the pages' read-model rows."""
    __slots__ = ()

    @property
    def status(self) -> str:
        if self.merged_into_id:
            return "merged"
        if self.is_hidden:
            return "hidden"
        return "locked" if self.is_locked else "open"

    @property
    def is_answered(self) -> bool:
        return self.accepted_post_id is not None


class Thread(ThreadState, Base):
    __tablename__ = "threads"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(120))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    # Locked and hidden are independent flags so unhiding restores the lock state as it was.
    is_locked: Mapped[bool] = mapped_column(Boolean, default=False)
    is_hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    is_pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    # A merged-away thread keeps its row (and slug) so its URL can redirect forever.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id"), index=True)
    first_post_id: Mapped[int | None] = mapped_column(
        ForeignKey("posts.id", use_alter=True, name="fk_threads_first_post_id_posts")
    )
    accepted_post_id: Mapped[int | None] = mapped_column(
        ForeignKey("posts.id", use_alter=True, name="fk_threads_accepted_post_id_posts")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    last_activity_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    reply_count: Mapped[int] = mapped_column(Integer, default=0)
    # Bumped on every change so concurrent moderators detect a lost race.
    version: Mapped[int] = mapped_column(Integer, default=1)

    # selectin, not joined: a joined eager load defeats the listing indexes (SQLite sorts the whole join).
    author: Mapped[User] = relationship(lazy="selectin", foreign_keys=[author_id])
    agency: Mapped[Agency] = relationship(lazy="selectin")
    topics: Mapped[list[Topic]] = relationship(secondary=thread_topics, lazy="selectin", order_by=Topic.name)

    __table_args__ = (
        # Equality on visibility, then the exact order of the two main sorts: the first page needs no sort.
        Index("ix_threads_listing", "is_hidden", "merged_into_id", "is_pinned", "last_activity_at"),
        Index("ix_threads_listing_new", "is_hidden", "merged_into_id", "created_at"),
    )



class Post(Base):
    __tablename__ = "posts"
    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id"))
    body_md: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    body_text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(DateTime)
    is_deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    # Who deleted it and when: the author may restore only what they deleted themselves, not a moderator's removal.
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime)
    is_hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set on a post that came in through a merge: the thread it came from (kept for undo and display).
    merged_from_thread_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id"))

    author: Mapped[User] = relationship(lazy="joined", foreign_keys=[author_id])
    thread: Mapped[Thread] = relationship(foreign_keys=[thread_id])

    __table_args__ = (Index("ix_posts_thread_created", "thread_id", "created_at"),)


class PostRevision(Base):
    """The body of a post before an edit; the newest body lives on the post itself."""
    __tablename__ = "post_revisions"
    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    editor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body_md: Mapped[str] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(String(200))  # the thread's title before the edit (first posts)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    editor: Mapped[User] = relationship(lazy="joined")


class Watch(Base):
    """A member follows a thread and is notified of its replies."""
    __tablename__ = "watches"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
