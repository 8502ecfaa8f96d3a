"""A member deletes their own reply; a moderator any reply; the question stays."""
import pytest
from sqlalchemy import select

from forum import posts, threads
from forum.errors import PermissionDenied, ValidationFailed
from forum.moderation import lock_thread
from forum.post_deletion import can_delete_post, delete_post
from models import ModerationLog, Post, SearchDocument, Thread
from tests import factories as f


@pytest.fixture
def talk(db):
    asker, helper, other = f.user(db), f.user(db), f.user(db)
    t = f.thread(db, asker)
    answer = posts.reply(db, author=helper, thread=t, body_md="Ajukan lewat SIASN dengan surat atasan.")
    follow_up = posts.reply(db, author=other, thread=t, body_md="Terima kasih, berhasil.", reply_to=answer.id)
    posts.accept_answer(db, actor=asker, thread=t, post=answer)
    db.commit()
    return {"asker": asker, "helper": helper, "other": other, "t": t, "answer": answer, "follow_up": follow_up}


def test_an_author_deletes_their_accepted_reply_and_the_thread_forgets_it_but_keeps_the_replies_under_it(db, talk):
    t, answer = talk["t"], talk["answer"]
    delete_post(db, post=answer, actor=talk["helper"])
    db.commit()
    db.expire_all()
    t = db.get(Thread, t.id)
    assert db.get(Post, answer.id).is_deleted and db.get(Post, answer.id).body_md  # kept, for moderators
    assert t.accepted_post_id is None and t.reply_count == 1
    assert db.get(SearchDocument, answer.id) is None  # gone from search
    assert db.get(Post, talk["follow_up"].id).reply_to_id == answer.id  # "membalas" still points at its place
    assert not db.scalars(select(ModerationLog)).all()  # an author taking back their own words is not moderation
    delete_post(db, post=db.get(Post, answer.id), actor=talk["helper"])  # twice: nothing more happens
    assert db.get(Thread, t.id).reply_count == 1


def test_only_the_author_or_a_moderator_may_delete_and_a_moderators_deletion_is_logged(db, talk):
    with pytest.raises(PermissionDenied, match="tidak dapat menghapus"):
        delete_post(db, post=talk["answer"], actor=talk["other"])
    moderator = f.user(db, role="moderator")
    delete_post(db, post=talk["follow_up"], actor=moderator)
    db.commit()
    entry = db.scalar(select(ModerationLog))
    assert (entry.action, entry.post_id, entry.actor_id) == ("delete_post", talk["follow_up"].id, moderator.id)


def test_the_question_cannot_be_deleted_and_a_locked_thread_says_why(db, talk):
    t = talk["t"]
    question = db.get(Post, t.first_post_id)
    assert not can_delete_post(talk["asker"], question, t)
    with pytest.raises(ValidationFailed, match="Pertanyaan tidak dapat dihapus"):
        delete_post(db, post=question, actor=talk["asker"])
    lock_thread(db, t, f.user(db, role="moderator"))
    db.commit()
    with pytest.raises(PermissionDenied, match="dikunci moderator"):
        delete_post(db, post=talk["answer"], actor=talk["helper"])
    assert not db.get(Post, talk["answer"].id).is_deleted
    assert [p.id for p in threads.thread_posts(db, t)] == [t.first_post_id, talk["answer"].id, talk["follow_up"].id]
