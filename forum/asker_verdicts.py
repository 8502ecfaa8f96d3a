"""The asker's word on a suggested duplicate: "this earlier thread answers my question" or "mine is different".

Stack Overflow asks the asker before closing a question as a duplicate; here the asker's "answered" puts a
confirmed banner on the thread page for every reader and moves the pair to the top of the moderators' queue
(moderators still decide the merge), and either verdict becomes a labelled forum pair for retraining the
judge. The judge alone banners few real duplicates (it must stay precise); the asker knows for sure.
"""
from sqlalchemy import select
from sqlalchemy.orm import Session

from forum.errors import NotFound, ValidationFailed
from forum.notifications import notify
from forum.permissions import can_give_asker_verdict, can_view_thread, check, check_logged_in
from forum.read_model import valid_id
from forum.threads import thread_url
from models import DuplicateLink, Notification, Post, Thread, User, utcnow

ANSWERED, DIFFERENT = "answered", "different"
VERDICT_WORDS = {"terjawab": ANSWERED, "berbeda": DIFFERENT, "batal": None}  # the form's values; batal withdraws


def link_to_earlier(session: Session, thread_id: int, other_id: int) -> DuplicateLink | None:
    """The link from this (newer) thread to an earlier one it may duplicate. Only that direction: the asker
    of the earlier thread has nothing to say about whether a later question is answered there."""
    return session.scalar(select(DuplicateLink).where(DuplicateLink.thread_id == thread_id,
                                                      DuplicateLink.other_thread_id == other_id))


def give_asker_verdict(session: Session, *, actor: User | None, thread: Thread, other_id: object,
                       verdict: object) -> DuplicateLink:
    """Record (or with "batal" withdraw) the asker's verdict on the link from their thread to an earlier one."""
    actor = check_logged_in(actor)
    check(can_give_asker_verdict(actor, thread), "Hanya penanya diskusi ini yang dapat menilai diskusi serupa.")
    word = str(verdict or "").strip().lower()
    if word not in VERDICT_WORDS:
        raise ValidationFailed("Pilih “terjawab”, “berbeda” atau “batal”.", field="penilaian")
    value = VERDICT_WORDS[word]
    other = session.get(Thread, other_id) if valid_id(other_id) else None
    if other is None or other.merged_into_id or not can_view_thread(actor, other):
        raise NotFound("Diskusi serupa itu tidak ditemukan.")
    link = link_to_earlier(session, thread.id, other.id)
    if link is None:
        raise NotFound("Diskusi itu tidak tercatat sebagai serupa dengan diskusi Anda.")
    if link.status != "candidate":
        raise ValidationFailed("Moderator sudah memutuskan pasangan diskusi ini.", field="penilaian")
    link.asker_verdict, link.asker_verdict_at = value, utcnow() if value else None
    if value == ANSWERED:
        _thank_the_answerer(session, actor, thread, other)
    session.flush()
    return link


def earlier_answer_credit(session: Session, other: Thread) -> tuple[int | None, int | None, str]:
    """Who is thanked when an earlier thread answers a new question: the author of its accepted answer if that
    answer is shown (with the post id), else the earlier thread's asker; and the words for what helped."""
    answer = session.get(Post, other.accepted_post_id) if other.accepted_post_id else None
    if answer is not None and not (answer.is_deleted or answer.is_hidden):
        return answer.author_id, answer.id, "Jawaban Anda"
    return other.author_id, None, "Diskusi Anda"


def _thank_the_answerer(session: Session, actor: User, thread: Thread, other: Thread) -> None:
    """Tell the earlier answer's author that it answered a new question too; once per new thread, however
    often the verdict is withdrawn and given again."""
    user_id, post_id, what = earlier_answer_credit(session, other)
    if user_id is None or session.scalar(select(Notification.id).where(
            Notification.user_id == user_id, Notification.kind == "answer_helped",
            Notification.thread_id == thread.id).limit(1)) is not None:
        return
    notify(session, user_id, "answer_helped",
           f"{what} di “{other.title}” juga menjawab pertanyaan {actor.display_name}: “{thread.title}”",
           thread_url(thread), actor_id=actor.id, thread_id=thread.id, post_id=post_id)


def confirmed_answer_link(links: list):
    """Of a thread's links to earlier threads, the one its asker said answers the question (newest), if any."""
    confirmed = [link for link in links if link.status == "candidate" and link.asker_verdict == ANSWERED]
    return max(confirmed, key=lambda link: link.asker_verdict_at, default=None)
