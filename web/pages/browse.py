"""Beranda, instansi and topik pages, member profiles."""
from dataclasses import replace

from litestar import Request, get
from litestar.response import Redirect
from sqlalchemy.orm import Session

from forum import accounts, catalog, read_model
from forum.listing import SORTS, list_threads, list_user_replies, parse_page
from forum.threads import merged_questions
from models import User
from web.pages.own_account import own_forms
from web.render import page, shared_page


def _ref(row) -> tuple | None:
    return (row.id, row.slug, row.name) if row is not None else None


def _listing_page(request: Request, db: Session, viewer: User | None, *, agency=None, topic=None, **heading):
    """home.html for a thread list; logged-out visitors share it while its rows, total and the catalog stay equal."""
    params = request.query_params
    if agency is None and params.get("instansi"):
        agency = catalog.get_agency(db, params.get("instansi"))
    if topic is None and params.get("topik"):
        topic = catalog.get_topic(db, params.get("topik"))
    sort = params.get("urut", "aktivitas")
    sort = sort if sort in SORTS else "aktivitas"
    result = read_model.thread_list(db, viewer, agency=agency, topic=topic, sort=sort,
                                    page=parse_page(params.get("hal")), page_size=request.app.state.settings.page_size,
                                    clamp_page=True)

    def build() -> dict:
        agencies, topics = read_model.catalog_lists(db)
        return {"threads": replace(result, items=read_model.with_topics(db, result.items)), "sort": sort,
                "sorts": SORTS, "agency": agency, "topic": topic, "agencies": agencies, "topics": topics, **heading}

    # A row's version covers its topics (moving a thread bumps it); the catalog only grows.
    return shared_page(request, db, viewer, "home.html", build=build, key=lambda: (
        result, sort, _ref(agency), _ref(topic), heading, read_model.catalog_version(db)))


@get("/", name="home")
async def home(request: Request, db: Session, viewer: User | None) -> object:
    """Beranda: every thread, newest activity first, filterable by agency and topic."""
    return _listing_page(request, db, viewer)


@get("/instansi")
async def agency_index(request: Request, db: Session, viewer: User | None) -> object:
    """All agencies."""
    return page(request, db, viewer, "agencies.html", agencies=catalog.list_agencies(db))


@get("/instansi/{slug:str}")
async def agency_page(request: Request, db: Session, viewer: User | None, slug: str) -> object:
    """Threads of one agency."""
    agency = catalog.get_agency(db, slug)
    return _listing_page(request, db, viewer, agency=agency, heading=agency.name)


@get("/topik")
async def topic_index(request: Request, db: Session, viewer: User | None) -> object:
    """All topics."""
    return page(request, db, viewer, "topics.html", topics=catalog.list_topics(db))


@get("/topik/{slug:str}")
async def topic_page(request: Request, db: Session, viewer: User | None, slug: str) -> object:
    """Threads of one topic."""
    topic = catalog.get_topic(db, slug)
    return _listing_page(request, db, viewer, topic=topic, heading=topic.name, heading_note=topic.description)


@get("/u/{username:str}")
async def profile(request: Request, db: Session, viewer: User | None, username: str) -> object:
    """A member's threads and replies; their own page also manages API tokens."""
    member = accounts.get_user(db, username)
    own = viewer is not None and viewer.id == member.id
    return page(request, db, viewer, "profile.html", member=member, own=own,
                threads=list_threads(db, viewer, author=member, sort="terbaru", page=parse_page(request.query_params.get("hal")),
                                     page_size=request.app.state.settings.page_size, clamp_page=True),
                replies=list_user_replies(db, viewer, member), merged=merged_questions(db, viewer, member),
                tokens=accounts.list_api_tokens(db, member) if own else [],
                sessions=accounts.count_sessions(db, member) if own else 0, new_token=None, errors={},
                **(own_forms(db, member) if own else {}))


@get("/favicon.ico", include_in_schema=False)
async def favicon() -> Redirect:
    """Browsers ask for /favicon.ico on pages without a <link rel="icon"> (JSON, /schema)."""
    return Redirect("/static/favicon.svg", status_code=301)


# Crawlers may read the discussions; searches (each one embeds a query), member tools, moderation, one-time
# password links and the API are not for them.
ROBOTS = "\n".join(["User-agent: *", "Disallow: /cari", "Disallow: /moderasi", "Disallow: /akun",
                    "Disallow: /notifikasi", "Disallow: /atur-ulang-sandi/", "Disallow: /api/", "Disallow: /pratinjau",
                    "Allow: /", ""])


@get("/robots.txt", include_in_schema=False, media_type="text/plain")
async def robots() -> str:
    """What search engines may crawl."""
    return ROBOTS


routes = [home, agency_index, agency_page, topic_index, topic_page, profile, favicon, robots]
