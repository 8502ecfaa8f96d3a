"""Search as members see it: filters, visibility, ordering, thread results with snippets."""
from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from forum.listing import last_page_if_past
from forum.result_rows import posts_by_id, threads_by_id
from forum.search_facets import narrowing_facets
from forum.search_filters import allowed_threads, check_filter_names, list_filtered, visible_among
from forum.search_query import OPERATORS, SearchQuery, parse_query, reads_as_question
from forum.search_terms import match_terms
from forum.snippets import highlight
from forum.synonyms import refresh_synonyms
from forum.unfamiliar import is_vague, unfamiliar_words
from models import Post, Thread, User
from models.id_list import in_id_list
from search.engine import FILTER_SCAN
from search.typed_match import groups_holding_every_term
from search.text import stems, tokens

MAX_RESULTS = 200
KEYWORD_WORDS = 3  # no dev query (TyDiQA, Quora, STIF) is this short a list of content words
RELATIVE_FLOOR = 0.12  # dense-only hits this far below the best one are noise, not results
# Relevance is the default order; these re-order the relevant threads (never widen them) by a thread date.
SORT_COLUMNS = {"terbaru": Thread.created_at, "aktif": Thread.last_activity_at}
# A date order shows only the strong matches: the relevance list's generous tail (a shared word, a loose
# cosine) would otherwise fill its first page. Kept: fused score >= this share of the best one, which keeps
# 99.5% of TyDiQA-id dev answers, 94% of Quora-id duplicates and 96% of the demo forum's duplicates while
# the list shrinks to a median of 3 / 6 / 16 threads (docs/search-research.md, eighth session).
SORT_KEEP = 0.6


@dataclass
class ThreadHit:
    thread: Thread
    score: float
    post: Post | None
    snippet: str
    signals: dict
    answer: str = ""  # the accepted answer's best window (highlighted) when the snippet is another post


@dataclass
class SearchPage:
    query: SearchQuery
    hits: list[ThreadHit]
    total: int
    page: int
    page_size: int
    suggestions: list[dict] = field(default_factory=list)
    phrases_relaxed: bool = False  # no thread held the "phrases": these results are without them
    facets: list = field(default_factory=list)  # search_facets.Facet: filters that would narrow the results
    listing: bool = False  # no words typed: every thread the filters keep, by date (not a relevance list)
    asked_page: int | None = None  # with clamp_page, the page asked for when it was past the last one
    unfamiliar: tuple[str, ...] = ()  # words no post holds, when they make every hit a loose match
    vague: bool = False  # no content word typed ("aaaaaaa", "yang itu ya"): every hit is a loose match

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def ranked_hits(session, engine, viewer, q: SearchQuery, exclude: int | None = None):
    """Engine hits the viewer may see, best first, low-relevance tail cut."""
    refresh_synonyms(session)  # moderators' dictionary changes reach every worker within seconds
    result = _broad_filter_search(session, engine, viewer, q, exclude)
    if result is not None:
        hits = result.hits  # every candidate was already checked for visibility and filters
    else:
        allowed = allowed_threads(session, viewer, q) if q.filters() else None
        result = engine.search(session, q.text, group_filter=allowed, limit=MAX_RESULTS, exclude_group=exclude)
        # `allowed` is exactly what the viewer may list under the filters (test_filters checks it against the
        # listing's own query), so a filtered search skips asking the database again (~3 ms on PostgreSQL).
        visible = allowed if allowed is not None else visible_among(session, viewer, q, [h.group_id for h in result.hits])
        hits = [h for h in result.hits if h.group_id in visible]
    top = max((h.signals.get("dense_max", 0.0) for h in hits), default=0.0)
    floor = max(engine.noise_floor, top - RELATIVE_FLOOR)
    # Lexical matches get the absolute floor only: a shared word is evidence, a weak cosine alone is not...
    keywords = _is_keyword_query(q.text)
    lexical = {h.group_id for h in hits if "bm25" in h.signals
               and (keywords or h.signals.get("dense_max", 0.0) < engine.noise_floor)}
    # ...and a post holding every rare word typed is a match whatever its cosine (a lone keyword, "transkrip",
    # scores under the floor against the long reply that holds it).
    typed = groups_holding_every_term(session, q.text, lexical) if lexical else set()
    kept = [h for h in hits if h.group_id in typed
            or h.signals.get("dense_max", 0.0) >= (engine.noise_floor if "bm25" in h.signals else floor)]
    if keywords and typed:
        # A few words typed as keywords: the threads holding them come first, as in any forum's search
        # (e5 ranks loosely related threads at 0.82 above the one reply holding "transkrip" at 0.79).
        kept = [h for h in kept if h.group_id in typed] + [h for h in kept if h.group_id not in typed]
    return kept


