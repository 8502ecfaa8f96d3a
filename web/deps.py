"""Dependencies: one database transaction per request, and who is asking."""
from collections.abc import Generator

from litestar import Request
from litestar.datastructures import State
from sqlalchemy.orm import Session

from forum import accounts
from forum.errors import NotAuthenticated
from models import User
from models.db import begin_writing

SESSION_COOKIE = "sesi"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
INVALID_TOKEN = "Token API tidak dikenal atau sudah dicabut. Buat token baru di halaman profil Anda."


def provide_db(request: Request, state: State) -> Generator[Session, None, None]:
    """Open a session; commit when the handler succeeds, roll back when it raises."""
    session = state.session_factory()
    opt = request.route_handler.opt
    if (request.method not in SAFE_METHODS and not opt.get("reads_only")) or opt.get("writes"):
        # SQLite: concurrent writes wait for each other instead of failing. The body is already in by now
        # (the CSRF check reads form posts, the API parses `data` first), so a slow upload holds no lock.
        # A POST that stores nothing and awaits slow work (the preview) is `reads_only`: holding the write lock
        # across its await made every other write wait in the event loop for it, which then could not finish.
        begin_writing(session)
    try:
        yield session
    except Exception:
        session.rollback()
        raise
    else:
        session.commit()
    finally:
        session.close()


def bearer_token(headers) -> str | None:
    """The token of an `Authorization: Bearer …` header, or None when there is none."""
    auth = headers.get("authorization", "")
    return auth[7:].strip() if auth.lower().startswith("bearer ") else None


def provide_viewer(request: Request, db: Session) -> User | None:
    """The logged-in member: a bearer token (API) or the session cookie (browser)."""
    token = bearer_token(request.headers)
    if token is not None:
        user = accounts.user_for_api_token(db, token)
        if user is None:
            # A client sending a wrong or revoked token must learn it, not quietly read as a visitor.
            raise NotAuthenticated(INVALID_TOKEN)
        return user
    # Cookie sessions are only trusted for the API's safe methods: API writes need a token (no CSRF there).
    if request.url.path.startswith("/api/") and request.method not in SAFE_METHODS:
        return None
    return accounts.user_for_session(db, request.cookies.get(SESSION_COOKIE))
