"""Beranda, instansi and topik pages, member profiles."""
from litestar import Request, get
from sqlalchemy.orm import Session

from forum import accounts, catalog
from forum.listing import SORTS, list_threads, list_user_replies, parse_page
from models import User
from web.render import page


def _listing(request: Request, db: Session, viewer: User | None, *, agency=None, topic=None, author=None):
    params = request.query_params
    if agency is None and params.get("instansi"):
        agency = catalog.get_agency(db, params.get("instansi"))
    if topic is None and params.get("topik"):
        topic = catalog.get_topic(db, params.get("topik"))
    sort = params.get("urut", "aktivitas")
    sort = sort if sort in SORTS else "aktivitas"
    result = list_threads(db, viewer, agency=agency, topic=topic, author=author, sort=sort,
                          page=parse_page(params.get("hal")), page_size=request.app.state.settings.page_size)
    return {"threads": result, "sort": sort, "sorts": SORTS, "agency": agency, "topic": topic,
            "agencies": catalog.list_agencies(db), "topics": catalog.list_topics(db)}


@get("/", name="home")
async def home(request: Request, db: Session, viewer: User | None) -> object:
    """Beranda: every thread, newest activity first, filterable by agency and topic."""
    return page(request, db, viewer, "home.html", **_listing(request, db, viewer))


@get("/instansi")
async def agency_index(request: Request, db: Session, viewer: User | None) -> object:
    """All agencies."""
    return page(request, db, viewer, "agencies.html", agencies=catalog.list_agencies(db))


@get("/instansi/{slug:str}")
async def agency_page(request: Request, db: Session, viewer: User | None, slug: str) -> object:
    """Threads of one agency."""
    agency = catalog.get_agency(db, slug)
    return page(request, db, viewer, "home.html", heading=agency.name, **_listing(request, db, viewer, agency=agency))


@get("/topik")
async def topic_index(request: Request, db: Session, viewer: User | None) -> object:
    """All topics."""
    return page(request, db, viewer, "topics.html", topics=catalog.list_topics(db))


@get("/topik/{slug:str}")
async def topic_page(request: Request, db: Session, viewer: User | None, slug: str) -> object:
    """Threads of one topic."""
    topic = catalog.get_topic(db, slug)
    return page(request, db, viewer, "home.html", heading=topic.name, heading_note=topic.description,
                **_listing(request, db, viewer, topic=topic))


@get("/u/{username:str}")
async def profile(request: Request, db: Session, viewer: User | None, username: str) -> object:
    """A member's threads and replies; their own page also manages API tokens."""
    member = accounts.get_user(db, username)
    own = viewer is not None and viewer.id == member.id
    return page(request, db, viewer, "profile.html", member=member, own=own,
                threads=list_threads(db, viewer, author=member, sort="terbaru", page=parse_page(request.query_params.get("hal"))),
                replies=list_user_replies(db, viewer, member),
                tokens=accounts.list_api_tokens(db, member) if own else [],
                new_token=None)


routes = [home, agency_index, agency_page, topic_index, topic_page, profile]