def _is_keyword_query(text: str) -> bool:
    """At most three words, each a content word, not a question: what a member types to find words.

    "tolong cek dm min" is a sentence (a chat message), not the keyword "dm": read as keywords, 3 of STIF's
    short slang messages lost their first place to other messages holding "dm" (R@1 0.995 -> 0.981)."""
    words = tokens(text)
    return 0 < len(words) <= KEYWORD_WORDS and len(stems(text)) == len(words) and not reads_as_question(text)


def _broad_filter_search(session, engine, viewer, q: SearchQuery, exclude: int | None):
    """A status/date-filtered search that checks only the candidates, or None when the filter is narrow.

    Listing every thread `status:belum` keeps reads ~100k ids at a large forum (~0.3 s), and the engine
    then searches everything anyway because most vectors pass. Asking the filter about the ~300 candidates
    gives the same result. When fewer than half of the dense candidates pass, the filter is narrow:
    the exact filtered search (None here) is the one that finds its matches.
    """
    f = q.filters()
    if not f or "agency" in f or "topic" in f or "author" in f:
        return None  # no filter, or one with its own index: listing its threads is cheap and exact

    def check(groups: set[int]) -> set[int]:
        return visible_among(session, viewer, q, list(groups))

    result = engine.search(session, q.text, limit=MAX_RESULTS, exclude_group=exclude, group_check=check)
    dense_candidates, dense_passing = result.dense_checked
    return result if dense_passing > FILTER_SCAN * dense_candidates else None


def search_threads(session: Session, engine, viewer: User | None, raw_query: str, page: int = 1, *,
                   form: dict | None = None, page_size: int = 20, facets: bool = False,
                   clamp_page: bool = False) -> SearchPage:
    """One page of threads for the query box text (operators included) and form filters.

    With `facets`, the page also counts the results per agency, topic and answer status (to narrow them).
    With `clamp_page` (the web page), a page past the last one shows the last one; the API keeps it empty.
    Filters without words list every thread they keep, latest activity first. Hits of a question the forum
    may never have discussed come with the words no post holds (forum/unfamiliar.py).
    """
    q = parse_query(raw_query, form)
    check_filter_names(session, q)
    if not q.text:
        if not (q.filters() or q.sort) or q.excluded:  # an order alone ("urut:terbaru") lists every thread
            return SearchPage(q, [], 0, page, page_size)
        return _listing(session, viewer, q, page, page_size, clamp_page)
    ranked = ranked_hits(session, engine, viewer, q)
    unfamiliar = unfamiliar_words(session, engine, q.text, ranked)
    hits = _with_terms(session, q, ranked)
    # As Google does: when no thread holds the quoted words exactly, show what the words find (a question
    # typed in plain words quotes things too), and say so; the -words still apply.
    relaxed = bool(q.phrases) and not hits and bool(ranked)
    if relaxed:
        hits = _with_terms(session, replace(q, phrases=[]), ranked)
    if q.sort:
        best = max((h.score for h in hits), default=0.0)
        hits = _by_date(session, [h for h in hits if h.score >= SORT_KEEP * best], SORT_COLUMNS[q.sort])
    asked = None
    if clamp_page:
        page, asked = last_page_if_past(page, page_size, len(hits))
    window = hits[(page - 1) * page_size: page * page_size]
    threads = threads_by_id(session, [h.group_id for h in window])
    # The accepted answers come in the same query: the searcher reads the answer on the results page.
    answers = {threads[h.group_id].accepted_post_id for h in window} - {None}
    posts = posts_by_id(session, [h.doc_id for h in window] + list(answers))
    out = []
    for h in window:
        post, thread = posts.get(h.doc_id), threads[h.group_id]
        answer = posts.get(thread.accepted_post_id) if thread.accepted_post_id != h.doc_id else None
        shown = answer is not None and not (answer.is_deleted or answer.is_hidden)
        out.append(ThreadHit(thread, h.score, post, highlight(post.body_text if post else "", q.text), h.signals,
                             highlight(answer.body_text, q.text) if shown else ""))
    result = SearchPage(q, out, len(hits), page, page_size, phrases_relaxed=relaxed and bool(hits), asked_page=asked,
                        unfamiliar=unfamiliar if hits else (), vague=bool(hits) and is_vague(engine, q.text, ranked))
    if facets:
        result.facets = narrowing_facets(session, q, [h.group_id for h in hits])
    if not hits and (q.phrases or q.excluded) and ranked:
        result.suggestions.append({"filter": "text", "label": _terms_label(q), "query": q.as_string(drop="text"),
                                   "count": len(ranked)})
    if not hits and q.filters():
        result.suggestions += _drop_filter_suggestions(session, engine, viewer, q)
    return result


