"""What the forum learns about its own success: questions a suggestion answered before they were asked, and
searches that found nothing."""
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class AnsweredBeforeAsking(Base):
    """A member writing a new question said an earlier thread the composer suggested answers it.

    One row per (member, earlier thread); `question` is the title they had typed, so moderators see which
    wordings the search already serves and the pairs can later be used as labelled query → thread data.
    """
    __tablename__ = "answered_before_asking"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"), index=True)
    question: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("user_id", "thread_id", name="uq_answered_before_asking_member_thread"),
                      Index("ix_answered_before_asking_created", "created_at"))


class SearchLogEntry(Base):
    """One search typed on /cari (first page only): the normalised query and how many threads it found.

    Moderators see which questions the forum cannot answer yet and which searches ended in a new thread;
    `user_id` only links a search to the thread its member posted next and is never shown.
    """
    __tablename__ = "search_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    query: Mapped[str] = mapped_column(String(200))
    results: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)

    # A member's searches by time: their latest search before a thread, and the hourly logging cap.
    __table_args__ = (Index("ix_search_log_user_created", "user_id", "created_at"),)
