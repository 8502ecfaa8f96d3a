"""Deleting one's own reply (a confirmation page showing the reply, then the deletion) and restoring it; deleting
one's own unanswered question."""
from litestar import Request, get, post
from litestar.datastructures import State
from sqlalchemy.orm import Session

from forum import posts, threads
from forum.permissions import check, check_logged_in
from forum.post_deletion import check_deletable, delete_post, restore_post
from forum.question_withdrawal import own_question_to_withdraw, withdraw_question, withdrawal_blocker
from forum.thread_pages import post_url
from models import User
from web.render import page, redirect
from web.ratelimit import limit_writes


@get("/tulisan/{post_id:int}/hapus")
async def delete_form(request: Request, db: Session, viewer: User | None, post_id: int) -> object:
    """Ask before deleting: the reply is shown, with what deleting it does."""
    viewer = check_logged_in(viewer)
    item = posts.get_post(db, post_id, viewer)
    thread = threads.get_thread(db, item.thread_id, viewer)
    if item.is_deleted:
        return redirect(post_url(db, thread, item.id), "Tulisan ini sudah dihapus.")
    check_deletable(viewer, item, thread)
    return page(request, db, viewer, "delete_post.html", post=item, thread=thread)


def _apply(db: Session, state: State, viewer: User | None, post_id: int, verb, done: str) -> object:
    """Delete or restore (`verb`) the reply, then go back to its place in the thread saying `done`."""
    viewer = check_logged_in(viewer)
    limit_writes(db, state, viewer)
    item = posts.get_post(db, post_id, viewer)
    thread = threads.get_thread(db, item.thread_id, viewer)
    verb(db, post=item, actor=viewer)
    return redirect(post_url(db, thread, item.id), done)


@post("/tulisan/{post_id:int}/hapus")
async def delete_submit(db: Session, state: State, viewer: User | None, post_id: int) -> object:
    """Delete the reply and go back to where it was in the thread."""
    return _apply(db, state, viewer, post_id, delete_post, "Tulisan dihapus.")


@post("/tulisan/{post_id:int}/pulihkan")
async def restore_submit(db: Session, state: State, viewer: User | None, post_id: int) -> object:
    """Restore a deleted reply and go back to its place in the thread."""
    return _apply(db, state, viewer, post_id, restore_post, "Tulisan dipulihkan.")


@get("/diskusi/{thread_id:int}/hapus")
async def withdraw_form(request: Request, db: Session, viewer: User | None, thread_id: int) -> object:
    """Ask before deleting the whole question: it is shown, with what deleting it does."""
    viewer = check_logged_in(viewer)
    thread = own_question_to_withdraw(db, thread_id, viewer)
    if thread is None or thread.is_hidden:
        return redirect("/", "Pertanyaan ini sudah dihapus.")
    check(viewer.id == thread.author_id, "Hanya penanya yang dapat menghapus pertanyaannya.")
    blocker = withdrawal_blocker(db, thread)
    if blocker:
        raise blocker
    question = posts.get_post(db, thread.first_post_id, viewer)
    return page(request, db, viewer, "withdraw_question.html", post=question, thread=thread)


@post("/diskusi/{thread_id:int}/hapus")
async def withdraw_submit(request: Request, db: Session, state: State, viewer: User | None, thread_id: int) -> object:
    """Delete the question and go to the asker's home page."""
    viewer = check_logged_in(viewer)
    limit_writes(db, state, viewer)
    thread = own_question_to_withdraw(db, thread_id, viewer)
    if thread is not None:
        withdraw_question(db, thread=thread, actor=viewer)
    return redirect("/", "Pertanyaan Anda dihapus.")


routes = [delete_form, delete_submit, restore_submit, withdraw_form, withdraw_submit]
