"""Halaman peran: admins appoint moderators, optionally limited to agencies or topics."""
from litestar import Request, get, post
from litestar.datastructures import State
from sqlalchemy.orm import Session

from forum import accounts, catalog, roles
from forum.errors import ForumError
from forum.permissions import check_admin
from models import User
from web.forms import read_form
from web.render import page, redirect
from web.ratelimit import limit_writes


def _roles_page(request: Request, db: Session, viewer: User, form: dict, status_code: int = 200,
                error: str | None = None, errors: dict | None = None):
    return page(request, db, viewer, "moderation_roles.html", status_code=status_code, tab="peran",
                staff=roles.list_staff(db, viewer), role_names=roles.ROLE_NAMES, form=form, error=error,
                errors=errors or {}, agencies=catalog.list_agencies(db), topics=catalog.list_topics(db))


@get("/moderasi/peran")
async def roles_form(request: Request, db: Session, viewer: User | None) -> object:
    """Staff list and the appointment form (admins only)."""
    viewer = check_admin(viewer)
    return _roles_page(request, db, viewer, {"role": "moderator", "agencies": [], "topics": []})


@post("/moderasi/peran")
async def roles_submit(request: Request, db: Session, viewer: User | None, state: State) -> object:
    """Set a member's role and scopes."""
    viewer = check_admin(viewer)
    data = await read_form(request, lists=("agencies", "topics"))
    try:
        limit_writes(db, state, viewer)  # inside: a refusal for sending too fast keeps the form as filled in
        user = accounts.get_user(db, data.get("username", "").strip())
        roles.set_role(db, actor=viewer, user=user, role=data.get("role", ""), agencies=data["agencies"],
                       topics=data["topics"], reason=data.get("alasan", ""))
    except ForumError as exc:
        if exc.status_code not in (400, 404, 429):
            raise
        db.rollback()
        return _roles_page(request, db, viewer, data, 429 if exc.status_code == 429 else 400, exc.message, exc.fields)
    return redirect("/moderasi/peran", f"Peran @{user.username} sekarang {roles.ROLE_NAMES[user.role].lower()}.")


routes = [roles_form, roles_submit]
