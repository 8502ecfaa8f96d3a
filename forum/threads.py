"""Threads: create, fetch with visibility rules, URLs, watch/unwatch."""
import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from forum.catalog import resolve_agency, resolve_topics
from forum.errors import Conflict, NotFound, ValidationFailed
from forum.indexing import index_post
from forum.markup import render_markdown
from forum.permissions import can_view_thread, check_logged_in
from forum.read_model import valid_id
from forum.resends import resent_thread
from forum.text import clean_body, clean_line, slugify
from models import Post, Thread, User, Watch, utcnow

TITLE_MIN, TITLE_MAX = 10, 200
_LETTER_WORD = re.compile(r"\w*[^\W\d_]\w*")  # a word holding at least one letter, in any script
BODY_MIN, BODY_MAX = 20, 50_000


def thread_url(thread: Thread) -> str:
    """Canonical URL of a thread (its first page); a post's is forum.thread_pages.post_url."""
    return f"/diskusi/{thread.id}/{thread.slug}"


def clean_title(value: object) -> str:
    """A thread title: a readable question of TITLE_MIN-TITLE_MAX characters."""
    # "!!!!!!!!!!!!" or twelve emoji pass any length check, name the thread /diskusi/N/diskusi, and crowd
    # real questions out of other members' "Pertanyaan serupa".
    title = clean_line(value, "Judul", "title", TITLE_MIN, TITLE_MAX)
    if len(_LETTER_WORD.findall(title)) < 2:
        raise ValidationFailed("Judul harus berupa pertanyaan yang terbaca: tulis setidaknya dua kata.", field="title")
    return title


def validate_thread_input(session: Session, *, agency: object, topics: object, title: object, body_md: object):
    """Check every field at once so the form can show all problems together."""
    errors: dict[str, str] = {}
    values = {}
    for key, fn in (("title", lambda: clean_title(title)),
                    ("body_md", lambda: clean_body(body_md, "Isi diskusi", "body_md", BODY_MIN, BODY_MAX)),
                    ("agency", lambda: resolve_agency(session, agency)),
                    ("topics", lambda: resolve_topics(session, topics))):
        try:
            values[key] = fn()
        except ValidationFailed as exc:
            errors.update(exc.fields)
    if errors:
        raise ValidationFailed("Periksa kembali isian diskusi.", fields=errors)
    return values


def create_thread(session: Session, *, author: User | None, agency: object, topics: object, title: object,
                  body_md: object, now: datetime | None = None) -> Thread:
    """Open a new discussion with its first post; the author follows it."""
    author = check_logged_in(author)
    values = validate_thread_input(session, agency=agency, topics=topics, title=title, body_md=body_md)
    now = now or utcnow()
    earlier = resent_thread(session, author, values["title"], values["body_md"], now)
    if earlier is not None:
        if earlier.agency_id == values["agency"].id and {t.id for t in earlier.topics} == {t.id for t in values["topics"]}:
            return earlier  # the same form sent again: the thread it already opened
        # The same question again under another agency or topic is neither a resend to swallow nor a new
        # question to open twice: say where it already is.
        raise Conflict(f"Pertanyaan yang sama persis baru saja Anda terbitkan: “{earlier.title}” ({thread_url(earlier)}). "
                       "Bila instansi atau topiknya keliru, minta moderator memindahkannya; bila ini pertanyaan lain, "
                       "ubah judul atau isinya.")
    thread = Thread(title=values["title"], slug=slugify(values["title"]), author_id=author.id,
                    agency_id=values["agency"].id, created_at=now, last_activity_at=now, reply_count=0)
    thread.topics = values["topics"]
    session.add(thread)
    session.flush()
    rendered = render_markdown(values["body_md"])
    post = Post(thread_id=thread.id, author_id=author.id, body_md=values["body_md"], body_html=rendered.html,
                body_text=rendered.text, created_at=now)
    session.add(post)
    session.flush()
    thread.first_post_id = post.id
    session.add(Watch(user_id=author.id, thread_id=thread.id, created_at=now))
    index_post(session, post, thread)
    return thread


def get_thread(session: Session, thread_id: object, viewer: User | None = None) -> Thread:
    """The thread if it exists and the viewer may see it; merged threads are returned as they are."""
    if not valid_id(thread_id):
        raise NotFound("Diskusi tidak ditemukan.")
    # One joined query for the row and its author/agency (selectin would cost two more round trips).
    thread = session.get(Thread, thread_id, options=[joinedload(Thread.author), joinedload(Thread.agency)])
    if thread is None or not can_view_thread(viewer, thread):
        # Hidden threads answer 404, not 403, so their existence does not leak.
        raise NotFound("Diskusi tidak ditemukan.")
    return thread


def resolve_merged(session: Session, thread: Thread, viewer: User | None = None) -> Thread:
    """Follow merge redirects to the thread that now holds the posts."""
    seen = set()
    while thread.merged_into_id and thread.id not in seen:
        seen.add(thread.id)
        thread = get_thread(session, thread.merged_into_id, viewer)
    return thread


def is_watching(session: Session, user: User | None, thread: Thread) -> bool:
    """Whether the member follows the thread."""
    return user is not None and session.get(Watch, (user.id, thread.id)) is not None


def watch_thread(session: Session, user: User | None, thread: Thread) -> Watch:
    """Follow a thread (idempotent)."""
    user = check_logged_in(user)
    watch = session.get(Watch, (user.id, thread.id))
    if watch is None:
        watch = Watch(user_id=user.id, thread_id=thread.id)
        session.add(watch)
        session.flush()
    return watch


def unwatch_thread(session: Session, user: User | None, thread: Thread) -> None:
    """Stop following a thread (idempotent)."""
    user = check_logged_in(user)
    watch = session.get(Watch, (user.id, thread.id))
    if watch is not None:
        session.delete(watch)


def thread_posts(session: Session, thread: Thread) -> list[Post]:
    """Every post of the thread, oldest first."""
    return list(session.scalars(select(Post).where(Post.thread_id == thread.id).order_by(Post.created_at, Post.id)))


def merged_questions(session: Session, viewer: User | None, author: User, limit: int = 20) -> list[tuple]:
    """The member's questions merged into another thread, newest first, each with the thread now holding it.

    A merge leaves the asker's list without their question (a QA pass); like a question closed as a duplicate on
    Stack Overflow, it stays on their profile, pointing where its posts went. Targets the viewer may not see
    (hidden since) are left out."""
    rows = session.scalars(select(Thread).where(Thread.author_id == author.id, Thread.merged_into_id.is_not(None))
                           .order_by(Thread.created_at.desc(), Thread.id.desc()).limit(limit))
    out = []
    for source in rows:
        try:
            target = resolve_merged(session, source, viewer)
        except NotFound:
            continue
        out.append((source, target))
    return out

