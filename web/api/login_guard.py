"""API writes check the bearer token before the body is read: no login is a 401, whatever was sent."""
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from forum import accounts
from forum.permissions import check_logged_in
from forum.errors import NotAuthenticated
from web.deps import INVALID_TOKEN, SAFE_METHODS, bearer_token


def writes_need_login(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """Refuse an API write without a valid bearer token (the handler still checks what the member may do).

    Litestar parses `data` before the handler runs, so without this guard a client with no token that sent
    a malformed body was told about the body (400) rather than about logging in (401)."""
    if connection.scope["method"] in SAFE_METHODS:
        return
    raw = bearer_token(connection.headers)
    user = None
    if raw:
        with connection.app.state.session_factory() as session:  # read only: the handler's session commits
            user = accounts.user_for_api_token(session, raw)
        if user is None:
            raise NotAuthenticated(INVALID_TOKEN)
    check_logged_in(user)
