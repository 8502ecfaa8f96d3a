"""Exact "phrases" and -excluded words of a search, checked word for word on the candidate threads' shown posts.

The ranking stays semantic; these are hard constraints a member adds on top, as on Stack Overflow or Google:
a thread passes when each phrase appears (as consecutive words, any case, any punctuation between them) in
its title or in one of its shown posts, and none of the excluded words or phrases does. Hidden and deleted
posts have no search document, so a phrase can never match (or reveal) what members cannot read.
"""
import re
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from models import SearchDocument
from models.id_list import in_id_list

_WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    """Lower-cased words of a text (punctuation and hyphens split them: "ke-13" is "ke", "13")."""
    return _WORD.findall((text or "").casefold())


def _contains(haystack: str, phrase: list[str]) -> bool:
    # Padded with spaces so that "cuti" does not match inside "cutinya" and "cuti besar" not in "cuti besaran".
    return f" {' '.join(phrase)} " in haystack


@dataclass
class TermMatch:
    passing: set[int]            # thread ids that hold every phrase and no excluded word
    best: dict[int, tuple[int, int]]  # thread -> (most phrases one of its posts holds, the first such post)
    phrases_in: dict[int, int]   # post -> how many of the phrases it holds (posts holding none left out)

    def shown_post(self, group_id: int, doc_id: int) -> int:
        """The post to show for a passing thread: the matched one if it holds as many phrases as any."""
        most, first = self.best.get(group_id, (0, doc_id))
        return doc_id if self.phrases_in.get(doc_id, 0) >= most else first


def match_terms(session: Session, group_ids: list[int], phrases: list[str], excluded: list[str]) -> TermMatch:
    """Which of these threads hold every phrase and none of the excluded terms."""
    wanted = [w for w in (words(p) for p in phrases) if w]
    unwanted = [w for w in (words(p) for p in excluded) if w]
    if not group_ids:
        return TermMatch(set(), {}, {})
    # Only posts holding one of the terms' words can matter: the database narrows to them (its lower() may
    # miss upper-case non-ASCII letters, which the exact check below would also have to see; Indonesian
    # forum text is ASCII in practice), then the words are compared exactly here.
    probes = {max(w, key=len) for w in wanted + unwanted}
    like = [func.lower(col).contains(p, autoescape=True) for p in probes
            for col in (SearchDocument.title, SearchDocument.text)]
    rows = session.execute(
        select(SearchDocument.doc_id, SearchDocument.group_id, SearchDocument.title, SearchDocument.text)
        .where(in_id_list(SearchDocument.group_id, "groups"), or_(*like))
        .order_by(SearchDocument.doc_id), {"groups": list(group_ids)}).all()
    found: dict[int, set[int]] = {}  # thread -> indexes of the phrases seen in it
    best: dict[int, tuple[int, int]] = {}
    phrases_in: dict[int, int] = {}
    blocked: set[int] = set()
    for doc_id, group_id, title, text in rows:
        fields = [f" {' '.join(words(title))} ", f" {' '.join(words(text))} "]
        if any(_contains(f, w) for w in unwanted for f in fields):
            blocked.add(group_id)
            continue
        hit = {i for i, w in enumerate(wanted) if any(_contains(f, w) for f in fields)}
        if hit:
            phrases_in[doc_id] = len(hit)
            found.setdefault(group_id, set()).update(hit)
            if len(hit) > best.get(group_id, (0, 0))[0]:
                best[group_id] = (len(hit), doc_id)
    passing = {g for g in group_ids if g not in blocked and len(found.get(g, ())) == len(wanted)}
    return TermMatch(passing, best, phrases_in)
