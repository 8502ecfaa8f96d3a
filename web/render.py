"""Render a page with the context every template needs (viewer, unread count, flash)."""
from datetime import datetime
from urllib.parse import quote, unquote

from litestar import MediaType, Request
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from forum.notifications import unread_count
from models import User, utcnow

MONTHS = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"]
FLASH_COOKIE = "pesan"


def page(request: Request, db: Session, viewer: User | None, template: str, status_code: int = 200,
         **context) -> Template:
    """A full HTML page."""
    raw_flash = request.cookies.get(FLASH_COOKIE)
    flash = unquote(raw_flash) if raw_flash else None
    response = Template(
        template_name=template,
        context={"viewer": viewer, "unread": unread_count(db, viewer.id) if viewer else 0,
                 "flash": flash, "request_path": request.url.path, **context},
        status_code=status_code,
        media_type=MediaType.HTML,
    )
    if flash:
        response.delete_cookie(FLASH_COOKIE)
    return response


def redirect(url: str, message: str | None = None, status_code: int = 303) -> Redirect:
    """A redirect after a form post, optionally carrying a one-time message."""
    response = Redirect(url, status_code=status_code)
    if message:
        # Percent-encoded: cookie values must be ASCII, and messages quote titles with curly quotes.
        response.set_cookie(FLASH_COOKIE, quote(message[:200]), max_age=60, httponly=True, samesite="lax")
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


def format_date(moment: datetime | None) -> str:
    """'28 Nov 2026'."""
    if moment is None:
        return ""
    return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}"


def format_datetime(moment: datetime | None) -> str:
    """'28 Nov 2026 14.05 UTC'."""
    if moment is None:
        return ""
    return f"{format_date(moment)} {moment.hour:02d}.{moment.minute:02d} UTC"
