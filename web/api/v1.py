"""JSON API /api/v1: catalog, threads, replies, edits, accepted answers, the current user."""
from dataclasses import dataclass, field
from typing import Any

from litestar import Router, delete, get, patch, post
from litestar.datastructures import State
from sqlalchemy.orm import Session

from forum import catalog, posts, profiles, threads
from forum.errors import ValidationFailed
from forum.listing import SORTS, list_threads, parse_page
from forum.post_deletion import delete_post, restore_post
from forum.question_withdrawal import own_question_to_withdraw, withdraw_question
from forum.permissions import can_view_post, check_logged_in
from models import Thread, User
from web.api.login_guard import writes_need_login
from web.api.serialize import agency_json, post_json, thread_json, topic_json, user_json
from web.ratelimit import limit_writes

# A thread's posts come a page at a time: a discussion of thousands of replies is not one response.
POSTS_PER_PAGE = 100
MAX_POSTS_PER_PAGE = 200


@dataclass
class NewThread:
    title: str
    body_md: str
    agency: str
    topics: list[str] = field(default_factory=list)


@dataclass
class NewReply:
    body_md: str
    reply_to: int | None = None


@dataclass
class PostEdit:
    body_md: str | None = None  # left out: the body stays
    title: str | None = None  # a thread's question only: its new title
    edit_version: int | None = None  # the post's edit_version as read: a newer edit meanwhile is a 409


@dataclass
class ProfileEdit:
    """Fields left out keep their stored value."""
    display_name: str | None = None
    bio: str | None = None
    agency: str | None = None  # slug of the agency the member works at now


@dataclass
class AcceptAnswer:
    post_id: int | None


@get("/agencies", summary="Daftar instansi")
async def agencies(db: Session) -> list[dict[str, Any]]:
    return [agency_json(a) for a in catalog.list_agencies(db)]


@get("/agencies/{slug:str}", summary="Satu instansi")
async def agency(db: Session, slug: str) -> dict[str, Any]:
    return agency_json(catalog.get_agency(db, slug))


@get("/topics", summary="Daftar topik")
async def topics(db: Session) -> list[dict[str, Any]]:
    return [topic_json(t) for t in catalog.list_topics(db)]


@get("/topics/{slug:str}", summary="Satu topik")
async def topic(db: Session, slug: str) -> dict[str, Any]:
    return topic_json(catalog.get_topic(db, slug))


@get("/threads", summary="Daftar diskusi (filter dan urutan sama dengan beranda)")
async def thread_list(db: Session, viewer: User | None, agency: str | None = None, topic: str | None = None,
                      sort: str = "aktivitas", page: str | None = None, page_size: int = 20) -> dict[str, Any]:
    if sort not in SORTS:
        raise ValidationFailed("Urutan tidak dikenal. Pilih: " + ", ".join(SORTS) + ".", field="sort")
    result = list_threads(db, viewer, agency=catalog.get_agency(db, agency) if agency else None,
                          topic=catalog.get_topic(db, topic) if topic else None, sort=sort, page=parse_page(page),
                          page_size=min(max(page_size, 1), 100))
    return {"items": [thread_json(t) for t in result.items], "total": result.total, "page": result.page,
            "pages": result.pages, "page_size": result.page_size}


