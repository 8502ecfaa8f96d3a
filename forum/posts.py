"""Posts: reply, edit (keeping revisions), accept an answer."""
from datetime import datetime

from sqlalchemy import case, func, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from forum.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from forum.indexing import index_post
from forum.markup import render_markdown
from forum.moderation_log import log_action
from forum.notifications import already_notified, notify
from forum.permissions import (can_accept_answer, can_edit_post, can_moderate, can_reply, can_view_post, check,
                               check_logged_in)
from forum.read_model import valid_id
from forum.resends import resent_reply
from forum.similar_answered import tell_waiting_askers
from forum.text import clean_body, slugify
from forum.thread_pages import post_url
from forum.threads import clean_title, get_thread
from models import Post, PostRevision, Thread, User, Watch, utcnow

REPLY_MIN, REPLY_MAX = 2, 50_000


def post_place(session: Session, post_id: object, viewer: User | None = None) -> tuple[Post, Thread]:
    """A post and its thread, for a link to where it sits: a hidden post too (its thread shows a placeholder
    in its place to everyone), but never one in a thread the viewer may not see (NotFound)."""
    post = session.get(Post, post_id) if valid_id(post_id) else None
    if post is None:
        raise NotFound("Tulisan tidak ditemukan.")
    return post, get_thread(session, post.thread_id, viewer)


def check_editable(editor: User, post: Post, thread: Thread) -> None:
    """PermissionDenied, with the reason in words, unless `editor` may edit `post`."""
    if editor.id == post.author_id and not can_moderate(editor, thread):
        if post.is_hidden:
            raise PermissionDenied("Tulisan ini disembunyikan moderator, jadi tidak dapat disunting. "
                                   "Hubungi moderator bila Anda ingin memperbaikinya.")
        if thread.is_locked:
            raise PermissionDenied("Diskusi ini dikunci moderator, jadi tulisan di dalamnya tidak dapat disunting lagi.")
    check(can_edit_post(editor, post, thread), "Anda tidak dapat menyunting tulisan ini.")


def get_post(session: Session, post_id: object, viewer: User | None = None) -> Post:
    """A post the viewer may see (its thread too), or NotFound."""
    if not valid_id(post_id):
        raise NotFound("Tulisan tidak ditemukan.")
    post = session.get(Post, post_id)
    if post is None:
        raise NotFound("Tulisan tidak ditemukan.")
    thread = get_thread(session, post.thread_id, viewer)
    if not can_view_post(viewer, post, thread):
        raise NotFound("Tulisan tidak ditemukan.")
    return post


def reply(session: Session, *, author: User | None, thread: Thread, body_md: object,
          reply_to: int | None = None, now: datetime | None = None) -> Post:
    """Add a reply to the thread (or to one of its posts) and notify who should know."""
    author = check_logged_in(author)
    if thread.merged_into_id:
        raise ValidationFailed("Diskusi ini sudah digabungkan ke diskusi lain; balas di sana.")
    check(can_reply(author, thread), "Diskusi ini dikunci; balasan baru tidak dapat ditambahkan.")
    body = clean_body(body_md, "Balasan", "body_md", REPLY_MIN, REPLY_MAX)
    parent = None
    if reply_to not in (None, ""):  # 0 is refused as a negative id is, not read as "no target"
        if not valid_id(reply_to):  # a huge number would overflow the database's integers (a 500, not a 400)
            raise ValidationFailed("Balasan yang dirujuk tidak valid.", field="reply_to")
        parent = session.get(Post, reply_to)
        if parent is None or parent.thread_id != thread.id:
            raise ValidationFailed("Balasan yang dirujuk tidak ada di diskusi ini.", field="reply_to")
        if parent.is_deleted or not can_view_post(author, parent, thread):
            # Deleted, or hidden by a moderator, while the member was typing: the words still belong to the
            # discussion, so they go to the thread itself (the page says why it no longer shows "membalas @nama"),
            # never back to a form that would refuse them again. A hidden post's author is not told.
            parent = None
    now = now or utcnow()
    earlier = resent_reply(session, author, thread, body, parent.id if parent else None, now)
    if earlier is not None:
        return earlier  # the same form sent again: the reply it already made
    _count_reply(session, thread, now)
    rendered = render_markdown(body)
    post = Post(thread_id=thread.id, author_id=author.id, reply_to_id=parent.id if parent else None,
                body_md=body, body_html=rendered.html, body_text=rendered.text, created_at=now)
    session.add(post)
    session.flush()
    index_post(session, post, thread)
    _notify_reply(session, thread, post, parent, author)
    if session.get(Watch, (author.id, thread.id)) is None:
        session.add(Watch(user_id=author.id, thread_id=thread.id, created_at=now))
    return post


