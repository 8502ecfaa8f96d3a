"""Render a page with the context every template needs (viewer, unread count, flash)."""
import html
from collections.abc import Callable
from datetime import datetime, timezone
from urllib.parse import quote, unquote

from litestar import MediaType, Request, Response
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from forum.notifications import unread_count
from forum.permissions import is_forum_wide_staff
from models import User, utcnow
from models.base import WIB
from web import page_cache

MONTHS = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"]
FLASH_COOKIE = "pesan"
# Names the browser draft (static/app.js) a successful send used, so the next page discards it; a refused
# send (rate limit, a moderator's lock) keeps the draft because this cookie is never set then.
SENT_DRAFT_COOKIE = "draf_terkirim"


def page(request: Request, db: Session, viewer: User | None, template: str, status_code: int = 200,
         **context) -> Template:
    """A full HTML page."""
    raw_flash = request.cookies.get(FLASH_COOKIE)
    flash = unquote(raw_flash) if raw_flash else None
    sent_draft = request.cookies.get(SENT_DRAFT_COOKIE)
    response = Template(
        template_name=template,
        context={**_common(request, viewer, unread_count(db, viewer.id, is_forum_wide_staff(viewer)) if viewer else 0, flash),
                 "sent_draft": sent_draft, **context},
        status_code=status_code,
        media_type=MediaType.HTML,
    )
    if flash:
        response.delete_cookie(FLASH_COOKIE)
    if sent_draft:
        response.delete_cookie(SENT_DRAFT_COOKIE)
    return response


def _common(request: Request, viewer: User | None, unread: int, flash: str | None) -> dict:
    return {"viewer": viewer, "unread": unread, "flash": flash, "request_path": request.url.path}


def shared_page(request: Request, db: Session, viewer: User | None, template: str, key: Callable[[], object],
                build: Callable[[], dict]) -> Template | Response:
    """A page logged-out visitors share through web.page_cache while its key (the data it shows) is unchanged.

    `key()` returns that data and `build()` the full context; each runs only when needed. Members, and anyone
    with a flash message waiting, always get their own page.
    """
    if viewer is not None or request.cookies.get(FLASH_COOKIE) or request.cookies.get(SENT_DRAFT_COOKIE):
        return page(request, db, viewer, template, **build())
    try:
        key = (template, request.url.path, page_cache.fingerprint(key()))
    except page_cache.Uncacheable:
        return page(request, db, viewer, template, **build())
    cache = page_cache.cache_of(request)
    parts = cache.get(key)
    if parts is None:
        parts = cache.put(key, _render_for_everyone(request, template, build()))
    return page_cache.respond(request, parts)


def _render_for_everyone(request: Request, template: str, context: dict) -> str:
    """What page() renders for a logged-out visitor (Litestar adds request and csrf_input the same way), with the
    CSRF token left as a placeholder."""
    token = page_cache.TOKEN_PLACEHOLDER
    # Render-time variables shadow the engine's csrf_token() global, so no visitor's token gets stored.
    return request.app.template_engine.get_template(template).render(
        **_common(request, None, 0, None), **context, request=request, csrf_token=lambda: token,
        csrf_input=f'<input type="hidden" name="_csrf_token" value="{html.escape(token)}" />')


def redirect(url: str, message: str | None = None, status_code: int = 303, sent_draft: str | None = None) -> Redirect:
    """A redirect after a form post, optionally carrying a one-time message (and the name of the draft it sent)."""
    response = Redirect(url, status_code=status_code)
    if message:
        # Percent-encoded: cookie values must be ASCII, and messages quote titles with curly quotes.
        response.set_cookie(FLASH_COOKIE, quote(message[:200]), max_age=60, httponly=True, samesite="lax")
    if sent_draft:
        response.set_cookie(SENT_DRAFT_COOKIE, quote(sent_draft), max_age=60, httponly=True, samesite="lax")
    return response


def relative_time(moment: datetime | None, now: datetime | None = None) -> str:
    """'baru saja', '5 menit lalu', '3 hari lalu', or a date for older moments."""
    if moment is None:
        return ""
    seconds = ((now or utcnow()) - moment).total_seconds()
    if seconds < 60:
        return "baru saja"
    for size, unit in ((86400 * 30, None), (86400, "hari"), (3600, "jam"), (60, "menit")):
        if seconds >= size and unit is None:
            return format_date(moment)
        if seconds >= size:
            return f"{int(seconds // size)} {unit} lalu"
    return format_date(moment)


def _wib(moment: datetime) -> datetime:
    """A stored moment (naive UTC) in Western Indonesia Time, the country's reference clock (no DST)."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone(WIB)


def format_date(moment: datetime | None) -> str:
    """'28 Nov 2026' (the day in WIB)."""
    if moment is None:
        return ""
    local = _wib(moment)
    return f"{local.day} {MONTHS[local.month - 1]} {local.year}"


def format_datetime(moment: datetime | None) -> str:
    """'28 Nov 2026 21.05 WIB'."""
    if moment is None:
        return ""
    local = _wib(moment)
    return f"{format_date(moment)} {local.hour:02d}.{local.minute:02d} WIB"
