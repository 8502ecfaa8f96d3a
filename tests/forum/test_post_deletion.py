"""A member deletes their own reply and may restore it; a moderator any reply; the question stays."""
import pytest
from sqlalchemy import select

from forum import posts, threads
from forum.errors import PermissionDenied, ValidationFailed
from forum.moderation import lock_thread
from forum.post_deletion import can_delete_post, can_restore_post, delete_post, restore_post
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


def test_an_author_deletes_their_reply_and_the_thread_forgets_it_but_keeps_the_replies_under_it(db, talk):
    t, answer = talk["t"], talk["answer"]
    posts.accept_answer(db, actor=talk["asker"], thread=t, post=None)
    delete_post(db, post=answer, actor=talk["helper"])
    db.commit()
    db.expire_all()
    t = db.get(Thread, t.id)
    deleted = db.get(Post, answer.id)
    assert deleted.is_deleted and deleted.body_md and deleted.deleted_by_id == talk["helper"].id  # kept
    assert t.reply_count == 1
    assert db.get(SearchDocument, answer.id) is None  # gone from search
    assert db.get(Post, talk["follow_up"].id).reply_to_id == answer.id  # "membalas" still points at its place
    assert not db.scalars(select(ModerationLog)).all()  # an author taking back their own words is not moderation
    delete_post(db, post=db.get(Post, answer.id), actor=talk["helper"])  # twice: nothing more happens
    assert db.get(Thread, t.id).reply_count == 1


def test_an_author_cannot_delete_the_answer_the_asker_accepted_but_can_still_edit_it(db, talk):
    answer = talk["answer"]
    assert not can_delete_post(talk["helper"], answer, talk["t"])
    with pytest.raises(PermissionDenied, match="sudah dipilih penanya"):
        delete_post(db, post=answer, actor=talk["helper"])
    assert not db.get(Post, answer.id).is_deleted
    posts.edit_post(db, editor=talk["helper"], post=answer, body_md="Ajukan lewat SIASN dengan surat atasan langsung.")
    assert "langsung" in db.get(Post, answer.id).body_md


def test_an_author_restores_their_reply_into_its_place_the_count_and_search(db, talk):
    t, reply = talk["t"], talk["follow_up"]
    delete_post(db, post=reply, actor=talk["other"])
    db.commit()
    assert can_restore_post(talk["other"], reply, t) and not can_restore_post(talk["helper"], reply, t)
    restore_post(db, post=reply, actor=talk["other"])
    db.commit()
    db.expire_all()
    back = db.get(Post, reply.id)
    assert not back.is_deleted and back.deleted_by_id is None and back.deleted_at is None
    assert db.get(Thread, t.id).reply_count == 2 and db.get(SearchDocument, reply.id) is not None
    assert not db.scalars(select(ModerationLog)).all()
    restore_post(db, post=back, actor=talk["other"])  # twice: nothing more happens
    assert db.get(Thread, t.id).reply_count == 2


def test_a_moderators_removal_is_undone_only_by_a_moderator_and_the_accepted_answer_comes_back(db, talk):
    t, answer = talk["t"], talk["answer"]
    moderator = f.user(db, role="moderator")
    delete_post(db, post=answer, actor=moderator)
    db.commit()
    assert db.get(Thread, t.id).accepted_post_id is None
    with pytest.raises(PermissionDenied, match="dihapus moderator"):
        restore_post(db, post=answer, actor=talk["helper"])
    with pytest.raises(PermissionDenied, match="tidak dapat memulihkan"):
        restore_post(db, post=answer, actor=talk["other"])
    restore_post(db, post=answer, actor=moderator)
    db.commit()
    db.expire_all()
    assert db.get(Thread, t.id).accepted_post_id == answer.id and db.get(Thread, t.id).reply_count == 2
    assert [e.action for e in db.scalars(select(ModerationLog).order_by(ModerationLog.id))] == \
        ["delete_post", "restore_post"]


def test_restoring_keeps_the_askers_newer_choice_of_answer(db, talk):
    t, answer, other_reply = talk["t"], talk["answer"], talk["follow_up"]
    moderator = f.user(db, role="moderator")
    delete_post(db, post=answer, actor=moderator)
    posts.accept_answer(db, actor=talk["asker"], thread=t, post=other_reply)
    restore_post(db, post=answer, actor=moderator)
    db.commit()
    assert db.get(Thread, t.id).accepted_post_id == other_reply.id


def test_a_locked_thread_says_why_its_author_cannot_restore(db, talk):
    reply = talk["follow_up"]
    delete_post(db, post=reply, actor=talk["other"])
    lock_thread(db, talk["t"], f.user(db, role="moderator"))
    db.commit()
    with pytest.raises(PermissionDenied, match="dikunci moderator"):
        restore_post(db, post=reply, actor=talk["other"])


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


def test_showing_again_a_hidden_reply_its_author_deleted_meanwhile_leaves_it_deleted_and_uncounted(db, talk):
    from forum.reports import hide_reported_post, report_post, unhide_post

    moderator, reply = f.user(db, role="moderator"), talk["follow_up"]
    report = report_post(db, reporter=talk["asker"], post=reply, reason="Tidak sopan kepada penanya.")
    hide_reported_post(db, report=report, actor=moderator)
    delete_post(db, post=reply, actor=talk["other"])
    unhide_post(db, post=reply, actor=moderator)
    db.commit()
    assert db.get(Post, reply.id).is_deleted and db.get(Thread, talk["t"].id).reply_count == 1
    assert db.get(SearchDocument, reply.id) is None


def test_a_moderators_own_accepted_answer_is_accepted_again_when_restored(db, talk):
    moderator, t = f.user(db, role="moderator"), talk["t"]
    own = posts.reply(db, author=moderator, thread=t, body_md="Dasarnya Peraturan BKN Nomor 7 Tahun 2021.")
    posts.accept_answer(db, actor=talk["asker"], thread=t, post=own)
    delete_post(db, post=own, actor=moderator)
    assert db.get(Thread, t.id).accepted_post_id is None
    restore_post(db, post=own, actor=moderator)
    db.commit()
    assert db.get(Thread, t.id).accepted_post_id == own.id


def test_a_second_click_passes_only_for_whoever_could_have_made_the_first(db, talk):
    reply, stranger = talk["follow_up"], f.user(db)
    with pytest.raises(PermissionDenied, match="tidak dapat memulihkan"):
        restore_post(db, post=reply, actor=stranger)  # not deleted: nothing to restore, and not theirs anyway
    assert restore_post(db, post=reply, actor=talk["other"]) is reply
    delete_post(db, post=reply, actor=talk["other"])
    with pytest.raises(PermissionDenied, match="tidak dapat menghapus"):
        delete_post(db, post=reply, actor=stranger)


def test_a_reply_to_a_reply_deleted_meanwhile_goes_to_the_thread_and_a_deleted_reply_is_neither_reported_nor_accepted(
        db, talk):
    from forum.reports import report_post

    t, reply = talk["t"], talk["follow_up"]
    delete_post(db, post=reply, actor=talk["other"])
    sent = posts.reply(db, author=talk["helper"], thread=t, body_md="Sama-sama, semoga lancar.", reply_to=reply.id)
    assert sent.reply_to_id is None and sent.thread_id == t.id
    with pytest.raises(ValidationFailed, match="sudah dihapus"):
        report_post(db, reporter=talk["asker"], post=reply, reason="Isinya menyesatkan.")
    with pytest.raises(ValidationFailed, match="sudah dihapus"):
        posts.accept_answer(db, actor=talk["asker"], thread=t, post=reply)
