"""An asker takes back a question nobody else has answered: the thread leaves lists and search as a moderator's
hide does, and the moderation log names the asker, so a moderator can still read it and show it again."""
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from forum.errors import NotFound, PermissionDenied, ValidationFailed
from forum.moderation import claim, reindex_thread
from forum.moderation_log import log_action
from forum.permissions import check, check_logged_in
from forum.read_model import valid_id
from forum.threads import get_thread
from models import AnsweredBeforeAsking, DuplicateLink, ModerationLog, Post, Thread, User


def withdrawal_blocker(session: Session, thread: Thread) -> ValidationFailed | PermissionDenied | None:
    """Why the asker may not delete this question now (the refusal to raise, with its reason); None when they may."""
    if thread.merged_into_id or session.scalar(select(exists().where(Post.thread_id == thread.id,
                                                                     Post.merged_from_thread_id.is_not(None)))):
        return PermissionDenied("Diskusi ini sudah digabungkan moderator, jadi pertanyaannya tidak dapat dihapus lagi.")
    if thread.is_locked or thread.is_pinned:
        done = "dikunci" if thread.is_locked else "disematkan"
        return PermissionDenied(f"Diskusi ini {done} moderator, jadi pertanyaannya tidak dapat dihapus lagi.")
    # Another member's words (a reply not deleted, not hidden) would lose what they answer.
    if session.scalar(select(exists().where(
            Post.thread_id == thread.id, Post.id != thread.first_post_id, Post.author_id != thread.author_id,
            Post.is_deleted.is_(False), Post.is_hidden.is_(False)))):
        return ValidationFailed("Pertanyaan yang sudah dibalas anggota lain tidak dapat dihapus: balasan mereka akan "
                                "kehilangan konteks. Sunting isinya, atau minta moderator menyembunyikan diskusi ini.")
    # Another member said this thread answers their own question (the banner's "sudah terjawab di sana", or the
    # composer's "Ya, ini menjawab"): deleting it would take their answer away without a word.
    if session.scalar(select(exists().where(DuplicateLink.other_thread_id == thread.id,
                                            DuplicateLink.asker_verdict == "answered"))) or session.scalar(
            select(exists().where(AnsweredBeforeAsking.thread_id == thread.id,
                                  AnsweredBeforeAsking.user_id != thread.author_id))):
        return ValidationFailed("Anggota lain sudah menandai diskusi ini sebagai jawaban pertanyaan mereka, jadi "
                                "pertanyaannya tidak dapat dihapus. Sunting isinya, atau minta moderator.")
    return None


def can_withdraw_question(session: Session, user: User | None, thread: Thread) -> bool:
    """The asker, while no other member has replied or relies on it, and no moderator has locked, pinned or merged it."""
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


def own_question_to_withdraw(session: Session, thread_id: object, user: User) -> Thread | None:
    """The thread to delete, or None when `user` deleted it already as its asker (a second click: it is hidden from
    them now, so looking it up as usual would answer "not found"); NotFound for any other missing thread."""
    try:
        return get_thread(session, thread_id, user)
    except NotFound:
        if _withdrawn_by(session, thread_id, user) is None:
            raise
        return None


def _withdrawn_by(session: Session, thread_id: object, user: User) -> Thread | None:
    """The thread if `user` deleted it as its asker and it is still hidden, else None."""
    thread = session.get(Thread, thread_id) if valid_id(thread_id) else None
    if thread is None or not thread.is_hidden or thread.author_id != user.id:
        return None
    last = session.scalar(select(ModerationLog.action).where(
        ModerationLog.thread_id == thread.id, ModerationLog.action.in_(("withdraw", "hide", "unhide")))
        .order_by(ModerationLog.id.desc()).limit(1))
    return thread if last == "withdraw" else None
