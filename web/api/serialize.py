"""Model rows → JSON-ready dicts for the API."""
from forum.threads import thread_url
from models import Agency, Post, Thread, Topic, User


def agency_json(a: Agency) -> dict:
    return {"slug": a.slug, "name": a.name, "level": a.level}


def topic_json(t: Topic) -> dict:
    return {"slug": t.slug, "name": t.name, "description": t.description}


def user_json(u: User, private: bool = False) -> dict:
    data = {"username": u.username, "display_name": u.display_name, "agency": u.agency.slug, "role": u.role}
    if private:
        data["email"], data["bio"] = u.email, u.bio
    return data


def thread_json(t: Thread) -> dict:
    return {
        "id": t.id, "title": t.title, "slug": t.slug, "url": thread_url(t), "author": t.author.username,
        "agency": t.agency.slug, "topics": [x.slug for x in t.topics], "status": t.status, "pinned": t.is_pinned,
        "answered": t.is_answered, "accepted_post_id": t.accepted_post_id, "reply_count": t.reply_count,
        "created_at": t.created_at.isoformat() + "Z", "last_activity_at": t.last_activity_at.isoformat() + "Z",
        "version": t.version,  # send it back as expected_version to a moderation action: a stale one is a 409
    }


def post_json(p: Post, edit_version: int = 0) -> dict:
    """`edit_version`: send it back as `edit_version` with a PATCH, so an edit over a newer text is refused (409)."""
    return {
        "id": p.id, "thread_id": p.thread_id, "author": p.author.username, "reply_to": p.reply_to_id,
        "body_md": p.body_md, "body_html": p.body_html, "created_at": p.created_at.isoformat() + "Z",
        "edited_at": p.edited_at.isoformat() + "Z" if p.edited_at else None,
        "merged_from_thread_id": p.merged_from_thread_id,
        "hidden": p.is_hidden,  # only its author and moderators receive a hidden post at all
        "edit_version": edit_version,
    }
