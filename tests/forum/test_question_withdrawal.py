"""An asker deletes their own question while nobody else has answered it; a moderator can show it again."""
import pytest
from sqlalchemy import select

from forum import posts
from forum.errors import PermissionDenied, ValidationFailed
from forum.listing import list_threads
from forum.merging import merge_threads
from forum.moderation import hide_thread, lock_thread, unhide_thread
from forum.post_deletion import delete_post
from forum.question_withdrawal import can_withdraw_question, withdraw_question
from models import ModerationLog, SearchDocument, Thread
from tests import factories as f


@pytest.fixture
def asker(db):
    return f.user(db)


def test_an_asker_deletes_their_unanswered_question_and_a_moderator_can_show_it_again(db, asker):
    t = f.thread(db, asker)
    posts.reply(db, author=asker, thread=t, body_md="Tambahan: saya PNS sejak 2021.")  # their own words may go
    db.commit()
    assert can_withdraw_question(db, asker, t)
    withdraw_question(db, thread=t, actor=asker)
    db.commit()
    assert db.get(Thread, t.id).is_hidden and db.get(SearchDocument, t.first_post_id) is None
    assert t.id not in [item.id for item in list_threads(db, asker).items]
    entry = db.scalar(select(ModerationLog))
    assert (entry.action, entry.actor_id, entry.thread_id) == ("withdraw", asker.id, t.id)
    moderator = f.user(db, role="moderator")
    unhide_thread(db, t, moderator)
    db.commit()
    assert db.get(SearchDocument, t.first_post_id) is not None


def test_a_question_another_member_answered_cannot_be_deleted_unless_that_reply_is_gone(db, asker):
    t = f.thread(db, asker)
    helper = f.user(db)
    answer = posts.reply(db, author=helper, thread=t, body_md="Ajukan lewat SIASN dengan surat atasan.")
    db.commit()
    assert not can_withdraw_question(db, asker, t)
    with pytest.raises(ValidationFailed, match="sudah dibalas anggota lain"):
        withdraw_question(db, thread=t, actor=asker)
    assert not db.get(Thread, t.id).is_hidden
    delete_post(db, post=answer, actor=helper)
    assert can_withdraw_question(db, asker, t)


def test_only_the_asker_may_delete_and_a_locked_or_merged_thread_says_why(db, asker):
    locked, source, target = (f.thread(db, asker, title=title) for title in (
        "Bagaimana cara mengajukan cuti besar?", "Cara ajukan cuti besar lewat SIASN", "Syarat cuti besar PNS"))
    moderator = f.user(db, role="moderator")
    with pytest.raises(PermissionDenied, match="Hanya penanya"):
        withdraw_question(db, thread=locked, actor=f.user(db))
    lock_thread(db, locked, moderator)
    merge_threads(db, source=source, target=target, actor=moderator)
    db.commit()
    with pytest.raises(PermissionDenied, match="dikunci moderator"):
        withdraw_question(db, thread=locked, actor=asker)
    for merged in (source, target):
        with pytest.raises(PermissionDenied, match="sudah digabungkan"):
            withdraw_question(db, thread=merged, actor=asker)
    assert not any(db.get(Thread, t.id).is_hidden for t in (locked, source, target))


def test_a_question_another_member_relies_on_or_a_moderator_pinned_cannot_be_deleted(db, asker):
    from forum.moderation import pin_thread
    from models import AnsweredBeforeAsking, DuplicateLink

    relied, composed, pinned = (f.thread(db, asker, title=title) for title in (
        "Bagaimana cara mengajukan cuti besar?", "Cara ajukan cuti besar lewat SIASN", "Syarat cuti besar PNS"))
    newer = f.thread(db, f.user(db), title="Cuti besar kalau masa kerja belum lima tahun")
    db.add(DuplicateLink(thread_id=newer.id, other_thread_id=relied.id, similarity=0.9, judge_score=0.9,
                         asker_verdict="answered"))  # "Ya, sudah terjawab di sana" on the newer thread's banner
    db.add(AnsweredBeforeAsking(user_id=f.user(db).id, thread_id=composed.id, question="cuti besar siasn"))
    pin_thread(db, pinned, f.user(db, role="moderator"))
    db.commit()
    for thread in (relied, composed):
        with pytest.raises(ValidationFailed, match="sebagai jawaban pertanyaan mereka"):
            withdraw_question(db, thread=thread, actor=asker)
    with pytest.raises(PermissionDenied, match="disematkan moderator"):
        withdraw_question(db, thread=pinned, actor=asker)


def test_a_second_delete_finds_the_thread_the_asker_deleted_and_only_theirs(db, asker):
    from forum.errors import NotFound
    from forum.question_withdrawal import own_question_to_withdraw

    t = f.thread(db, asker)
    assert own_question_to_withdraw(db, t.id, asker) is t
    withdraw_question(db, thread=t, actor=asker)
    db.commit()
    assert own_question_to_withdraw(db, t.id, asker) is None  # deleted already: nothing left to do
    with pytest.raises(NotFound):
        own_question_to_withdraw(db, t.id, f.user(db))
    moderator = f.user(db, role="moderator")
    unhide_thread(db, t, moderator)
    hide_thread(db, t, moderator)  # hidden again, by a moderator this time: not the asker's to find
    db.commit()
    with pytest.raises(NotFound):
        own_question_to_withdraw(db, t.id, asker)
