"""The /cari page, plus the wiring of the search engine into the app (index worker, thread-page hooks)."""
import threading
from urllib.parse import urlencode

from litestar import Litestar, Request, get
from litestar.response import Template
from sqlalchemy.orm import Session

from forum import catalog, duplicate_detection, duplicates, read_model
from forum.errors import NotFound
from forum.listing import parse_page
from forum.permissions import can_moderate, can_view_thread
from forum.search import search_threads
from forum.search_query import apply_form_choices
from models import User
from web.render import page
from web.search_log_writer import SearchLogWriter

_OPENING = threading.Lock()
_MAKING_LOG = threading.Lock()  # not _OPENING: opening the engine takes seconds


def install(app: Litestar) -> None:
    """Start-up hook: the thread page shows "Diskusi serupa" and the duplicate banner (database only)."""
    if duplicates.thread_page_context not in app.state.thread_page_hooks:
        app.state.thread_page_hooks.append(duplicates.thread_page_context)


def engine_of(app_or_request) -> object:
    """The process's SearchEngine: given in the app state (tests), or opened on first use / at start-up."""
    app = getattr(app_or_request, "app", app_or_request)
    state = app.state
    with _OPENING:
        if state.get("search") is None:
            from search.service import open_engine
            settings = state.settings
            # Stored vectors load at once; the worker thread embeds whatever is missing, after commits.
            state.search = open_engine(
                state.session_factory, settings.data_dir, embedder=settings.embedder, kind=settings.index_kind,
                cache_dir=settings.cache_dir,
                background=True,
                on_indexed=[lambda engine, doc_ids: duplicate_detection.after_indexed(state.session_factory, engine, doc_ids)])
            state.search_owned = True
    return state.search


def stop_search(app: Litestar) -> None:
    """Shutdown hook: stop the index worker (it saves the index file)."""
    if app.state.get("search_owned"):
        app.state.search.index.stop()


def _form_filters(request: Request) -> dict:
    p = request.query_params
    return {"agency": p.get("instansi"), "topic": p.get("topik"), "status": p.get("status"),
            "before": p.get("sebelum"), "after": p.get("sesudah"), "author": p.get("oleh"),
            "sort": p.get("urut")}


@get("/cari", name="search", sync_to_thread=True)
def search_page(request: Request, db: Session, viewer: User | None) -> object:
    """Search: the query box (operators allowed), filters, thread results with highlighted snippets."""
    form = _form_filters(request)
    raw = apply_form_choices((request.query_params.get("q") or "")[:500], form)
    result = search_threads(db, engine_of(request), viewer, raw, parse_page(request.query_params.get("hal")),
                            form=form, page_size=request.app.state.settings.page_size, facets=True,
                            clamp_page=True)
    params = {"q": raw, **{k: v for k, v in request.query_params.items() if k in
                           ("instansi", "topik", "status", "sebelum", "sesudah", "oleh", "urut") and v}}
    drop_links = [{**s, "url": "/cari?" + urlencode({"q": s["query"]})} for s in result.suggestions]
    facet_groups = {}
    for facet in result.facets:
        facet_groups.setdefault(facet.kind, []).append({"facet": facet, "url": "/cari?" + urlencode({"q": facet.query})})
    question = " ".join(result.query.text.replace('"', " ").split())[:200]
    ask_url = "/diskusi/baru?" + urlencode({"judul": question, **({"topik": result.query.topic} if result.query.topic else {})})
    response = page(request, db, viewer, "search.html", result=result, search_query=raw, form=form, ask_url=ask_url,
                    base_url="/cari?" + urlencode(params) + "&", drop_links=drop_links, facet_groups=facet_groups,
                    agencies=catalog.list_agencies(db), topics=catalog.list_topics(db))
    log_search(request, viewer, result)
    return response


def log_search(request: Request, viewer: User | None, result) -> None:
    """Queue a first page of results for the search log (later pages repeat the same search)."""
    if result.page != 1 or result.asked_page or not result.query.text:  # (a later page shown as the last one)
        return
    search_log_writer(request.app).submit(viewer.id if viewer else None, result.query.as_string(), result.total)


def search_log_writer(app: Litestar) -> SearchLogWriter:
    """The app's search-log writer (web/search_log_writer.py), made on first use."""
    with _MAKING_LOG:
        if app.state.get("search_log") is None:
            app.state.search_log = SearchLogWriter(app.state.session_factory)
    return app.state.search_log


def write_search_log_first(request: Request) -> None:
    """before_request hook of the moderators' search figures: write the queued searches, so they count the ones
    just made. It runs before the handler's own session opens: that session may write (a token's last use) and
    hold SQLite's write lock, which the flush would then wait 30 s for and lose its rows."""
    search_log_writer(request.app).flush()


def stop_search_log(app: Litestar) -> None:
    """Shutdown hook: write the queued searches and end the writer's thread."""
    if app.state.get("search_log") is not None:
        app.state.search_log.stop()


@get("/diskusi/{thread_id:int}/serupa-baru", name="fresh-similar", sync_to_thread=True)
def fresh_similar(db: Session, viewer: User | None, thread_id: int) -> Template:
    """For a thread just posted: its similar threads and banner once found, else the same request again (htmx)."""
    thread = read_model.thread_head(db, thread_id)
    if thread is None or not can_view_thread(viewer, thread):
        raise NotFound("Diskusi tidak ditemukan.")
    return Template(template_name="_fresh_similar.html",
                    context={"thread": thread, "viewer": viewer, "can_moderate": can_moderate(viewer, thread),
                             **duplicates.thread_page_context(db, viewer, thread)})


routes = [search_page, fresh_similar]
