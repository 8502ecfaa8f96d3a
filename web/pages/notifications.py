"""The bell: notification list, open one, mark all read; and the threads the member follows."""
from litestar import Request, get, post
from sqlalchemy.orm import Session

from forum import notifications
from forum.listing import list_threads, parse_page
from forum.permissions import check_logged_in, is_forum_wide_staff
from models import User
from models.db import begin_writing
from web.forms import int_or_none
from web.render import page, redirect

PER_PAGE = 50


def mark_read_elsewhere(request: Request, user_id: int, thread_id: int) -> None:
    """Mark the thread's notifications read in a short writing transaction of its own.

    A page view reads; turning its own transaction into a writing one would make every member's page view
    wait for the SQLite write lock, while this runs only when something is unread about the thread."""
    with request.app.state.session_factory() as session:
        begin_writing(session)
        notifications.mark_thread_read(session, user_id, thread_id)
        session.commit()


@get("/notifikasi")
async def notification_list(request: Request, db: Session, viewer: User | None) -> object:
    """Newest notifications first."""
    viewer = check_logged_in(viewer)
    before = int_or_none(request.query_params.get("sebelum"))
    notes = notifications.list_notifications(db, viewer.id, PER_PAGE + 1, is_forum_wide_staff(viewer), before)
    return page(request, db, viewer, "notifications.html", notes=notes[:PER_PAGE], older_page=before is not None,
                next_before=notes[PER_PAGE - 1].id if len(notes) > PER_PAGE else None)


@get("/notifikasi/{note_id:int}", opt={"writes": True})  # marks the notification read
async def notification_open(db: Session, viewer: User | None, note_id: int) -> object:
    """Mark one notification read and go where it points."""
    viewer = check_logged_in(viewer)
    note = notifications.open_notification(db, viewer.id, note_id)
    return redirect(note.url if note and note.url.startswith("/") else "/notifikasi", status_code=302)


@get("/diikuti")
async def followed_threads(request: Request, db: Session, viewer: User | None) -> object:
    """The threads the member follows (their new replies ring the bell), latest activity first."""
    viewer = check_logged_in(viewer)
    found = list_threads(db, viewer, followed_by=viewer, page=parse_page(request.query_params.get("hal")),
                         page_size=request.app.state.settings.page_size, clamp_page=True)
    return page(request, db, viewer, "followed.html", threads=found)


@post("/notifikasi/baca-semua")
async def notification_read_all(db: Session, viewer: User | None) -> object:
    """Mark everything read."""
    viewer = check_logged_in(viewer)
    notifications.mark_all_read(db, viewer.id)
    return redirect("/notifikasi", "Semua notifikasi ditandai sudah dibaca.")


routes = [notification_list, notification_open, notification_read_all, followed_threads]
