"""An earlier thread answers a question: the asker's verdict on a similar thread, and "Ya, ini menjawab
pertanyaan saya" from the composer's suggestions."""
from litestar import Request, post
from litestar.datastructures import State
from sqlalchemy.orm import Session

from forum import answered_before_asking, asker_verdicts, read_model, threads
from forum.thread_pages import post_url
from forum.permissions import can_view_post, check_logged_in
from models import Post, User
from web.forms import read_form
from web.pages.threads import int_field
from web.render import redirect
from web.ratelimit import limit_writes


@post("/diskusi/{thread_id:int}/serupa")
async def asker_verdict_submit(request: Request, db: Session, viewer: User | None, state: State,
                               thread_id: int) -> object:
    """The asker says whether an earlier similar thread answers their question (`lain`, `penilaian`)."""
    viewer = check_logged_in(viewer)
    thread = threads.get_thread(db, thread_id, viewer)
    data = await read_form(request)
    limit_writes(db, state, viewer)
    link = asker_verdicts.give_asker_verdict(db, actor=viewer, thread=thread, other_id=int_field(data.get("lain"), "lain"),
                                             verdict=data.get("penilaian"))
    return redirect(threads.thread_url(thread), VERDICT_MESSAGES[link.asker_verdict])


VERDICT_MESSAGES = {
    asker_verdicts.ANSWERED: "Terima kasih. Pembaca kini diarahkan ke jawaban di diskusi lama; moderator akan "
                             "meninjau untuk menggabungkan kedua diskusi.",
    asker_verdicts.DIFFERENT: "Terima kasih. Diskusi itu tidak lagi ditampilkan sebagai kemungkinan jawaban.",
    None: "Penilaian Anda dibatalkan.",
}


@post("/diskusi/{thread_id:int}/menjawab-saya")
async def answered_before_asking_submit(request: Request, db: Session, viewer: User | None, state: State,
                                        thread_id: int) -> object:
    """From the composer's suggestions: this earlier thread answers what I was about to ask (`judul`)."""
    viewer = check_logged_in(viewer)
    thread = threads.get_thread(db, thread_id, viewer)
    data = await read_form(request)
    shown_id = int_field(data.get("jawaban"), "jawaban")
    limit_writes(db, state, viewer)
    row = answered_before_asking.mark_answered_before_asking(db, actor=viewer, thread=thread,
                                                             question=data.get("judul"), shown_answer=shown_id)
    earlier = threads.get_thread(db, row.thread_id, viewer)
    # Open the answer the suggestion showed (accepted, else the matching reply) if it is still there to read.
    shown = db.get(Post, shown_id) if read_model.valid_id(shown_id) else None
    anchor = shown.id if shown is not None and shown.thread_id == earlier.id and can_view_post(viewer, shown, earlier) \
        else earlier.accepted_post_id
    # The composer's draft stays in the browser: a member who finds it was not quite the answer loses nothing.
    return redirect(post_url(db, earlier, anchor),
                    "Senang pertanyaan Anda sudah terjawab. Draf pertanyaan Anda tetap tersimpan di formulir "
                    "diskusi baru bila masih ingin bertanya.")


routes = [asker_verdict_submit, answered_before_asking_submit]
