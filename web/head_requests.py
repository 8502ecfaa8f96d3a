"""HEAD requests answered as the GET they mirror, without the body (uptime monitors and link checkers send HEAD)."""
from litestar import Litestar


def _without_body(send):
    """Forward the GET's status and headers (its Content-Length included, as RFC 9110 allows) but no body bytes."""

    async def send_head(message):
        if message["type"] == "http.response.body":
            if message.get("more_body", False):
                return  # drop the streamed parts; the last message below ends the response
            message = {"type": "http.response.body", "body": b"", "more_body": False}
        await send(message)

    return send_head


class ForumApp(Litestar):
    """The Litestar app, with HEAD mapped onto GET before routing.

    Litestar routes HEAD only to handlers declared for it, and its middleware runs after routing, so a
    middleware cannot turn the 405 into an answer; the app's own entry point can.
    """

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["method"] == "HEAD":
            await super().__call__({**scope, "method": "GET"}, receive, _without_body(send))
            return
        await super().__call__(scope, receive, send)
