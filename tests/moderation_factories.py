"""Fast builders for moderation tests: users without per-user password hashing, dated replies, big threads."""
import itertools
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import select

from forum import accounts, posts
from forum.markup import render_markdown
from models import IndexEvent, ModeratorScope, Post, SearchDocument, Thread, Topic, User
from search.documents import lexical_stems
from tests import factories as f

_counter = itertools.count(1)
BASE_TIME = datetime(2026, 3, 1, 8, 0, 0)


@lru_cache(maxsize=1)
def _password_hash() -> str:
    from argon2 import PasswordHasher
    return PasswordHasher().hash(f.PASSWORD)


def user(db, role="member", agency_slug="bkn", username=None, scopes=()) -> User:
    """A user (one shared password hash, so creating many is cheap); scopes: (agency_slug|None, topic_slug|None)."""
    agency = f.agency(db, agency_slug, agency_slug.upper())
    n = next(_counter)
    username = username or f"{role[:3]}{n}"
    row = User(username=username, display_name=f"{role.title()} {n}", email=f"{username}@contoh.go.id",
               password_hash=_password_hash(), agency_id=agency.id, role=role)
    db.add(row)
    db.flush()
    for agency_slug_, topic_slug in scopes:
        a = f.agency(db, agency_slug_, agency_slug_.upper()) if agency_slug_ else None
        t = f.topic(db, topic_slug, topic_slug.title()) if topic_slug else None
        db.add(ModeratorScope(user_id=row.id, agency_id=a.id if a else None, topic_id=t.id if t else None))
    db.flush()
    db.refresh(row)
    return row


def at(minutes: int) -> datetime:
    """A fixed moment, `minutes` after the base time (tests order posts by date)."""
    return BASE_TIME + timedelta(minutes=minutes)


def thread(db, author, title="Bagaimana cara mengajukan cuti besar?", minute=0, agency_slug="bkn",
           topic_slugs=("cuti-kehadiran",), body="Saya ingin tahu syarat dan prosedurnya.") -> Thread:
    """A thread created at `at(minute)`."""
    return f.thread(db, author, title=title, body=body, agency_slug=agency_slug, topic_slugs=topic_slugs, now=at(minute))


def reply(db, author, thread_, body, minute, reply_to=None) -> Post:
    """A reply created at `at(minute)`."""
    return posts.reply(db, author=author, thread=thread_, body_md=body, reply_to=reply_to, now=at(minute))


def big_thread(db, author, n_posts: int, title="Diskusi panjang tentang kenaikan pangkat reguler", minute=0,
               index: bool = False) -> Thread:
    """A thread with `n_posts` replies inserted in bulk (fast), counts kept consistent."""
    t = thread(db, author, title=title, minute=minute)
    rendered = render_markdown("Balasan nomor {n}")
    rows = [Post(thread_id=t.id, author_id=author.id, body_md=f"Balasan nomor {i}",
                 body_html=rendered.html.replace("{n}", str(i)), body_text=f"Balasan nomor {i}",
                 created_at=at(minute) + timedelta(seconds=i + 1)) for i in range(n_posts)]
    db.add_all(rows)
    db.flush()
    t.reply_count = n_posts
    t.last_activity_at = rows[-1].created_at if rows else t.last_activity_at
    if index:  # what index_post writes, in bulk
        db.add_all(SearchDocument(doc_id=r.id, group_id=t.id, title="", text=r.body_text,
                                  stems=lexical_stems("", r.body_text)) for r in rows)
        db.add_all(IndexEvent(doc_id=r.id, op="upsert") for r in rows)
    db.flush()
    return t


def login(client, db, user_: User) -> None:
    """Log the test client in as `user_` (a real session row, no password round trip)."""
    from web.deps import SESSION_COOKIE
    token = accounts.start_session(db, user_)
    db.commit()
    client.cookies.set(SESSION_COOKIE, token)


def api_token(db, user_: User) -> dict:
    """Authorization header with a fresh personal API token."""
    raw, _ = accounts.create_api_token(db, user_, "uji")
    db.commit()
    return {"Authorization": f"Bearer {raw}"}


def csrf(client) -> str:
    """The CSRF token cookie (fetching a page first if needed)."""
    if not client.cookies.get("csrftoken"):
        client.get("/masuk")
    return client.cookies.get("csrftoken")


def topic_ids(db, thread_: Thread) -> set[int]:
    return {t.id for t in db.scalars(select(Topic).join(Thread.topics).where(Thread.id == thread_.id))}



def fresh(db) -> None:
    """End the test session's snapshot and forget loaded rows, to see what the app committed."""
    db.rollback()
    db.expire_all()