def _count_reply(session: Session, thread: Thread, now: datetime) -> None:
    """Bump the counters in one guarded UPDATE, which also takes the row lock before the post is written.

    A merge committed meanwhile (merged_into_id set) matches no row: the reply is refused rather than
    landing in a thread that no longer shows its posts.
    """
    try:
        result = session.execute(
            update(Thread).where(Thread.id == thread.id, Thread.merged_into_id.is_(None))
            .values(reply_count=Thread.reply_count + 1, version=Thread.version + 1,
                    last_activity_at=case((Thread.last_activity_at < now, now), else_=Thread.last_activity_at)),
            execution_options={"synchronize_session": False})
    except OperationalError:  # SQLite: the snapshot went stale because a merge committed first
        raise Conflict("Diskusi ini baru saja diubah moderator. Muat ulang halaman lalu kirim lagi.") from None
    if result.rowcount != 1:
        raise Conflict("Diskusi ini baru saja digabungkan ke diskusi lain. Muat ulang halaman lalu balas di sana.")
    session.refresh(thread, ["reply_count", "version", "last_activity_at"])


def _notify_reply(session: Session, thread: Thread, post: Post, parent: Post | None, author: User) -> None:
    url = post_url(session, thread, post.id)
    name = author.display_name
    done: set[int] = {author.id}
    if parent is not None and parent.author_id not in done:
        notify(session, parent.author_id, "reply_post", f"{name} membalas tulisan Anda di “{thread.title}”", url,
               actor_id=author.id, thread_id=thread.id, post_id=post.id)
        done.add(parent.author_id)
    watchers = list(session.scalars(select(Watch.user_id).where(Watch.thread_id == thread.id)))
    # The asker follows their thread from the start; one who unfollowed it hears only of replies to their own posts.
    if thread.author_id not in done and thread.author_id in watchers:
        notify(session, thread.author_id, "reply_thread", f"{name} membalas diskusi Anda “{thread.title}”", url,
               actor_id=author.id, thread_id=thread.id, post_id=post.id)
        done.add(thread.author_id)
    for user_id in watchers:
        if user_id not in done:
            notify(session, user_id, "reply_watched", f"Balasan baru dari {name} di “{thread.title}”", url,
                   actor_id=author.id, thread_id=thread.id, post_id=post.id)
            done.add(user_id)


def edit_version(session: Session, post: Post) -> int:
    """How many times the post was changed: an edit form carries it, so a save over a newer text is noticed."""
    return edit_versions(session, [post.id]).get(post.id, 0)


def edit_versions(session: Session, post_ids: list[int]) -> dict[int, int]:
    """edit_version() of many posts in one query (a thread page of the API); posts never edited are left out."""
    if not post_ids:
        return {}
    return dict(session.execute(select(PostRevision.post_id, func.count(PostRevision.id))
                                .where(PostRevision.post_id.in_(post_ids)).group_by(PostRevision.post_id)).all())


