"""The duplicate queue: candidate pairs from search, strongest first, and the moderators' decisions."""
from dataclasses import dataclass

from sqlalchemy import case, or_, select
from sqlalchemy.orm import Session

from forum.errors import NotFound, ValidationFailed
from forum.moderation import clean_reason
from forum.moderation_log import log_action
from forum.permissions import can_moderate, check_moderator
from models import DuplicateLink, Post, Thread, User, utcnow

# Labels for reason keys the search side may store in DuplicateLink.reasons; unknown keys are shown as is.
REASON_LABELS = {
    "shared_terms": "Kata kunci yang sama", "common_terms": "Kata kunci yang sama", "terms": "Kata kunci yang sama",
    "cosine": "Kemiripan makna", "similarity": "Kemiripan makna", "dense": "Kemiripan makna",
    "lexical": "Kemiripan kata", "bm25": "Kemiripan kata", "judge": "Skor penilai duplikat",
    "kata_kunci_sama": "Kata kunci yang sama", "skor_penilai": "Skor penilai duplikat",
    "kemiripan_makna": "Kemiripan makna", "same_answer": "Jawaban serupa", "topics": "Topik yang sama", "summary": "Ringkasan", "note": "Catatan",
}


@dataclass
class Candidate:
    link: DuplicateLink
    older: Thread
    newer: Thread
    older_first: Post | None
    newer_first: Post | None
    older_accepted: Post | None
    newer_accepted: Post | None
    reasons: list[str]

    @property
    def score(self) -> float:
        return max(self.link.judge_score or 0.0, self.link.similarity or 0.0)


def explain(reasons: object) -> list[str]:
    """'Why they look alike' as short Indonesian lines from whatever the search side stored."""
    if isinstance(reasons, str):
        return [reasons]
    if isinstance(reasons, list):
        return [str(r) for r in reasons][:10]
    lines = []
    for key, value in (reasons or {}).items() if isinstance(reasons, dict) else ():
        label = REASON_LABELS.get(key, key.replace("_", " "))
        if isinstance(value, float):
            value = f"{value:.2f}"
        elif isinstance(value, (list, tuple)):
            value = ", ".join(str(v) for v in value[:12])
        elif isinstance(value, dict):
            value = ", ".join(f"{k}: {v:.2f}" if isinstance(v, float) else f"{k}: {v}" for k, v in list(value.items())[:8])
        lines.append(f"{label}: {value}")
    return lines[:10]


# The related list may be generous; the queue only holds pairs the judge thinks at least even odds, so a
# moderator's time goes to likely duplicates (on the demo: 114 of 938 links, 46 of them true duplicates).
QUEUE_MIN_SCORE = 0.5
READ_BATCH = 200  # candidate links read at a time while filling a page of the queue


def list_candidates(session: Session, actor: User | None, limit: int = 50, skip: int = 0) -> list[Candidate]:
    """Open candidate pairs the moderator may act on (both threads in scope, neither merged away nor hidden), best
    first; `skip` leaves out that many of them (paging)."""
    actor = check_moderator(actor)
    out: list[Candidate] = []
    for link in _open_links(session):
        a, b = link.thread, link.other_thread
        # A hidden thread (by a moderator, or deleted by its asker) takes no merge either way (forum/merging.py):
        # its pairs would only stand first in the queue with nothing to do.
        if a.merged_into_id or b.merged_into_id or a.is_hidden or b.is_hidden \
                or not (can_moderate(actor, a) and can_moderate(actor, b)):
            continue
        if skip:
            skip -= 1
            continue
        out.append(_candidate(session, link))
        if len(out) >= limit:
            break
    return out


def _open_links(session: Session):
    """Queue-worthy candidate links in queue order, read a batch at a time.

    A scoped moderator's pairs may all lie behind other scopes' pairs: reading on until enough of theirs are
    found (not a fixed first few hundred rows) keeps their queue from looking empty on a large forum."""
    # Pairs whose asker said "answered there" come first, whatever the judge thought: the asker knows.
    answered = DuplicateLink.asker_verdict == "answered"
    query = (select(DuplicateLink).where(DuplicateLink.status == "candidate",
                                         or_(DuplicateLink.judge_score >= QUEUE_MIN_SCORE, answered))
             .order_by(case((answered, 0), else_=1), DuplicateLink.judge_score.desc(),
                       DuplicateLink.similarity.desc(), DuplicateLink.id))
    offset = 0
    while True:
        rows = list(session.scalars(query.limit(READ_BATCH).offset(offset)))
        yield from rows
        if len(rows) < READ_BATCH:
            return
        offset += READ_BATCH


