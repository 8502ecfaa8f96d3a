"""“Ya, ini menjawab pertanyaan saya” on a composer suggestion: a question the forum did not need asked twice.

The composer shows earlier threads like the question being written; when the member says one answers it,
that is the product doing its job. It is recorded (the forum's own success measure, shown to moderators),
and whoever wrote the earlier answer hears that it helped someone before they even had to ask.
"""
from sqlalchemy import select
from sqlalchemy.orm import Session

from forum.asker_verdicts import earlier_answer_credit
from forum.errors import NotFound
from forum.notifications import notify
from forum.permissions import can_view_thread, check_logged_in
from forum.read_model import valid_id
from forum.text import redact_personal_data
from forum.thread_pages import post_url
from forum.threads import resolve_merged
from models import AnsweredBeforeAsking, Post, Thread, User
from models.db import insert_or_skip

QUESTION_CHARS = 300


def mark_answered_before_asking(session: Session, *, actor: User | None, thread: Thread,
                                question: object = "", shown_answer: object = None) -> AnsweredBeforeAsking:
    """Record that `thread` answers the question `actor` was writing (once per member and thread).

    `shown_answer` is the post id the suggestion showed as the answer: its author is the one thanked."""
    actor = check_logged_in(actor)
    if not can_view_thread(actor, thread):
        raise NotFound("Diskusi tidak ditemukan.")
    thread = resolve_merged(session, thread, actor)  # the thread that holds the answer now gets the credit
    typed = redact_personal_data(" ".join(str(question or "").replace("\x00", " ").split()))[:QUESTION_CHARS]
    # ON CONFLICT DO NOTHING: a double click (or two tabs) must not become a unique-key 500.
    # RETURNING rather than rowcount: the ORM's insert path reports -1 rows on PostgreSQL.
    inserted = session.scalar(insert_or_skip(AnsweredBeforeAsking, session.get_bind().dialect.name).values(
        user_id=actor.id, thread_id=thread.id, question=typed).returning(AnsweredBeforeAsking.id))
    row = session.scalar(select(AnsweredBeforeAsking).where(AnsweredBeforeAsking.user_id == actor.id,
                                                            AnsweredBeforeAsking.thread_id == thread.id))
    if inserted is not None:
        user_id, post_id, what = _credit(session, thread, shown_answer)
        if user_id is not None:
            notify(session, user_id, "answer_helped",
                   f"{what} di “{thread.title}” menjawab pertanyaan {actor.display_name} sebelum ia perlu bertanya.",
                   post_url(session, thread, post_id), actor_id=actor.id, thread_id=thread.id, post_id=post_id)
    elif typed and row.question != typed:
        row.question = typed  # the latest wording the member typed before saying so
    session.flush()
    return row


def _credit(session: Session, thread: Thread, shown_answer: object) -> tuple[int | None, int | None, str]:
    """Who is thanked: the author of the reply the suggestion showed (an unanswered thread shows its matching or
    first reply, whose author answered, not the asker), else as for an asker's verdict."""
    post = session.get(Post, shown_answer) if valid_id(shown_answer) else None
    if (post is not None and post.thread_id == thread.id and post.id != thread.first_post_id
            and not (post.is_deleted or post.is_hidden)):
        return post.author_id, post.id, "Jawaban Anda"
    return earlier_answer_credit(session, thread)

