"""The member's own account, on their profile page: name, bio and agency, personal API tokens, the password,
logged-in browsers."""
from litestar import Request, get, post
from litestar.datastructures import State
from sqlalchemy.orm import Session

from forum import accounts, catalog, profiles
from forum.errors import RateLimited, ValidationFailed
from forum.listing import list_threads, list_user_replies
from forum.permissions import check_logged_in
from forum.threads import merged_questions
from models import User
from web.deps import SESSION_COOKIE
from web.forms import read_form
from web.ratelimit import limit_writes
from web.render import page, redirect


def own_forms(db: Session, viewer: User) -> dict:
    """What the own-profile forms need: the agencies to choose from and the profile as stored."""
    return {"agencies": catalog.list_agencies(db),
            "profile_form": {"display_name": viewer.display_name, "bio": viewer.bio, "agency": viewer.agency.slug}}


def own_profile(request: Request, db: Session, viewer: User, status_code: int = 200, **extra):
    """The member's own profile page answering one of its forms (a refusal keeps the form's message)."""
    context = {"new_token": None, "error": None, "errors": {}, **own_forms(db, viewer), **extra}
    response = page(request, db, viewer, "profile.html", status_code=status_code, member=viewer, own=True,
                    threads=list_threads(db, viewer, author=viewer, sort="terbaru"),
                    replies=list_user_replies(db, viewer, viewer), merged=merged_questions(db, viewer, viewer),
                    tokens=accounts.list_api_tokens(db, viewer),
                    sessions=accounts.count_sessions(db, viewer), **context)
    response.headers["Cache-Control"] = "no-store"  # a new token is shown once: no copy in any cache or history
    return response


@post("/akun/profil")
async def profile_update(request: Request, db: Session, viewer: User | None, state: State) -> object:
    """Change the name shown on posts, the bio and the home agency; errors come back with what was typed."""
    viewer = check_logged_in(viewer)
    data = await read_form(request)
    try:
        limit_writes(db, state, viewer)
        profiles.update_profile(db, viewer, display_name=data.get("display_name", ""), bio=data.get("bio", ""),
                                agency=data.get("agency", ""))
    except (ValidationFailed, RateLimited) as exc:
        db.rollback()
        return own_profile(request, db, viewer, exc.status_code, profile_error=exc.message, errors=exc.fields,
                           profile_form=data)
    return redirect(f"/u/{viewer.username}#profil", "Profil diperbarui.")


@post("/akun/token")
async def token_create(request: Request, db: Session, viewer: User | None, state: State) -> object:
    """Create a token and show its value once."""
    viewer = check_logged_in(viewer)
    data = await read_form(request)
    try:
        limit_writes(db, state, viewer)
        raw, _ = accounts.create_api_token(db, viewer, data.get("name", ""))
    except (ValidationFailed, RateLimited) as exc:
        db.rollback()
        return own_profile(request, db, viewer, exc.status_code, error=exc.message)
    return own_profile(request, db, viewer, new_token=raw)


@post("/akun/token/{token_id:int}/hapus")
async def token_revoke(db: Session, viewer: User | None, token_id: int) -> object:
    """Revoke one of the member's tokens."""
    viewer = check_logged_in(viewer)
    accounts.revoke_api_token(db, viewer, token_id)
    return redirect(f"/u/{viewer.username}#token", "Token dicabut.")


@post("/akun/kata-sandi")
async def password_change(request: Request, db: Session, viewer: User | None, state: State) -> object:
    """Change the password (the current one first); every other browser is logged out."""
    viewer = check_logged_in(viewer)
    data = await read_form(request)
    try:
        # The current password is a password guess like a login: the same per-minute allowance.
        state.limiter.hit(db, f"password-change:{viewer.id}", state.settings.login_attempts_per_minute, 60,
                          "Terlalu banyak percobaan. Tunggu satu menit lalu coba lagi.")
        revoked = accounts.change_password(db, viewer, current=data.get("current_password", ""),
                                           new=data.get("password", ""), keep_token=request.cookies.get(SESSION_COOKIE))
    except (ValidationFailed, RateLimited) as exc:
        db.rollback()
        return own_profile(request, db, viewer, exc.status_code, password_error=exc.message, errors=exc.fields)
    tokens = f" {revoked} token API dicabut; buat yang baru bila masih diperlukan." if revoked else ""
    return redirect(f"/u/{viewer.username}#keamanan",
                    "Kata sandi diganti. Perangkat lain yang masuk dengan akun ini sudah dikeluarkan." + tokens)


@post("/akun/keluar-lain")
async def logout_elsewhere(request: Request, db: Session, viewer: User | None) -> object:
    """End every login session of the member except this browser's."""
    viewer = check_logged_in(viewer)
    ended = accounts.end_other_sessions(db, viewer, request.cookies.get(SESSION_COOKIE))
    return redirect(f"/u/{viewer.username}#keamanan", f"Keluar dari {ended} perangkat lain.")


@get("/akun")
async def my_account(viewer: User | None) -> object:
    """Shortcut to the member's own profile."""
    viewer = check_logged_in(viewer)
    return redirect(f"/u/{viewer.username}", status_code=302)


routes = [profile_update, token_create, token_revoke, password_change, logout_elsewhere, my_account]
