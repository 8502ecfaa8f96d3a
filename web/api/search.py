"""Search API: /api/v1/search, /api/v1/threads/{id}/similar and the composer's /api/v1/suggest."""
from dataclasses import dataclass
from typing import Any

from litestar import MediaType, Request, get, post
from litestar.datastructures import State
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from forum import answered_before_asking, asker_verdicts, duplicates, threads
from forum.listing import parse_page
from forum.search import search_threads
from forum.suggestions import composer_suggestions
from forum.permissions import check_logged_in
from models import User
from web.api.serialize import thread_json
from web.pages.search import engine_of, log_search
from web.ratelimit import limit_writes


@get("/search", summary='Cari diskusi (operator: instansi: topik: status: sebelum: sesudah: oleh: urut:, "frasa persis", -kata)', sync_to_thread=True)
def search_api(request: Request, db: Session, viewer: User | None, q: str = "", page: str | None = None,
               page_size: int = 20, instansi: str | None = None, topik: str | None = None,
               status: str | None = None, sebelum: str | None = None, sesudah: str | None = None,
               oleh: str | None = None, urut: str | None = None) -> dict[str, Any]:
    form = {"agency": instansi, "topic": topik, "status": status, "before": sebelum, "after": sesudah,
            "author": oleh, "sort": urut}
    result = search_threads(db, engine_of(request), viewer, q[:500], parse_page(page), form=form,
                            page_size=min(max(page_size, 1), 50), facets=True)
    # A member searching from an app is still a member who may not find the answer: same log as /cari.
    log_search(request, viewer, result)
    return _search_json(result)


def _search_json(result) -> dict[str, Any]:
    """One page of results as the API returns it."""
    return {"query": result.query.text, "phrases": result.query.phrases, "excluded": result.query.excluded,
            "phrases_relaxed": result.phrases_relaxed,
            "filters": {k: str(v) for k, v in result.query.filters().items()},
            "sort": result.query.sort or "relevan", "problems": result.query.problems, "notes": result.query.notes, "total": result.total, "page": result.page, "pages": result.pages,
            # rank is the order: score is the fused relevance, but a keyword search puts the threads holding every
            # typed word first, and urut: orders by date, so a client must not re-sort by score.
            "items": [{"rank": rank, "thread": thread_json(h.thread), "score": round(h.score, 6),
                       "post_id": h.post.id if h.post else None, "snippet_html": str(h.snippet),
                       "accepted_answer_html": str(h.answer) or None,
                       "signals": {k: round(v, 4) for k, v in h.signals.items()}}
                      for rank, h in enumerate(result.hits, start=(result.page - 1) * result.page_size + 1)],
            # Words no post holds, when they make every item a loose match (forum/unfamiliar.py).
            "unfamiliar_words": list(result.unfamiliar), "vague": result.vague,
            "suggestions": [{"drop": s["label"], "query": s["query"], "count": s["count"]} for s in result.suggestions],
            # among_results: how many of this search's threads the filter keeps; the filtered search may find more.
            "facets": [{"filter": f.kind, "value": f.value, "label": f.label, "among_results": f.count,
                        "query": f.query} for f in result.facets]}


@get("/threads/{thread_id:int}/similar", summary="Diskusi serupa dan kandidat duplikat", sync_to_thread=True)
def similar_api(db: Session, viewer: User | None, thread_id: int) -> Any:
    thread = threads.get_thread(db, thread_id, viewer)
    if thread.merged_into_id:  # its posts live in the thread it was merged into: so do its similar threads
        target = threads.resolve_merged(db, thread, viewer)
        return Redirect(f"/api/v1/threads/{target.id}/similar", status_code=301)
    banner = duplicates.duplicate_banner(db, viewer, thread)
    return {"related": [{"thread": thread_json(r.thread), "similarity": round(r.similarity, 4),
                         "judge_score": round(r.judge_score, 4)} for r in duplicates.related_threads(db, viewer, thread)],
            "duplicate_of": None if banner is None else {
                "thread": thread_json(banner.thread), "judge_score": round(banner.judge_score, 4),
                "confirmed_by_asker": banner.confirmed, "answer_excerpt": banner.answer_excerpt}}


@dataclass
class AskerVerdict:
    penilaian: str  # terjawab / berbeda / batal


@post("/threads/{thread_id:int}/similar/{other_id:int}/verdict", status_code=200,
      summary="Penanya: diskusi lama ini sudah menjawab (terjawab), pertanyaan saya berbeda (berbeda), atau batal")
async def asker_verdict_api(db: Session, viewer: User | None, state: State, thread_id: int, other_id: int,
                            data: AskerVerdict) -> dict[str, Any]:
    viewer = check_logged_in(viewer)
    thread = threads.get_thread(db, thread_id, viewer)
    limit_writes(db, state, viewer)
    link = asker_verdicts.give_asker_verdict(db, actor=viewer, thread=thread, other_id=other_id, verdict=data.penilaian)
    return {"thread_id": thread.id, "other_thread_id": other_id, "verdict": link.asker_verdict}


@dataclass
class AnsweredQuestion:
    question: str = ""  # the title the member had typed
    answer_id: int | None = None  # the post the suggestion showed as the answer (its author is thanked)


@post("/threads/{thread_id:int}/answered-my-question", status_code=200,
      summary="Saran saat menulis: diskusi ini sudah menjawab pertanyaan yang hendak saya ajukan")
async def answered_before_asking_api(db: Session, viewer: User | None, state: State, thread_id: int,
                                     data: AnsweredQuestion) -> dict[str, Any]:
    viewer = check_logged_in(viewer)
    thread = threads.get_thread(db, thread_id, viewer)
    limit_writes(db, state, viewer)
    row = answered_before_asking.mark_answered_before_asking(db, actor=viewer, thread=thread, question=data.question,
                                                             shown_answer=data.answer_id)
    return {"thread_id": row.thread_id, "question": row.question}


@get("/suggest", summary="Pertanyaan serupa untuk formulir diskusi baru", sync_to_thread=True)
def suggest_api(request: Request, db: Session, viewer: User | None, title: str = "", body_md: str = "",
                format: str = "json") -> Any:
    # `body` is a reserved handler parameter in Litestar (the raw request body): read it from the query string.
    body = request.query_params.get("body") or body_md
    found = composer_suggestions(db, engine_of(request), viewer, title[:300], body[:2000])
    items = found.items
    if format == "html":
        # A fragment under /api/ has no CSRF token of its own (the API is exempt); its "Ya, ini menjawab" forms
        # post to a page route, which checks the token: the browser's own double-submit cookie is that token.
        token = request.cookies.get(request.app.csrf_config.cookie_name, "") if viewer else ""
        return Template(template_name="_suggestions.html", media_type=MediaType.HTML,
                        context={"suggestions": items, "unfamiliar": found.unfamiliar,
                                 "question": " ".join(title.split())[:300], "form_token": token})
    return {"items": [{"thread": thread_json(s.thread), "score": round(s.score, 6), "accepted": s.is_accepted,
                       "answer_post_id": s.answer.id if s.answer else None, "answer_excerpt": s.answer_excerpt}
                      for s in items], "unfamiliar_words": list(found.unfamiliar)}


routes = [search_api, similar_api, suggest_api, asker_verdict_api, answered_before_asking_api]
