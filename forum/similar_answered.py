"""When a thread gets its accepted answer, tell the askers of similar threads still waiting for one.

A question asked twice often means two askers waiting on two threads; the first answer should reach both.
Only threads that list the newly answered one among their top "Diskusi serupa" are told (the related list
is generous further down), never a thread whose asker said their question is different, and each asker
hears about a given answered thread once.
"""
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from forum.asker_verdicts import DIFFERENT
from forum.duplicates import related_threads
from forum.notifications import notify
from forum.permissions import can_view_thread
from forum.thread_pages import post_url
from models import DuplicateLink, Notification, Post, Thread, User

TOP_RELATED = 3  # the newly answered thread must be among the waiting thread's first three related threads
KIND = "similar_answered"


def tell_waiting_askers(session: Session, *, thread: Thread, answer: Post, actor: User) -> list[Notification]:
    """Notify the askers of unanswered similar threads that `thread` now has an accepted answer."""
    links = session.scalars(select(DuplicateLink).where(
        or_(DuplicateLink.thread_id == thread.id, DuplicateLink.other_thread_id == thread.id),
        DuplicateLink.status.in_(("candidate", "variant")))).all()
    sent = []
    for link in links:
        waiting = session.get(Thread, link.other_thread_id if link.thread_id == thread.id else link.thread_id)
        if not _is_waiting(waiting) or not can_view_thread(waiting.author, thread):
            continue
        if link.thread_id == waiting.id and link.asker_verdict == DIFFERENT:
            continue  # its asker already said the answered thread is a different question
        if thread.id not in [r.thread.id for r in related_threads(session, waiting.author, waiting, TOP_RELATED)]:
            continue
        if session.scalar(select(Notification.id).where(
                Notification.user_id == waiting.author_id, Notification.kind == KIND,
                Notification.thread_id == thread.id).limit(1)) is not None:
            continue  # told once per answered thread, whichever answer is accepted later
        note = notify(session, waiting.author_id, KIND,
                      f"Diskusi serupa “{thread.title}” kini punya jawaban terpilih. Apakah menjawab pertanyaan "
                      f"Anda “{waiting.title}”?", post_url(session, thread, answer.id), actor_id=actor.id,
                      thread_id=thread.id, post_id=answer.id)
        if note is not None:
            sent.append(note)
    return sent


def _is_waiting(thread: Thread | None) -> bool:
    """A thread still waiting for an answer: shown, not merged away, no accepted answer yet."""
    return thread is not None and not thread.is_hidden and thread.merged_into_id is None and \
        thread.accepted_post_id is None
