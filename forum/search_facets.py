"""Ways to narrow a broad search: how many of its threads each agency, topic and answer status holds.

"Tidak ada hasil" offers to drop a filter (forum/search.py); a long list offers the opposite. A member who
typed "cuti" and got sixty threads sees which agencies, topics and statuses those threads come from, most
frequent first, and narrows with one click. The counts are over the threads the search found (visibility
already applied). A filtered search looks deeper than the unfiltered one (its candidates are the filter's
threads only, and its noise floor follows its own best match), so following a link keeps every thread
counted and may find more: the page therefore shows no number that the next page would contradict.
"""
from collections import Counter
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from forum.search_query import SearchQuery
from models import Agency, Thread, Topic, thread_topics
from models.id_list import in_id_list

PER_KIND = 5  # values shown per kind, most threads first
MIN_RESULTS = 4  # below this the list itself is short enough to read


@dataclass
class Facet:
    kind: str  # the operator: "instansi", "topik" or "status"
    value: str  # its value: a slug, or "terjawab" / "belum"
    label: str  # what the member reads: the agency's or topic's name, or the status in words
    count: int  # threads among the current results that the filter keeps (the filtered search may find more)
    query: str  # the query box text with this filter added


def narrowing_facets(session: Session, q: SearchQuery, thread_ids: list[int]) -> list[Facet]:
    """Per agency, topic and answer status not filtered yet: the values that would keep some, not all, results."""
    total = len(thread_ids)
    if total < MIN_RESULTS:
        return []
    params = {"ids": list(thread_ids)}
    out: list[Facet] = []
    if not q.agency:
        rows = session.execute(select(Agency.slug, Agency.name).join(Thread, Thread.agency_id == Agency.id)
                               .where(in_id_list(Thread.id)), params).all()
        out += _kind(q, "instansi", "agency", rows, total)
    if not q.topic:
        rows = session.execute(select(Topic.slug, Topic.name).join(thread_topics, thread_topics.c.topic_id == Topic.id)
                               .where(in_id_list(thread_topics.c.thread_id)), params).all()
        out += _kind(q, "topik", "topic", rows, total)
    if not q.status:
        answered = session.scalars(select(Thread.id).where(in_id_list(Thread.id), Thread.accepted_post_id.is_not(None)),
                                   params).all()
        rows = [("terjawab", "terjawab")] * len(answered) + [("belum", "belum terjawab")] * (total - len(answered))
        out += _kind(q, "status", "status", rows, total)
    return out


def _kind(q: SearchQuery, operator: str, field: str, rows: list, total: int) -> list[Facet]:
    """One Facet per value that narrows (fewer threads than the whole list), most threads first."""
    counts = Counter(rows)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0][1]))
    return [Facet(operator, value, label, count, replace(q, **{field: value}).as_string())
            for (value, label), count in ranked[:PER_KIND] if count < total]
