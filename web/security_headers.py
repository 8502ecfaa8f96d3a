"""The browser security headers every HTTP response carries, errors from routing included."""

# Scripts, styles and frames only from the forum itself. Inline style attributes stay allowed (the templates
# and htmx's indicator style use them); images only from the forum too: an image in a post renders as a link
# (forum/markup.py), so no reader's browser calls another site.
# frame-ancestors 'none' (and X-Frame-Options for older browsers): no other site can frame the one-click
# moderator forms ("Sembunyikan", "Gabungkan sekarang") under a decoy (clickjacking).
POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
          "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
HEADERS = [
    (b"content-security-policy", POLICY.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]
NAMES = {name for name, _ in HEADERS}
# A page may tighten this one itself (a password-reset page keeps its link out of every Referer).
HANDLER_MAY_SET = {b"referrer-policy"}


def with_security_headers(send, personal: bool = False):
    """`send` that adds HEADERS to the response start (a handler's own value replaces only HANDLER_MAY_SET's);
    with `personal` (a member's request: session cookie or API token) a response that sets no caching of its own
    is marked `Cache-Control: private`, so no shared proxy keeps a member's notifications or e-mail address.

    Applied at the app's entry point (web/forum_app.py), not as Litestar middleware: middleware only wraps
    routed handlers, so an unknown path (404), a wrong method (405) or a refused CSRF token (403) went out
    without these headers."""

    async def send_with_headers(message):
        if message["type"] == "http.response.start":
            own = message.get("headers", [])
            set_here = {k.lower() for k, _ in own} & HANDLER_MAY_SET
            kept = [(k, v) for k, v in own if k.lower() not in NAMES - set_here]
            extra = [(k, v) for k, v in HEADERS if k not in set_here]
            if personal and not any(k.lower() == b"cache-control" for k, _ in own):
                extra.append((b"cache-control", b"private"))
            message = {**message, "headers": kept + extra}
        await send(message)

    return send_with_headers
