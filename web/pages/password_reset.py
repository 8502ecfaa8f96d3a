"""Forgotten passwords: an admin makes a one-time link on the member's profile; the member sets a new password."""
from litestar import Request, get, post
from litestar.datastructures import State
from sqlalchemy.orm import Session

from forum import accounts, password_resets
from forum.errors import RateLimited, ValidationFailed
from models import User
from web.forms import client_ip, read_form
from web.ratelimit import limit_writes
from web.render import page, redirect

RESET_PATH = "/atur-ulang-sandi/"


def _private(response):
    # The link (and the page reached through it) holds a credential: no copy in any cache or history.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@post("/u/{username:str}/atur-ulang-sandi")
async def issue_link(request: Request, db: Session, viewer: User | None, state: State, username: str) -> object:
    """Admins only: make the member a one-time link to set a new password, shown once."""
    member = accounts.get_user(db, username)
    data = await read_form(request)
    if viewer is not None:
        limit_writes(db, state, viewer)
    try:
        raw, reset = password_resets.issue_password_reset(db, actor=viewer, member=member, reason=data.get("alasan", ""))
    except ValidationFailed as exc:
        return redirect(f"/u/{member.username}", exc.message)
    # The configured public address, not the request's Host header (behind a proxy that is the internal one,
    # and a forged Host would otherwise put another site into the link the admin passes on).
    link = (state.settings.public_url or str(request.base_url).rstrip("/")) + RESET_PATH + raw
    return _private(page(request, db, viewer, "password_reset_link.html", member=member, link=link,
                         expires_at=reset.expires_at))


@get(RESET_PATH + "{token:str}")
async def reset_form(request: Request, db: Session, viewer: User | None, token: str) -> object:
    """The member's form for a new password (an invalid link is an Indonesian 404 saying why)."""
    reset = password_resets.find_password_reset(db, token)
    return _private(page(request, db, viewer, "password_reset.html", member=reset.user, errors={}))


@post(RESET_PATH + "{token:str}")
async def reset_submit(request: Request, db: Session, viewer: User | None, state: State, token: str) -> object:
    """Set the new password; the member then logs in with it (every earlier login session has ended)."""
    data = await read_form(request)
    reset = password_resets.find_password_reset(db, token)
    try:
        state.limiter.hit(db, f"password-reset:{client_ip(request)}", state.settings.login_attempts_per_minute, 60,
                          "Terlalu banyak percobaan. Tunggu satu menit lalu coba lagi.")
        member = password_resets.reset_password(db, token, data.get("password", ""))
    except (ValidationFailed, RateLimited) as exc:
        db.rollback()
        return _private(page(request, db, viewer, "password_reset.html", status_code=exc.status_code,
                             member=reset.user, error=exc.message, errors=exc.fields))
    return redirect(f"/masuk?lanjut=/u/{member.username}", "Kata sandi baru tersimpan. Silakan masuk dengannya.")


routes = [issue_link, reset_form, reset_submit]
