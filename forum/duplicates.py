"""Duplicate questions as members see them: "Diskusi serupa", the answer banner, and the pairs labelled so far."""
from dataclasses import dataclass

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session

from forum import read_model
from forum.asker_verdicts import ANSWERED, DIFFERENT, confirmed_answer_link
from forum.duplicate_detection import DECIDED, load_judge, question_text
from forum.listing import visible_threads_query
from forum.snippets import excerpt
from models import DuplicateLink, Post, Thread, User, utcnow

FRESH_SECONDS = 60  # a member's page of a thread this new asks again for its similar threads until found


@dataclass
class Related:
    thread: "Thread | read_model.ThreadRow"  # ORM for the API, a light row on the thread page
    similarity: float
    judge_score: float
    answer_excerpt: str = ""
    variant: bool = False  # a moderator said: related, same subject, not the same question
    confirmed: bool = False  # the asker said this earlier thread answers their question
    askable: bool = False  # an open link from this thread to an earlier one: its asker may give a verdict
    verdict: str | None = None  # the asker's verdict so far ("answered" / "different")


# Built once (see forum.read_model): plain columns, so no DuplicateLink entity drags in both threads
# through its joined relationships.
_LINKS = select(DuplicateLink.thread_id, DuplicateLink.other_thread_id, DuplicateLink.status,
                DuplicateLink.similarity, DuplicateLink.judge_score, DuplicateLink.asker_verdict,
                DuplicateLink.asker_verdict_at).where(
    or_(DuplicateLink.thread_id == bindparam("thread_id"), DuplicateLink.other_thread_id == bindparam("thread_id")),
    # Two equalities, not IN (...): an IN list is re-expanded into the SQL on every execution.
    or_(DuplicateLink.status == "candidate", DuplicateLink.status == "variant"))
_ANSWER = select(Post.body_text, Post.is_hidden, Post.is_deleted).where(Post.id == bindparam("post_id"))


def _answer_excerpt(session: Session, thread: "Thread | read_model.ThreadRow") -> str:
    """The start of the thread's accepted answer, unless that post is hidden or deleted."""
    if not thread.accepted_post_id:
        return ""
    row = read_model.run(session, _ANSWER, post_id=thread.accepted_post_id).first()
    return excerpt(row.body_text) if row is not None and not row.is_hidden and not row.is_deleted else ""


def _links(session: Session, thread_id: int) -> list:
    """Open (candidate or variant) links touching the thread either way round, as plain rows."""
    return read_model.run(session, _LINKS, thread_id=thread_id).all()


def _other(link, thread_id: int) -> int:
    return link.other_thread_id if link.thread_id == thread_id else link.thread_id


def _related(links: list, thread_id: int, visible: dict, limit: int) -> list[Related]:
    other_ids = {_other(link, thread_id): link for link in links}
    out = []
    for i, link in other_ids.items():
        if i in visible:
            askable = link.thread_id == thread_id and link.status == "candidate"
            out.append(Related(visible[i], link.similarity, link.judge_score, variant=link.status == "variant",
                               confirmed=askable and link.asker_verdict == ANSWERED, askable=askable,
                               verdict=link.asker_verdict if askable else None))
    # The asker's confirmed answer first, then moderator-confirmed variants, then the judge's order.
    out.sort(key=lambda r: (not r.confirmed, not r.variant, r.verdict == DIFFERENT, -r.judge_score, -r.similarity))
    return out[:limit]


def _banner_links(links: list, thread_id: int, threshold: float) -> list:
    """Links from this thread to an earlier one for the banner: the one its asker confirmed, then candidates
    scoring at least `threshold` (strongest first) that the asker has not called a different question."""
    confirmed = confirmed_answer_link([link for link in links if link.thread_id == thread_id])
    judged = sorted((link for link in links if link.thread_id == thread_id and link.status == "candidate"
                     and link.asker_verdict is None and link.judge_score >= threshold),
                    key=lambda link: -link.judge_score)
    return ([confirmed] if confirmed is not None else []) + judged


