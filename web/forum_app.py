"""The forum's Litestar app class: what must happen to every HTTP request before Litestar routes it."""
from litestar import Litestar

from web.deps import SESSION_COOKIE
from web.security_headers import with_security_headers


def without_body(send):
    """For HEAD: forward the GET's status and headers (Content-Length included, as RFC 9110 allows), no body."""

    async def send_head(message):
        if message["type"] == "http.response.body":
            if message.get("more_body", False):
                return  # drop the streamed parts; the last message below ends the response
            message = {"type": "http.response.body", "body": b"", "more_body": False}
        await send(message)

    return send_head


def _is_personal(scope) -> bool:
    """Whether the request carries a member's credentials (the session cookie or an Authorization header)."""
    for name, value in scope.get("headers", []):
        if name == b"authorization" or (name == b"cookie" and SESSION_COOKIE.encode() + b"=" in value):
            return True
    return False


class ForumApp(Litestar):
    """Litestar, with security headers on every response and HEAD answered as GET.

    Litestar routes HEAD only to handlers declared for it, and its middleware runs after routing, so neither a
    HEAD request nor a 404/405/CSRF refusal passes through middleware; the app's own entry point sees both.
    """

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        send = with_security_headers(send, personal=_is_personal(scope))
        if scope["method"] == "HEAD":
            scope, send = {**scope, "method": "GET"}, without_body(send)
        await super().__call__(scope, receive, send)