def edit_post(session: Session, *, editor: User | None, post: Post, body_md: object, title: object = None,
              now: datetime | None = None, seen_version: int | None = None) -> Post:
    """Change a post's body (and, for a thread's question, its title); the previous ones are kept as a revision.

    With `seen_version` (edit_version() when the form was opened), a post changed since is a Conflict, not
    silently overwritten (two tabs, or a moderator's fix meanwhile)."""
    editor = check_logged_in(editor)
    thread = session.get(Thread, post.thread_id)
    if seen_version is not None and seen_version != edit_version(session, post):
        raise Conflict("Tulisan ini sudah diubah (di tab lain atau oleh moderator) sejak Anda membuka formulir ini. "
                       "Buka versi terbarunya, gabungkan perubahan Anda, lalu simpan lagi.")
    check_editable(editor, post, thread)
    question = post.id == thread.first_post_id
    errors: dict[str, str] = {}
    new_title = thread.title
    if title is not None and not question:
        # A title sent for a reply is a mistake to report, not to drop: most often the question's edit form
        # was open while a moderator merged its thread into another (whose title it now follows).
        errors["title"] = ("Diskusi ini sudah digabungkan; judulnya mengikuti diskusi tujuan." if post.merged_from_thread_id
                           else "Hanya pertanyaan (tulisan pertama diskusi) yang punya judul.")
    elif title is not None:
        try:
            new_title = clean_title(title)
        except ValidationFailed as exc:
            errors.update(exc.fields)
    body = post.body_md  # no body sent (an API edit of the title alone): it stays
    if body_md is not None:
        try:
            body = clean_body(body_md, "Isi tulisan", "body_md", 20 if question else REPLY_MIN, REPLY_MAX)
        except ValidationFailed as exc:
            errors.update(exc.fields)
    if errors:
        only = next(iter(errors.values())) if len(errors) == 1 else "Periksa kembali isian tulisan."
        raise ValidationFailed(only, fields=errors)
    if body == post.body_md and new_title == thread.title:
        return post
    now = now or utcnow()
    session.add(PostRevision(post_id=post.id, editor_id=editor.id, body_md=post.body_md, created_at=now,
                             title=thread.title if question else None))
    rendered = render_markdown(body)
    post.body_md, post.body_html, post.body_text = body, rendered.html, rendered.text
    post.edited_at = now
    if new_title != thread.title:
        # The old address keeps working: a thread URL with an outdated slug redirects to the new one.
        thread.title, thread.slug = new_title, slugify(new_title)
    thread.version += 1
    index_post(session, post, thread)
    if editor.id != post.author_id:
        log_action(session, editor, "edit_post", thread=thread, post=post, reason="Menyunting tulisan anggota")
    return post


def post_revisions(session: Session, post: Post) -> list[PostRevision]:
    """Earlier bodies of a post, oldest first."""
    return list(session.scalars(select(PostRevision).where(PostRevision.post_id == post.id)
                                .order_by(PostRevision.id)))


def accept_answer(session: Session, *, actor: User | None, thread: Thread, post: Post | None) -> Thread:
    """Mark `post` as the accepted answer (or clear it with None); can be changed later."""
    actor = check_logged_in(actor)
    check(can_accept_answer(actor, thread), "Hanya penanya atau moderator yang dapat memilih jawaban.")
    if post is not None:
        if post.thread_id != thread.id or post.id == thread.first_post_id:
            raise ValidationFailed("Jawaban harus berupa balasan di diskusi ini.", field="post_id")
        if post.is_deleted:
            raise ValidationFailed("Balasan ini sudah dihapus; pilih balasan lain.", field="post_id")
        if post.is_hidden:
            raise ValidationFailed("Balasan ini disembunyikan moderator; pilih balasan lain.", field="post_id")
    if thread.accepted_post_id == (post.id if post else None):
        return thread  # already so (a second click): nothing changes, nobody is told again
    thread.accepted_post_id = post.id if post else None
    thread.version += 1
    if post is not None:
        # Once per answer: taking it back and choosing it again must not ring its author's bell every time.
        if not already_notified(session, post.author_id, "answer_accepted", post.id):
            notify(session, post.author_id, "answer_accepted",
                   f"Jawaban Anda dipilih sebagai jawaban terpilih di “{thread.title}”", post_url(session, thread, post.id),
                   actor_id=actor.id, thread_id=thread.id, post_id=post.id)
        tell_waiting_askers(session, thread=thread, answer=post, actor=actor)
    return thread