@get("/threads/{thread_id:int}", summary="Satu diskusi beserta tulisannya")
async def thread_detail(db: Session, viewer: User | None, thread_id: int, page: str | None = None,
                        page_size: int = POSTS_PER_PAGE) -> dict[str, Any]:
    """The thread and one page of its posts, oldest first (the first post opens page 1)."""
    thread = threads.resolve_merged(db, threads.get_thread(db, thread_id, viewer), viewer)
    items = [p for p in threads.thread_posts(db, thread) if not p.is_deleted and can_view_post(viewer, p, thread)]
    size = min(max(page_size, 1), MAX_POSTS_PER_PAGE)
    pages = max(1, -(-len(items) // size))
    number = min(parse_page(page), pages)
    shown = items[(number - 1) * size:number * size]
    versions = posts.edit_versions(db, [p.id for p in shown])
    return {**thread_json(thread), "first_post_id": thread.first_post_id,
            "posts": [post_json(p, versions.get(p.id, 0)) for p in shown],
            "posts_total": len(items), "page": number, "pages": pages, "page_size": size}


@post("/threads", summary="Buat diskusi", status_code=201)
async def thread_create(db: Session, viewer: User | None, state: State, data: NewThread) -> dict[str, Any]:
    viewer = check_logged_in(viewer)
    limit_writes(db, state, viewer)
    thread = threads.create_thread(db, author=viewer, agency=data.agency, topics=data.topics, title=data.title,
                                   body_md=data.body_md)
    for hook in getattr(state, "after_thread_created", []):
        hook(db, thread)
    return thread_json(thread)


@post("/threads/{thread_id:int}/replies", summary="Balas diskusi", status_code=201)
async def reply_create(db: Session, viewer: User | None, state: State, thread_id: int, data: NewReply) -> dict[str, Any]:
    viewer = check_logged_in(viewer)
    limit_writes(db, state, viewer)
    thread = threads.get_thread(db, thread_id, viewer)
    return post_json(posts.reply(db, author=viewer, thread=thread, body_md=data.body_md, reply_to=data.reply_to))


@patch("/posts/{post_id:int}", summary="Sunting tulisan")
async def post_edit(db: Session, viewer: User | None, state: State, post_id: int, data: PostEdit) -> dict[str, Any]:
    viewer = check_logged_in(viewer)
    limit_writes(db, state, viewer)
    item = posts.get_post(db, post_id, viewer)
    saved = posts.edit_post(db, editor=viewer, post=item, body_md=data.body_md, title=data.title,
                            seen_version=data.edit_version)
    edited = post_json(saved, posts.edit_version(db, saved))
    thread = db.get(Thread, item.thread_id)
    if thread.first_post_id == item.id:
        edited["title"] = thread.title  # the question: a client that changed the title sees it applied
    return edited


@delete("/posts/{post_id:int}", summary="Hapus balasan (penulisnya, atau moderator)", status_code=200)
async def post_delete(db: Session, viewer: User | None, state: State, post_id: int) -> dict[str, Any]:
    return _change_deletion(db, viewer, state, post_id, delete_post)


def _change_deletion(db: Session, viewer: User | None, state: State, post_id: int, verb) -> dict[str, Any]:
    """Delete or restore (`verb`) one reply for the API."""
    viewer = check_logged_in(viewer)
    limit_writes(db, state, viewer)
    item = verb(db, post=posts.get_post(db, post_id, viewer), actor=viewer)
    return {"id": item.id, "deleted": item.is_deleted}


@delete("/threads/{thread_id:int}", summary="Hapus pertanyaan sendiri yang belum dibalas anggota lain", status_code=200)
async def thread_delete(db: Session, viewer: User | None, state: State, thread_id: int) -> dict[str, Any]:
    viewer = check_logged_in(viewer)
    limit_writes(db, state, viewer)
    thread = own_question_to_withdraw(db, thread_id, viewer)
    if thread is not None:  # None: this asker deleted it already, and a retried request gets the same answer
        withdraw_question(db, thread=thread, actor=viewer)
    return {"id": thread_id, "deleted": True}


@post("/posts/{post_id:int}/restore", summary="Pulihkan balasan yang dihapus (penghapusnya sendiri, atau moderator)",
      status_code=200)
async def post_restore(db: Session, viewer: User | None, state: State, post_id: int) -> dict[str, Any]:
    return _change_deletion(db, viewer, state, post_id, restore_post)


@post("/threads/{thread_id:int}/accept", summary="Pilih jawaban", status_code=200)
async def accept(db: Session, viewer: User | None, state: State, thread_id: int, data: AcceptAnswer) -> dict[str, Any]:
    viewer = check_logged_in(viewer)
    limit_writes(db, state, viewer)
    thread = threads.get_thread(db, thread_id, viewer)
    # Only null clears the choice: 0 is an id like any other (and no post has it).
    item = posts.get_post(db, data.post_id, viewer) if data.post_id is not None else None
    return thread_json(posts.accept_answer(db, actor=viewer, thread=thread, post=item))


@get("/me", summary="Pengguna saat ini")
async def me(viewer: User | None) -> dict[str, Any]:
    return user_json(check_logged_in(viewer), private=True)


@patch("/me", summary="Ubah profil saya (nama tampilan, tentang saya, instansi)")
async def me_edit(db: Session, viewer: User | None, state: State, data: ProfileEdit) -> dict[str, Any]:
    viewer = check_logged_in(viewer)
    limit_writes(db, state, viewer)
    profiles.update_profile(db, viewer, display_name=viewer.display_name if data.display_name is None else data.display_name,
                            bio=viewer.bio if data.bio is None else data.bio,
                            agency=viewer.agency.slug if data.agency is None else data.agency)
    return user_json(viewer, private=True)


def api_router(extra_handlers: list | None = None) -> Router:
    """The /api/v1 router; other packages (search, moderation) append their handlers."""
    handlers = [agencies, agency, topics, topic, thread_list, thread_detail, thread_create, reply_create, post_edit,
                post_delete, post_restore, thread_delete, accept, me, me_edit, *(extra_handlers or [])]
    return Router(path="/api/v1", route_handlers=handlers, tags=["api"], guards=[writes_need_login])
