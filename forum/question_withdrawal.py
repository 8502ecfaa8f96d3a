"""An asker takes back a question nobody else has answered: the thread leaves lists and search as a moderator's
hide does, and the moderation log names the asker, so a moderator can still read it and show it again."""
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from forum.errors import PermissionDenied, ValidationFailed
from forum.moderation import claim, reindex_thread
from forum.moderation_log import log_action
from forum.permissions import check, check_logged_in
from models import Post, Thread, User


def withdrawal_blocker(session: Session, thread: Thread) -> ValidationFailed | PermissionDenied | None:
    """Why the asker may not delete this question now (the refusal to raise, with its reason); None when they may."""
    if thread.merged_into_id or session.scalar(select(exists().where(Post.thread_id == thread.id,
                                                                     Post.merged_from_thread_id.is_not(None)))):
        return PermissionDenied("Diskusi ini sudah digabungkan moderator, jadi pertanyaannya tidak dapat dihapus lagi.")
    if thread.is_locked:
        return PermissionDenied("Diskusi ini dikunci moderator, jadi pertanyaannya tidak dapat dihapus lagi.")
    # Another member's words (a reply not deleted, not hidden) would lose what they answer.
    answered = session.scalar(select(exists().where(
        Post.thread_id == thread.id, Post.id != thread.first_post_id, Post.author_id != thread.author_id,
        Post.is_deleted.is_(False), Post.is_hidden.is_(False))))
    if answered:
        return ValidationFailed("Pertanyaan yang sudah dibalas anggota lain tidak dapat dihapus: balasan mereka akan "
                                "kehilangan konteks. Sunting isinya, atau minta moderator menyembunyikan diskusi ini.")
    return None


def can_withdraw_question(session: Session, user: User | None, thread: Thread) -> bool:
    """The asker, while nobody else has replied and no moderator has locked or merged the thread."""
    return (user is not None and user.is_active and user.id == thread.author_id and not thread.is_hidden
            and withdrawal_blocker(session, thread) is None)


def withdraw_question(session: Session, *, thread: Thread, actor: User | None) -> Thread:
    """Delete the asker's own unanswered question: the whole thread is hidden and leaves search."""
    actor = check_logged_in(actor)
    check(actor.id == thread.author_id, "Hanya penanya yang dapat menghapus pertanyaannya.")
    if thread.is_hidden:
        return thread  # a second click
    blocker = withdrawal_blocker(session, thread)
    if blocker:
        raise blocker
    claim(session, thread)
    thread.is_hidden = True
    reindex_thread(session, thread)
    log_action(session, actor, "withdraw", thread=thread)
    session.flush()
    return thread
