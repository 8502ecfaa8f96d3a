"""Personal API tokens, managed from the member's own profile page."""
from litestar import Request, get, post
from sqlalchemy.orm import Session

from forum import accounts
from forum.errors import ValidationFailed
from forum.listing import list_threads, list_user_replies
from forum.permissions import check_logged_in
from models import User
from web.forms import read_form
from web.render import page, redirect


@post("/akun/token")
async def token_create(request: Request, db: Session, viewer: User | None) -> object:
    """Create a token and show its value once."""
    viewer = check_logged_in(viewer)
    data = await read_form(request)
    error, raw = None, None
    try:
        raw, _ = accounts.create_api_token(db, viewer, data.get("name", ""))
    except ValidationFailed as exc:
        error = exc.message
    response = page(request, db, viewer, "profile.html", status_code=400 if error else 200, member=viewer, own=True,
                    threads=list_threads(db, viewer, author=viewer, sort="terbaru"),
                    replies=list_user_replies(db, viewer, viewer), tokens=accounts.list_api_tokens(db, viewer),
                    new_token=raw, error=error)
    response.headers["Cache-Control"] = "no-store"  # the token is shown once: no copy in any cache or history
    return response


@post("/akun/token/{token_id:int}/hapus")
async def token_revoke(db: Session, viewer: User | None, token_id: int) -> object:
    """Revoke one of the member's tokens."""
    viewer = check_logged_in(viewer)
    accounts.revoke_api_token(db, viewer, token_id)
    return redirect(f"/u/{viewer.username}#token", "Token dicabut.")


@get("/akun")
async def my_account(viewer: User | None) -> object:
    """Shortcut to the member's own profile."""
    viewer = check_logged_in(viewer)
    return redirect(f"/u/{viewer.username}", status_code=302)


routes = [token_create, token_revoke, my_account]
