"""Load the demo content (scripts/demo_data) through the same verbs members use."""
import json
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forum import accounts, catalog, posts, threads
from models import Thread, User, utcnow

DEMO_PASSWORD = "DemoASN-2025!"
STAFF = [
    {"username": "admin", "display_name": "Admin Forum", "agency": "kemenpanrb", "role": "admin"},
    {"username": "moderator", "display_name": "Moderator Forum", "agency": "bkn", "role": "moderator"},
]


def load_json_parts(data_dir: Path, prefix: str) -> list:
    """Concatenate every `<prefix>_*.json` list (the content was written in parts)."""
    items: list = []
    for path in sorted(data_dir.glob(f"{prefix}_*.json")):
        items.extend(json.loads(path.read_text(encoding="utf-8")))
    return items


def seed_demo(session: Session, data_dir: Path, progress=None) -> dict:
    """Fill an empty database with agencies, topics, members, threads and replies; returns counts."""
    if session.scalar(select(func.count()).select_from(Thread)):
        raise RuntimeError("Basis data sudah berisi diskusi; seed-demo hanya untuk basis data kosong.")
    catalog.seed_catalog(session, data_dir)
    users: dict[str, User] = {}
    for u in STAFF + load_json_parts(data_dir, "users"):
        if u["username"] in users:
            continue
        user = accounts.register_user(session, username=u["username"], display_name=u["display_name"],
                                      email=f"{u['username']}@demo.forum-asn.id", password=DEMO_PASSWORD,
                                      agency=u["agency"], role=u.get("role", "member"))
        user.bio = u.get("bio", "")
        users[u["username"]] = user
    now = utcnow().replace(microsecond=0)
    items = sorted(load_json_parts(data_dir, "threads"), key=lambda t: -t["days_ago"])
    keys: dict[str, int] = {}
    reply_total = 0
    for item in items:
        created = now - timedelta(days=item["days_ago"], hours=(len(keys) * 7) % 11)
        thread = threads.create_thread(session, author=users[item["author"]], agency=item["agency"],
                                       topics=item["topics"], title=item["title"], body_md=item["body"], now=created)
        created_posts = {}
        for r in item["replies"]:
            moment = min(created + timedelta(hours=float(r["hours_after"])), now)
            parent = created_posts.get(r.get("reply_to")) if r.get("reply_to") else None
            created_posts[r["key"]] = posts.reply(session, author=users[r["author"]], thread=thread, body_md=r["body"],
                                                  reply_to=parent.id if parent else None, now=moment)
            reply_total += 1
        if item.get("accepted") in created_posts:
            posts.accept_answer(session, actor=users[item["author"]], thread=thread,
                                post=created_posts[item["accepted"]])
        keys[item["key"]] = thread.id
        if progress:
            progress()
    session.flush()
    return {"users": len(users), "threads": len(keys), "replies": reply_total, "thread_ids": keys}


def demo_thread_ids(session: Session, data_dir: Path) -> dict[str, int]:
    """Map demo thread keys to database ids by title (for tests and the duplicate data)."""
    by_title = {t.title: t.id for t in session.scalars(select(Thread))}
    return {item["key"]: by_title[item["title"]] for item in load_json_parts(data_dir, "threads")
            if item["title"] in by_title}
