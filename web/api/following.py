"""API: following threads and the notification bell, as the pages offer them."""
from typing import Any

from litestar import delete, get, post, put
from sqlalchemy.orm import Session

from forum import notifications, threads
from forum.errors import NotFound
from forum.permissions import check_logged_in, is_forum_wide_staff
from models import Notification, User

NOTES_PER_PAGE = 50


def _live(db: Session, viewer: User, thread_id: int):
    """The thread, or the one it was merged into: following a redirect would never bring a notification."""
    return threads.resolve_merged(db, threads.get_thread(db, thread_id, viewer), viewer)


def notification_json(note: Notification) -> dict[str, Any]:
    return {"id": note.id, "kind": note.kind, "message": note.message, "url": note.url,
            "actor": note.actor.username if note.actor else None, "thread_id": note.thread_id, "post_id": note.post_id,
            "created_at": note.created_at.isoformat() + "Z", "read": note.read_at is not None}


@get("/threads/{thread_id:int}/follow", summary="Apakah saya mengikuti diskusi ini")
async def following(db: Session, viewer: User | None, thread_id: int) -> dict[str, Any]:
    viewer = check_logged_in(viewer)
    thread = _live(db, viewer, thread_id)
    return {"thread_id": thread.id, "following": threads.is_watching(db, viewer, thread)}


@put("/threads/{thread_id:int}/follow", summary="Ikuti diskusi (balasan baru masuk notifikasi)")
async def follow(db: Session, viewer: User | None, thread_id: int) -> dict[str, Any]:
    viewer = check_logged_in(viewer)
    thread = _live(db, viewer, thread_id)
    threads.watch_thread(db, viewer, thread)
    return {"thread_id": thread.id, "following": True}


@delete("/threads/{thread_id:int}/follow", summary="Berhenti mengikuti diskusi", status_code=200)
async def unfollow(db: Session, viewer: User | None, thread_id: int) -> dict[str, Any]:
    viewer = check_logged_in(viewer)
    thread = _live(db, viewer, thread_id)
    threads.unwatch_thread(db, viewer, thread)
    return {"thread_id": thread.id, "following": False}


@get("/notifications", summary="Notifikasi saya, terbaru dahulu (50 per halaman; lanjutkan dengan before)")
async def notification_list(db: Session, viewer: User | None, before: int | None = None) -> dict[str, Any]:
    """`next_before` (when more are left) is the `before` value of the next, older page."""
    viewer = check_logged_in(viewer)
    staff = is_forum_wide_staff(viewer)
    found = notifications.list_notifications(db, viewer.id, NOTES_PER_PAGE + 1, staff, before)
    shown = found[:NOTES_PER_PAGE]
    return {"unread": notifications.unread_count(db, viewer.id, staff), "items": [notification_json(n) for n in shown],
            "next_before": shown[-1].id if len(found) > NOTES_PER_PAGE else None}


@post("/notifications/read", summary="Tandai semua notifikasi sudah dibaca", status_code=200)
async def notification_read_all(db: Session, viewer: User | None) -> dict[str, Any]:
    viewer = check_logged_in(viewer)
    notifications.mark_all_read(db, viewer.id)
    return {"unread": 0}


@post("/notifications/{note_id:int}/read", summary="Tandai satu notifikasi sudah dibaca", status_code=200)
async def notification_read(db: Session, viewer: User | None, note_id: int) -> dict[str, Any]:
    viewer = check_logged_in(viewer)
    note = notifications.open_notification(db, viewer.id, note_id)
    if note is None:
        raise NotFound("Notifikasi tidak ditemukan.")
    return notification_json(note)


handlers = [following, follow, unfollow, notification_list, notification_read_all, notification_read]