def _candidate(session: Session, link: DuplicateLink) -> Candidate:
    a, b = link.thread, link.other_thread
    older, newer = (a, b) if (a.created_at, a.id) <= (b.created_at, b.id) else (b, a)
    return Candidate(link=link, older=older, newer=newer,
                     older_first=session.get(Post, older.first_post_id) if older.first_post_id else None,
                     newer_first=session.get(Post, newer.first_post_id) if newer.first_post_id else None,
                     older_accepted=session.get(Post, older.accepted_post_id) if older.accepted_post_id else None,
                     newer_accepted=session.get(Post, newer.accepted_post_id) if newer.accepted_post_id else None,
                     reasons=explain(link.reasons))


def get_link(session: Session, link_id: object, actor: User | None) -> DuplicateLink:
    """A duplicate link both of whose threads the moderator may moderate."""
    actor = check_moderator(actor)
    link = session.get(DuplicateLink, link_id) if isinstance(link_id, int) else None
    if link is None:
        raise NotFound("Pasangan duplikat tidak ditemukan.")
    check_moderator(actor, link.thread)
    check_moderator(actor, link.other_thread)
    return link


def _decide(session: Session, link: DuplicateLink, actor: User | None, status: str, reason: object) -> DuplicateLink:
    actor = check_moderator(actor, link.thread)
    check_moderator(actor, link.other_thread)
    if link.status != "candidate":
        raise ValidationFailed("Pasangan ini sudah diputuskan sebelumnya.")
    link.status, link.decided_by_id, link.decided_at = status, actor.id, utcnow()
    log_action(session, actor, status, thread=link.thread, target=link.other_thread, reason=clean_reason(reason),
               details={"link_id": link.id, "similarity": link.similarity, "judge_score": link.judge_score})
    session.flush()
    return link


def mark_not_duplicate(session: Session, *, link: DuplicateLink, actor: User | None, reason: object = "") -> DuplicateLink:
    """Not a duplicate: the pair keeps its row with this status, so it is never suggested again."""
    return _decide(session, link, actor, "not_duplicate", reason)


def mark_variant(session: Session, *, link: DuplicateLink, actor: User | None, reason: object = "") -> DuplicateLink:
    """Related but agency-specific: both threads stay, linked to each other as variants."""
    return _decide(session, link, actor, "variant", reason)


def reopen_pair(session: Session, *, link: DuplicateLink, actor: User | None, reason: object = "") -> DuplicateLink:
    """Take back a "bukan duplikat" or "varian" decision: the pair is a candidate in the queue again."""
    actor = check_moderator(actor, link.thread)
    check_moderator(actor, link.other_thread)
    if link.status == "candidate":
        return link  # taken back already (a second click, Back and resend): nothing more to do
    if link.status not in ("not_duplicate", "variant"):
        raise ValidationFailed("Hanya keputusan “bukan duplikat” atau “varian” yang dapat dibatalkan di sini.")
    before = link.status
    link.status, link.decided_by_id, link.decided_at = "candidate", None, None
    log_action(session, actor, "reopen_duplicate", thread=link.thread, target=link.other_thread,
               reason=clean_reason(reason), details={"link_id": link.id, "was": before})
    session.flush()
    return link


def reopenable_entries(session: Session, viewer: User, entries: list) -> set[int]:
    """Ids of the log entries (newest first) whose "bukan duplikat" / "varian" decision the viewer can still
    take back: the newest listed entry of a pair that still stands as that entry decided, both of whose
    threads the viewer moderates."""
    decisions = [e for e in entries if e.action in ("not_duplicate", "variant")]
    newest = {e.details.get("link_id"): e for e in reversed(decisions)}
    links = session.scalars(select(DuplicateLink).where(DuplicateLink.id.in_([i for i in newest if isinstance(i, int)])))
    return {newest[link.id].id for link in links if link.status == newest[link.id].action
            and can_moderate(viewer, link.thread) and can_moderate(viewer, link.other_thread)}


def variants_of(session: Session, thread: Thread) -> list[Thread]:
    """Threads linked to `thread` as variants (for "Varian di instansi lain")."""
    links = session.scalars(select(DuplicateLink).where(DuplicateLink.status == "variant",
                                                        (DuplicateLink.thread_id == thread.id)
                                                        | (DuplicateLink.other_thread_id == thread.id)))
    return [link.other_thread if link.thread_id == thread.id else link.thread for link in links]
