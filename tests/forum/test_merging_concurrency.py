"""Two moderators merging the same threads at the same moment: one wins, the other is told clearly."""
import threading

import pytest
from sqlalchemy import func, select

from forum import merging
from forum.errors import ForumError
from models import MergeRecord, Post, Thread
from tests import moderation_factories as mf


@pytest.mark.parametrize("opposite", [False, True], ids=["same-direction", "opposite-directions"])
def test_two_simultaneous_merges_of_the_same_threads_let_exactly_one_succeed(session_factory, monkeypatch, opposite):
    with session_factory() as db:
        author, mod_a, mod_b = mf.user(db), mf.user(db, "moderator"), mf.user(db, "moderator")
        t = mf.thread(db, author, "Cara mengajukan cuti besar bagi PNS", 0)
        s = mf.thread(db, author, "Syarat cuti besar untuk pegawai negeri", 5)
        mf.reply(db, author, s, "Masa kerja minimal lima tahun.", 6)
        db.commit()
        ids = (s.id, t.id, mod_a.id, mod_b.id)
    monkeypatch.setenv("FORUM_TEST_MERGE_PAUSE", "0.4")  # the winner holds its transaction open a while
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def moderator(name: str, mod_id: int, source_id: int, target_id: int) -> None:
        with session_factory() as db:
            source, target, actor = db.get(Thread, source_id), db.get(Thread, target_id), db.get(type(author), mod_id)
            barrier.wait()
            try:
                merging.merge_threads(db, source=source, target=target, actor=actor, reason=name)
                db.commit()
                outcomes[name] = "ok"
            except ForumError as exc:
                db.rollback()
                outcomes[name] = exc.message

    s_id, t_id, a_id, b_id = ids
    jobs = [threading.Thread(target=moderator, args=("a", a_id, s_id, t_id)),
            threading.Thread(target=moderator, args=("b", b_id, *((t_id, s_id) if opposite else (s_id, t_id))))]
    for job in jobs:
        job.start()
    for job in jobs:
        job.join(60)
    assert sorted(outcomes.values()).count("ok") == 1, outcomes
    loser = next(v for v in outcomes.values() if v != "ok")
    assert "moderator lain" in loser or "sudah digabungkan" in loser
    with session_factory() as db:
        assert db.scalar(select(func.count()).select_from(MergeRecord)) == 1
        record = db.scalar(select(MergeRecord))
        # entirely the winner's merge: every post in the surviving thread, the other one a redirect
        assert db.scalar(select(func.count()).where(Post.thread_id == record.source_thread_id)) == 0
        assert db.get(Thread, record.source_thread_id).merged_into_id == record.target_thread_id
        assert db.get(Thread, record.target_thread_id).merged_into_id is None
