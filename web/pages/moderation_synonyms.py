"""Halaman kamus pencarian: moderators add the forum's own synonyms and acronyms ("tukin, tunjangan kinerja")."""
from litestar import Request, get, post
from litestar.datastructures import State
from sqlalchemy.orm import Session

from forum import synonyms
from forum.errors import ForumError
from forum.permissions import can_edit_synonyms, check_moderator
from models import User
from search.text import dictionary_groups
from web.forms import read_form
from web.render import page, redirect
from web.ratelimit import limit_writes


def _synonyms_page(request: Request, db: Session, viewer: User, form: dict, status_code: int = 200,
                   error: str | None = None, errors: dict | None = None):
    shipped, local = dictionary_groups()
    return page(request, db, viewer, "moderation_synonyms.html", status_code=status_code, tab="sinonim",
                groups=synonyms.list_synonym_groups(db), shipped=shipped, local=local, form=form, error=error,
                errors=errors or {}, can_edit=can_edit_synonyms(viewer))


@get("/moderasi/sinonim")
async def synonyms_form(request: Request, db: Session, viewer: User | None) -> object:
    """The forum's synonym groups, the shipped dictionary, and the form (prefilled from ?istilah=)."""
    viewer = check_moderator(viewer)
    # Prefilled from a search that found nothing: its words, without the search operators (instansi:bkn).
    words = [w for w in (request.query_params.get("istilah") or "")[:500].split() if ":" not in w]
    return _synonyms_page(request, db, viewer, {"istilah": " ".join(words)})


@post("/moderasi/sinonim")
async def synonyms_add(request: Request, db: Session, viewer: User | None, state: State) -> object:
    """Add one group; a bad one comes back with the typed terms and an Indonesian error."""
    viewer = check_moderator(viewer)
    data = await read_form(request)
    try:
        limit_writes(db, state, viewer)  # inside: a refusal for sending too fast keeps the typed terms too
        group = synonyms.add_synonym_group(db, actor=viewer, text=data.get("istilah", ""), reason=data.get("alasan", ""))
    except ForumError as exc:
        if exc.status_code not in (400, 429):
            raise
        db.rollback()
        return _synonyms_page(request, db, viewer, data, exc.status_code, exc.message, exc.fields)
    return redirect("/moderasi/sinonim", f"Sinonim ditambahkan: {', '.join(group.term_list)}. Berlaku untuk pencarian "
                    "dalam setengah menit.")


@post("/moderasi/sinonim/{group_id:int}/hapus")
async def synonyms_remove(request: Request, db: Session, viewer: User | None, state: State, group_id: int) -> object:
    """Delete one of the forum's groups."""
    viewer = check_moderator(viewer)
    data = await read_form(request)
    try:
        limit_writes(db, state, viewer)
        group = synonyms.remove_synonym_group(db, actor=viewer, group_id=group_id, reason=data.get("alasan", ""))
    except ForumError as exc:
        if exc.status_code not in (400, 429):
            raise
        db.rollback()
        return _synonyms_page(request, db, viewer, {}, exc.status_code, exc.message, {})
    return redirect("/moderasi/sinonim", f"Sinonim dihapus: {', '.join(group.term_list)}.")


routes = [synonyms_form, synonyms_add, synonyms_remove]
