"""Notifications: stored rows, unread counts, mark read, never for one's own action."""
import pytest

from forum import notifications, posts, threads
from tests import factories as f
from tests.web.helpers import fast_hashing  # noqa: F401

pytestmark = pytest.mark.usefixtures("fast_hashing")


def test_notifications_are_counted_listed_newest_first_and_marked_read(db):
    a, b = f.user(db), f.user(db)
    first = notifications.notify(db, a.id, "moderation", "Diskusi Anda dikunci", "/diskusi/1/x", actor_id=b.id)
    second = notifications.notify(db, a.id, "similar", "Ada diskusi serupa", "/diskusi/2/y")
    db.flush()
    assert notifications.unread_count(db, a.id) == 2 and notifications.unread_count(db, b.id) == 0
    assert [n.id for n in notifications.list_notifications(db, a.id)] == [second.id, first.id]
    assert notifications.open_notification(db, b.id, first.id) is None  # not b's
    assert notifications.open_notification(db, a.id, first.id).read_at is not None
    assert notifications.unread_count(db, a.id) == 1
    notifications.mark_all_read(db, a.id)
    assert notifications.unread_count(db, a.id) == 0


def test_nobody_is_notified_of_their_own_action(db):
    a = f.user(db)
    assert notifications.notify(db, a.id, "reply_thread", "x", actor_id=a.id) is None
    t = f.thread(db, a)
    posts.reply(db, author=a, thread=t, body_md="Menjawab sendiri.")
    db.flush()
    assert notifications.unread_count(db, a.id) == 0


def test_accepting_an_answer_notifies_its_author_and_watchers_hear_of_replies_once(db):
    asker, helper, watcher = f.user(db), f.user(db), f.user(db)
    t = f.thread(db, asker)
    threads.watch_thread(db, watcher, t)
    threads.watch_thread(db, watcher, t)  # idempotent
    r = posts.reply(db, author=helper, thread=t, body_md="Jawaban saya.")
    posts.accept_answer(db, actor=asker, thread=t, post=r)
    db.flush()
    kinds = [n.kind for n in notifications.list_notifications(db, helper.id)]
    assert kinds == ["answer_accepted"]
    assert [n.kind for n in notifications.list_notifications(db, watcher.id)] == ["reply_watched"]
    note = notifications.list_notifications(db, watcher.id)[0]
    assert note.url == f"/diskusi/{t.id}/{t.slug}#post-{r.id}" and note.post_id == r.id
    threads.unwatch_thread(db, watcher, t)
    posts.reply(db, author=helper, thread=t, body_md="Tambahan.")
    db.flush()
    assert notifications.unread_count(db, watcher.id) == 1


def test_notifications_about_a_since_hidden_thread_or_reply_leave_members_lists_but_not_staffs(db):
    asker, helper, other = f.user(db), f.user(db), f.user(db)
    mod = f.user(db, role="moderator")
    kept = f.thread(db, asker, title="Bagaimana cara mengajukan cuti besar?")
    gone = f.thread(db, other, title="Apakah gaji ke-13 dipotong pajak?")
    posts.reply(db, author=helper, thread=kept, body_md="Ajukan lewat SIASN ya.")
    spam = posts.reply(db, author=helper, thread=kept, body_md="Promo pinjaman cepat, hubungi saya.")
    threads.watch_thread(db, asker, gone)
    posts.reply(db, author=helper, thread=gone, body_md="Tidak, gaji ke-13 bebas potongan.")
    threads.watch_thread(db, mod, gone)
    posts.reply(db, author=other, thread=gone, body_md="Terima kasih, sudah jelas.")
    db.flush()
    assert notifications.unread_count(db, asker.id) == 4
    gone.is_hidden, spam.is_hidden = True, True
    db.flush()
    listed = notifications.list_notifications(db, asker.id)
    assert len(listed) == 1 and listed[0].thread_id == kept.id and listed[0].post_id != spam.id
    assert notifications.unread_count(db, asker.id) == 1
    assert notifications.unread_count(db, mod.id, staff=True) == 1
    assert notifications.unread_count(db, mod.id) == 0


def test_an_asker_who_unfollowed_their_thread_hears_only_of_replies_to_their_own_posts(db):
    asker, helper = f.user(db), f.user(db)
    t = f.thread(db, asker)
    posts.reply(db, author=helper, thread=t, body_md="Jawaban pertama.")
    db.flush()
    assert [n.kind for n in notifications.list_notifications(db, asker.id)] == ["reply_thread"]
    threads.unwatch_thread(db, asker, t)
    posts.reply(db, author=helper, thread=t, body_md="Tambahan untuk semua.")
    db.flush()
    assert notifications.unread_count(db, asker.id) == 1
    posts.reply(db, author=helper, thread=t, body_md="Menjawab pertanyaan Anda.", reply_to=t.first_post_id)
    db.flush()
    assert [n.kind for n in notifications.list_notifications(db, asker.id)] == ["reply_post", "reply_thread"]
