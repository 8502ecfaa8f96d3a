"""ASGI middleware adding the browser security headers to every HTTP response."""

# Scripts, styles and frames only from the forum itself. Inline style attributes stay allowed (the templates
# and htmx's indicator style use them); images may come from https links in posts, as Markdown allows.
# frame-ancestors 'none' (and X-Frame-Options for older browsers): no other site can frame the one-click
# moderator forms ("Sembunyikan", "Gabungkan sekarang") under a decoy (clickjacking).
POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' https: data:; "
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


def security_headers(app):
    """Wrap `app` so every HTTP response carries HEADERS (a handler's own value replaces only HANDLER_MAY_SET's)."""

    async def with_headers(scope, receive, send):
        if scope["type"] != "http":
            await app(scope, receive, send)
            return

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                own = message.get("headers", [])
                set_here = {k.lower() for k, _ in own} & HANDLER_MAY_SET
                kept = [(k, v) for k, v in own if k.lower() not in NAMES - set_here]
                message = {**message, "headers": kept + [(k, v) for k, v in HEADERS if k not in set_here]}
            await send(message)

        await app(scope, receive, send_with_headers)

    return with_headers