def _listing(session: Session, viewer: User | None, q: SearchQuery, page: int, page_size: int,
             clamp_page: bool) -> SearchPage:
    """Filters without words: their threads by date, each with its question's opening and accepted answer."""
    threads, total = list_filtered(session, viewer, q, page, page_size)
    asked = None
    if clamp_page and total and not threads:
        asked, page = page, -(-total // page_size)
        threads, total = list_filtered(session, viewer, q, page, page_size)
    posts = posts_by_id(session, [i for t in threads for i in (t.first_post_id, t.accepted_post_id) if i])
    out = []
    for t in threads:
        post, answer = posts.get(t.first_post_id), posts.get(t.accepted_post_id)
        shown = answer is not None and not (answer.is_deleted or answer.is_hidden)
        out.append(ThreadHit(t, 0.0, post, highlight(post.body_text if post else "", ""), {},
                             highlight(answer.body_text, "") if shown else ""))
    return SearchPage(q, out, total, page, page_size, listing=True, asked_page=asked)


def _with_terms(session: Session, q: SearchQuery, hits: list) -> list:
    """The hits that hold the query's "phrases" and none of its -words, each showing a post with the phrases."""
    if not (q.phrases or q.excluded) or not hits:
        return hits
    match = match_terms(session, [h.group_id for h in hits], q.phrases, q.excluded)
    return [replace(h, doc_id=match.shown_post(h.group_id, h.doc_id)) for h in hits if h.group_id in match.passing]


def _terms_label(q: SearchQuery) -> str:
    """The phrases and excluded words as typed, e.g. `"cuti besar" -pppk`."""
    return " ".join([*(f'"{p}"' for p in q.phrases), *(f'-"{w}"' if " " in w else f"-{w}" for w in q.excluded)])


def _by_date(session: Session, hits: list, column) -> list:
    """The same hits, newest first by a thread date (ties keep their relevance order)."""
    if not hits:
        return hits
    stmt = select(Thread.id, column).where(in_id_list(Thread.id))
    when = dict(session.execute(stmt, {"ids": [h.group_id for h in hits]}).all())
    # sorted() is stable: of two threads with the same date the more relevant stays first.
    return sorted((h for h in hits if h.group_id in when), key=lambda h: when[h.group_id], reverse=True)


def _drop_filter_suggestions(session, engine, viewer, q: SearchQuery) -> list[dict]:
    """For an empty filtered search: which single filter, dropped, would give results (and how many)."""
    loose = _with_terms(session, q, engine.search(session, q.text, limit=MAX_RESULTS).hits)
    ids = [h.group_id for h in loose]
    names = {v: k for k, v in OPERATORS.items()}
    out = []
    for key, value in q.filters().items():
        count = len(visible_among(session, viewer, q, ids, drop=key))
        if count:
            shown = value.isoformat() if isinstance(value, date) else value
            out.append({"filter": key, "label": f"{names[key]}:{shown}", "query": q.as_string(drop=key), "count": count})
    return out