def banner_threshold() -> float:
    """The judge score from which a candidate pair is shown to readers as a banner (moderators see which)."""
    return _threshold(load_judge())


def _threshold(judge) -> float:
    """The judge's banner threshold; without a judge no score reaches it (the asker's word still does)."""
    return judge.threshold if judge is not None else 2.0


def _banner(session: Session, links: list, visible: dict) -> Related | None:
    for link in links:
        other = visible.get(link.other_thread_id)
        if other is not None:
            confirmed = link.asker_verdict == ANSWERED
            return Related(other, link.similarity, link.judge_score, _answer_excerpt(session, other),
                           confirmed=confirmed, askable=True, verdict=link.asker_verdict)
    return None


def _visible_orm(session: Session, viewer: User | None, ids) -> dict[int, Thread]:
    ids = list(ids)
    if not ids:
        return {}
    return {t.id: t for t in session.scalars(visible_threads_query(viewer).where(Thread.id.in_(ids)))}


def related_threads(session: Session, viewer: User | None, thread: Thread, limit: int = 5) -> list[Related]:
    """"Diskusi serupa": linked threads either way round, moderator-confirmed variants first, then strongest."""
    links = _links(session, thread.id)
    return _related(links, thread.id, _visible_orm(session, viewer, {_other(link, thread.id) for link in links}), limit)


def duplicate_banner(session: Session, viewer: User | None, thread: Thread, judge=None) -> Related | None:
    """The earlier thread this one most likely duplicates (judge score above the shipped threshold), if any."""
    judge = judge or load_judge()
    links = _banner_links(_links(session, thread.id), thread.id, _threshold(judge))
    return _banner(session, links, _visible_orm(session, viewer, {link.other_thread_id for link in links}))


def thread_page_context(session: Session, viewer: User | None, thread: "Thread | read_model.ThreadRow") -> dict:
    """What the thread page shows from search: the related list and the duplicate banner, as read-model rows,
    and whether a member's page should keep asking for them (a thread just posted, not yet compared).

    One query for the links and, only when there are any, one for all the threads they point to.
    """
    links = _links(session, thread.id)
    judge = load_judge()
    banner_links = _banner_links(links, thread.id, _threshold(judge))
    visible = read_model.visible_threads(session, viewer, {_other(link, thread.id) for link in links})
    # Links are found after the new post is embedded (about a second): the asker lands on the page before.
    pending = viewer is not None and not links and (utcnow() - thread.created_at).total_seconds() < FRESH_SECONDS
    return {"related": _related(links, thread.id, visible, 5),
            "duplicate_banner": _banner(session, banner_links, visible), "similar_pending": pending}


def decided_pairs(session: Session) -> list[tuple[str, str, int]]:
    """Labelled pairs for retraining the judge: moderators' decisions (merged = 1, not duplicate / variant = 0)
    and, on pairs still open, the asker's verdict (answered = 1, different = 0)."""
    out = []
    decided = DuplicateLink.status.in_(DECIDED)
    asked = (DuplicateLink.status == "candidate") & DuplicateLink.asker_verdict.is_not(None)
    for link in session.scalars(select(DuplicateLink).where(decided | asked)):
        label = 1 if link.status == "merged" or (link.status == "candidate" and link.asker_verdict == ANSWERED) else 0
        out.append((question_text(session, link.thread), question_text(session, link.other_thread), label))
    return out


def record_decision(session: Session, link: DuplicateLink, status: str, actor: User) -> DuplicateLink:
    """Store a moderator's verdict on a candidate pair (moderation calls this or sets the same fields)."""
    if status not in ("candidate", *DECIDED):
        raise ValueError(status)
    link.status, link.decided_by_id, link.decided_at = status, actor.id, utcnow()
    return link
