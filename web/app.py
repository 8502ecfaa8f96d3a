"""create_app(): wire settings, database, templates, CSRF, errors and routes into one Litestar app."""
from pathlib import Path

from litestar import Router
from litestar.config.csrf import CSRFConfig
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.datastructures import CacheControlHeader, State
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from forum.errors import ForumError
from forum.settings import Settings, load_settings
from models.db import make_engine, make_session_factory
from search.text import use_local_synonyms
from web import errors, render
from web.forum_app import ForumApp
from web.in_flight import count_requests
from web.openapi_errors import localise_openapi
from web.path_ids import ids_in_range
from web.api.v1 import api_router
from web.deps import provide_db, provide_viewer
from web.pages import (accounts, api_docs, browse, earlier_answers, markdown_views, notifications, own_account,
                       password_reset, post_deletion, threads)
from web.pages import search as search_pages
from web.api import search as search_api
from web.api import following as following_api
from web.api import moderation as moderation_api
from web.api import moderation_reports as moderation_reports_api
from web.api import moderation_search as moderation_search_api
from web.pages import moderation
from web.ratelimit import LocalBudget, RateLimiter

PREVIEW_UNITS_PER_MINUTE = 120  # a preview costs 1 unit per started 5,000 characters (web/pages/markdown_views.preview)
HERE = Path(__file__).parent
PAGE_ROUTES = [*accounts.routes, *browse.routes, *threads.routes, *markdown_views.routes, *earlier_answers.routes,
               *notifications.routes, *own_account.routes, *password_reset.routes, *search_pages.routes, *moderation.routes,
               *post_deletion.routes, *api_docs.routes]
API_EXTRA: list = [*search_api.routes, *moderation_api.handlers, *moderation_reports_api.handlers,
                   *moderation_search_api.handlers, *following_api.handlers]


def _template_setup(engine: JinjaTemplateEngine) -> None:
    env = engine.engine
    env.auto_reload = False  # templates ship with the code; checking their mtime on every render costs ~2%
    env.filters["waktu"] = render.relative_time
    env.filters["tanggal"] = render.format_date
    env.filters["tanggal_jam"] = render.format_datetime
    env.globals["level_names"] = {"pusat": "Pusat", "provinsi": "Provinsi", "kabupaten-kota": "Kabupaten/Kota",
                                  "lainnya": "Lainnya"}


def create_app(settings: Settings | None = None, session_factory=None, extra_state: dict | None = None) -> ForumApp:
    """Build the web app; tests pass their own settings and session factory."""
    settings = settings or load_settings()
    # The forum's own acronyms widen query expansion; a broken file stops start-up with its reason.
    use_local_synonyms(settings.local_synonyms)
    if session_factory is None:
        session_factory = make_session_factory(make_engine(settings.resolved_database_url))
    state = State({"settings": settings, "session_factory": session_factory, "limiter": RateLimiter(),
                   "preview_budget": LocalBudget(PREVIEW_UNITS_PER_MINUTE), "thread_page_hooks": [], "after_thread_created": [], **(extra_state or {})})
    return ForumApp(
        # The HTML pages stay out of the OpenAPI document: it describes the JSON API only.
        route_handlers=[Router("/", route_handlers=PAGE_ROUTES, include_in_schema=False), api_router(API_EXTRA),
                        create_static_files_router(path="/static", directories=[HERE / "static"],
                                                   # unversioned names: an hour, so a deploy reaches browsers soon
                                                   cache_control=CacheControlHeader(public=True, max_age=3600))],
        guards=[ids_in_range],
        dependencies={"db": Provide(provide_db),
                      "viewer": Provide(provide_viewer, sync_to_thread=False)},
        state=state,
        template_config=TemplateConfig(directory=HERE / "templates", engine=JinjaTemplateEngine,
                                       engine_callback=_template_setup),
        csrf_config=CSRFConfig(secret=settings.secret_key, cookie_name="csrftoken", cookie_httponly=False,
                               cookie_secure=settings.cookie_secure,
                               exclude=["/api/", "/static/"]),  # no token cookie on shared static files
        exception_handlers={ForumError: errors.forum_error_handler, HTTPException: errors.http_error_handler,
                            Exception: errors.server_error_handler},
        openapi_config=OpenAPIConfig(title="Forum ASN Progresif API", version="1.0.0", path="/schema",
                                     # Litestar answers unknown /schema/... paths with its own English page
                                     openapi_router=Router("/schema", route_handlers=[], include_in_schema=False,
                                                           after_request=errors.schema_not_found),
                                     description="API JSON Forum ASN Progresif. Tulis dengan token pribadi (Bearer).",
                                     # JSON only: Litestar's HTML viewers load their scripts from CDNs.
                                     render_plugins=[JsonRenderPlugin(path=["/", "/openapi.json"])],
                                     # Reads work without a token; writes need one (a personal token from the profile page).
                                     components=Components(security_schemes={"TokenPribadi": SecurityScheme(
                                         type="http", scheme="bearer",
                                         description="Token pribadi dari halaman profil: Authorization: Bearer <token>")}),
                                     security=[{"TokenPribadi": []}, {}]),
        request_max_body_size=2 * 1024 * 1024,
        # count_requests: a lone request's query embedding may use the spare cores
        middleware=[count_requests],
        on_startup=[search_pages.install, localise_openapi],
        on_shutdown=[search_pages.stop_search_log],  # the queued search-log rows are written
        debug=False,
    )
