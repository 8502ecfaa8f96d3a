"""Search measured on the forum's own questions: the pairs its members labelled while using it.

The dev sets in ../shared/eval are other people's questions. A forum collects its own labels as it runs:
a member writing a question says a composer suggestion answers it ("Ya, ini menjawab pertanyaan saya"), or an
asker says an earlier thread listed under "Diskusi serupa" already answered theirs ("sudah terjawab di sana").
Each is a question in the members' own wording with the thread that answers it. Running them through today's
search tells whether a new synonym group, a reindex or another model still finds what members found before.

Merged pairs are not used: a merge moves the newer thread's posts, its question included, into the earlier
thread, which then matches the newer question word for word.
"""
import time
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from forum.asker_verdicts import ANSWERED
from forum.permissions import can_view_thread
from forum.suggestions import composer_ranking, composer_text
from models import AnsweredBeforeAsking, DuplicateLink, Post, Thread

COMPOSER, ASKER = "composer", "asker"
SHOWN = 5  # the composer shows five suggestions and "Diskusi serupa" five threads: below that, a member misses it


@dataclass
class LabelledQuestion:
    text: str
    thread_id: int  # the earlier thread that answers it (followed through merges)
    source: str  # COMPOSER: the title the member had typed; ASKER: the newer thread's title and question
    exclude_id: int | None = None  # the newer thread itself, which would otherwise find itself first


def _answering_thread(session: Session, thread_id: int) -> Thread | None:
    """The thread that holds the answer now (merges followed), if every visitor may still see it."""
    thread, seen = session.get(Thread, thread_id), set()
    while thread is not None and thread.merged_into_id and thread.id not in seen:
        seen.add(thread.id)
        thread = session.get(Thread, thread.merged_into_id)
    return thread if thread is not None and can_view_thread(None, thread) else None


def labelled_questions(session: Session) -> tuple[list[LabelledQuestion], int]:
    """Every usable labelled question, once per (wording, thread); and how many were left out.

    Left out: pairs whose answering thread is hidden, deleted or gone (search must not show it), composer rows
    without a typed title, and asker verdicts on threads since merged or hidden.
    """
    found, skipped, seen = [], 0, set()

    def add(text: str, thread_id: int, source: str, exclude: int | None = None) -> None:
        nonlocal skipped
        target = _answering_thread(session, thread_id)
        key = (" ".join(text.lower().split()), target.id if target else None)
        if target is None or len(key[0].split()) < 3 or target.id == exclude:
            skipped += 1
        elif key not in seen:
            seen.add(key)
            found.append(LabelledQuestion(text, target.id, source, exclude))

    for row in session.scalars(select(AnsweredBeforeAsking).order_by(AnsweredBeforeAsking.id)):
        add(row.question, row.thread_id, COMPOSER)
    # Whatever moderators decided later, the asker said the earlier thread answered them: still a label.
    links = select(DuplicateLink).where(DuplicateLink.asker_verdict == ANSWERED).order_by(DuplicateLink.id)
    for link in session.scalars(links):
        newer = link.thread
        if link.status == "merged" or newer.merged_into_id or not can_view_thread(None, newer):
            skipped += 1
            continue
        first = session.get(Post, newer.first_post_id) if newer.first_post_id else None
        add(composer_text(newer.title, first.body_text if first else ""), link.other_thread_id, ASKER, newer.id)
    return found, skipped


def _rank(ranking: list[int], thread_id: int) -> int | None:
    return ranking.index(thread_id) + 1 if thread_id in ranking else None


def evaluate_own_questions(session: Session, engine, misses: int = 20) -> dict:
    """Rank every labelled question's thread with the composer's search, as a visitor sees it.

    Returns recall@1/5/10 and MRR@10 over all questions and per source, the search latency, and up to
    `misses` questions whose thread is not among the first five (what a member would not have seen).
    """
    questions, skipped = labelled_questions(session)
    ranks, took = [], []
    for q in questions:
        start = time.perf_counter()
        ranks.append(_rank(composer_ranking(session, engine, None, q.text, exclude=q.exclude_id), q.thread_id))
        took.append((time.perf_counter() - start) * 1000)
    result = {"questions": len(questions), "skipped": skipped, **_metrics(ranks)}
    for source in (COMPOSER, ASKER):
        picked = [r for q, r in zip(questions, ranks) if q.source == source]
        result[source] = {"questions": len(picked), **_metrics(picked)}
    result["latency_p50_ms"] = round(float(np.percentile(took, 50)), 1) if took else None
    result["latency_p95_ms"] = round(float(np.percentile(took, 95)), 1) if took else None
    missed = [(q, r) for q, r in zip(questions, ranks) if r is None or r > SHOWN]
    titles = dict(session.execute(select(Thread.id, Thread.title).where(
        Thread.id.in_({q.thread_id for q, _ in missed[:misses]}))).all()) if missed else {}
    result["misses"] = [{"question": q.text[:200], "thread_id": q.thread_id, "thread_title": titles[q.thread_id],
                         "rank": r, "source": q.source} for q, r in missed[:misses]]
    return result


def _metrics(ranks: list[int | None]) -> dict:
    """Recall at 1, 5 and 10 and MRR@10 for one labelled thread per question (None when nothing to measure)."""
    if not ranks:
        return {"recall@1": None, "recall@5": None, "recall@10": None, "mrr@10": None}
    found = [r for r in ranks if r is not None]

    def within(k: int) -> float:
        return round(sum(r <= k for r in found) / len(ranks), 4)
    mrr = sum(1 / r for r in found if r <= 10) / len(ranks)
    return {"recall@1": within(1), "recall@5": within(SHOWN), "recall@10": within(10), "mrr@10": round(mrr, 4)}
