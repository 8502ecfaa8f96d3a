"""Merging duplicate threads: every rule of the merge, and the exact undo."""
import pytest
from sqlalchemy import select

from forum import merging, posts, threads, unmerging
from forum.errors import Conflict, PermissionDenied, ValidationFailed
from forum.listing import list_threads
from forum.notifications import list_notifications
from models import DuplicateLink, MergeRecord, ModerationLog, Post, SearchDocument, Thread, Watch
from tests import moderation_factories as mf
from tests.forum.merge_dump import dump_threads


@pytest.fixture
def pair(db):
    """S (newer, with an accepted answer and a nested reply) and T (older, with its own accepted answer)."""
    asker_t, asker_s, helper, other = (mf.user(db) for _ in range(4))
    mod = mf.user(db, "moderator")
    t = mf.thread(db, asker_t, "Cara mengajukan cuti besar bagi PNS", 0, topic_slugs=("cuti-kehadiran",))
    t1 = mf.reply(db, helper, t, "Ajukan lewat SIASN dengan surat permohonan.", 10)
    t2 = mf.reply(db, other, t, "Setuju, jangan lupa persetujuan atasan.", 30, reply_to=t1.id)
    posts.accept_answer(db, actor=asker_t, thread=t, post=t1)
    s = mf.thread(db, asker_s, "Syarat cuti besar untuk pegawai negeri", 5, agency_slug="bkpsdm-bandung",
                  topic_slugs=("cuti-kehadiran", "kepegawaian"))
    s1 = mf.reply(db, other, s, "Masa kerja minimal lima tahun terus-menerus.", 20)
    s2 = mf.reply(db, helper, s, "Betul, dan diajukan paling lambat sebulan sebelumnya.", 40, reply_to=s1.id)
    posts.edit_post(db, editor=other, post=s1, body_md="Masa kerja minimal **lima tahun** terus-menerus.",
                    now=mf.at(25))
    posts.accept_answer(db, actor=asker_s, thread=s, post=s2)
    db.add(DuplicateLink(thread_id=s.id, other_thread_id=t.id, similarity=0.91, judge_score=0.88,
                         reasons={"shared_terms": ["cuti", "besar"]}))
    db.commit()
    return {"t": t, "s": s, "t1": t1, "t2": t2, "s1": s1, "s2": s2, "mod": mod, "helper": helper,
            "other": other, "asker_s": asker_s, "asker_t": asker_t}


def test_merge_moves_every_post_keeping_author_dates_reply_links_and_revisions(db, pair):
    s, t = pair["s"], pair["t"]
    before = {p.id: (p.author_id, p.created_at, p.reply_to_id, p.body_md, p.edited_at)
              for p in threads.thread_posts(db, s)}
    merging.merge_threads(db, source=s, target=t, actor=pair["mod"], reason="Pertanyaan sama", accepted_choice="target")
    db.commit()
    db.expire_all()
    merged = threads.thread_posts(db, t)
    assert [p.created_at for p in merged] == sorted(p.created_at for p in merged)
    for p in merged:
        if p.id in before:
            assert (p.author_id, p.created_at, p.reply_to_id, p.body_md, p.edited_at) == before[p.id]
            assert p.merged_from_thread_id == s.id
    assert set(before) <= {p.id for p in merged}
    assert posts.post_revisions(db, db.get(Post, pair["s1"].id))[0].body_md.startswith("Masa kerja minimal lima")
    first_of_s = db.get(Post, s.first_post_id)
    assert first_of_s.thread_id == t.id and first_of_s.reply_to_id is None and first_of_s.id != t.first_post_id
    assert db.get(Thread, s.id).merged_into_id == t.id


def test_both_accepted_answers_make_the_moderator_choose_and_the_choice_stays(db, pair):
    with pytest.raises(ValidationFailed, match="pilih jawaban mana"):
        merging.merge_threads(db, source=pair["s"], target=pair["t"], actor=pair["mod"])
    db.rollback()
    merging.merge_threads(db, source=pair["s"], target=pair["t"], actor=pair["mod"], accepted_choice="source")
    db.commit()
    assert db.get(Thread, pair["t"].id).accepted_post_id == pair["s2"].id


def test_target_gets_topic_union_source_watchers_and_recomputed_counts(db, pair):
    s, t = pair["s"], pair["t"]
    merging.merge_threads(db, source=s, target=t, actor=pair["mod"], accepted_choice="target")
    db.commit()
    t = db.get(Thread, t.id)
    assert {x.slug for x in t.topics} == {"cuti-kehadiran", "kepegawaian"}
    assert t.reply_count == 2 + 3  # T's two replies, S's first post and its two replies
    assert t.last_activity_at == mf.at(40)
    watchers = set(db.scalars(select(Watch.user_id).where(Watch.thread_id == t.id)))
    assert {pair["asker_s"].id, pair["helper"].id, pair["other"].id, pair["asker_t"].id} <= watchers


def test_the_moderator_can_edit_the_topic_union(db, pair):
    merging.merge_threads(db, source=pair["s"], target=pair["t"], actor=pair["mod"], accepted_choice="target",
                          topics=["kepegawaian"])
    db.commit()
    assert [x.slug for x in db.get(Thread, pair["t"].id).topics] == ["kepegawaian"]


def _notes(db, user, kind):
    return [n for n in list_notifications(db, user.id) if n.kind == kind]


def test_authors_of_moved_posts_are_notified_with_a_link_into_the_target_the_asker_and_repliers_each_in_their_words(
        db, pair):
    merging.merge_threads(db, source=pair["s"], target=pair["t"], actor=pair["mod"], accepted_choice="target")
    db.commit()
    for author in (pair["asker_s"], pair["other"], pair["helper"]):
        notes = _notes(db, author, "thread_merged")
        assert len(notes) == 1
        assert notes[0].url.startswith(f"/diskusi/{pair['t'].id}/")
        if author is pair["asker_s"]:
            assert notes[0].message.startswith("Diskusi Anda digabungkan ke “Cara mengajukan cuti besar bagi PNS”")
        else:
            assert notes[0].message.startswith(f"Balasan Anda di “{pair['s'].title}” dipindahkan ke “Cara mengajukan")


def test_undoing_a_merge_tells_the_moved_authors_their_posts_are_back_in_the_original_thread(db, pair):
    record = merging.merge_threads(db, source=pair["s"], target=pair["t"], actor=pair["mod"], accepted_choice="target")
    db.commit()
    unmerging.unmerge(db, merge_record=record, actor=pair["mod"])
    db.commit()
    for author in (pair["asker_s"], pair["other"], pair["helper"]):
        notes = _notes(db, author, "thread_unmerged")
        assert len(notes) == 1
        assert notes[0].message.startswith("Penggabungan dibatalkan: tulisan Anda kembali ke “Syarat cuti besar")
        assert notes[0].url.startswith(f"/diskusi/{pair['s'].id}/")
    assert not _notes(db, pair["asker_t"], "thread_unmerged") and not _notes(db, pair["mod"], "thread_unmerged")


def test_search_regroups_the_posts_lists_show_only_the_target_and_the_link_is_marked_merged(db, pair):
    s, t = pair["s"], pair["t"]
    merging.merge_threads(db, source=s, target=t, actor=pair["mod"], accepted_choice="target")
    db.commit()
    groups = dict(db.execute(select(SearchDocument.doc_id, SearchDocument.group_id)).all())
    for p in threads.thread_posts(db, t):
        assert groups[p.id] == t.id
    assert db.get(SearchDocument, s.first_post_id).title == ""  # only T's first post carries a title now
    assert db.scalar(select(DuplicateLink.status)) == "merged"
    assert [x.id for x in list_threads(db, None).items] == [t.id]


def test_the_merge_record_keeps_what_undo_needs_and_the_log_says_who_when_and_why(db, pair):
    s, t = pair["s"], pair["t"]
    record = merging.merge_threads(db, source=s, target=t, actor=pair["mod"], reason="Duplikat lintas instansi",
                                   accepted_choice="source")
    db.commit()
    snap = record.snapshot
    assert {p["id"] for p in snap["posts"]} == {s.first_post_id, pair["s1"].id, pair["s2"].id}
    assert next(p for p in snap["posts"] if p["id"] == pair["s2"].id)["reply_to_id"] == pair["s1"].id
    assert snap["source"]["title"] == "Syarat cuti besar untuk pegawai negeri"
    assert snap["source"]["slug"] == s.slug and snap["source"]["accepted_post_id"] == pair["s2"].id
    assert snap["target_before"]["accepted_post_id"] == pair["t1"].id
    assert {w["user_id"] for w in snap["source_watchers"]} >= {pair["asker_s"].id}
    entry = db.scalar(select(ModerationLog).where(ModerationLog.action == "merge"))
    assert (entry.actor_id, entry.thread_id, entry.target_thread_id, entry.merge_id) == (pair["mod"].id, s.id, t.id,
                                                                                         record.id)
    assert entry.reason == "Duplikat lintas instansi" and entry.created_at is not None


def test_unmerge_restores_both_threads_exactly(db, pair):
    s, t = pair["s"], pair["t"]
    before = dump_threads(db, s.id, t.id)
    link_before = db.execute(select(DuplicateLink.status, DuplicateLink.decided_by_id)).one()
    record = merging.merge_threads(db, source=s, target=t, actor=pair["mod"], accepted_choice="source")
    db.commit()
    assert dump_threads(db, s.id, t.id) != before
    unmerging.unmerge(db, merge_record=record, actor=pair["mod"], reason="Ternyata berbeda")
    db.commit()
    assert dump_threads(db, s.id, t.id) == before
    assert db.execute(select(DuplicateLink.status, DuplicateLink.decided_by_id)).one() == link_before
    assert db.get(MergeRecord, record.id).undone_by_id == pair["mod"].id
    assert db.scalar(select(ModerationLog.action).order_by(ModerationLog.id.desc())) == "unmerge"


def test_replies_written_during_the_merge_to_a_moved_post_follow_it_back_and_the_rest_stay(db, pair):
    s, t = pair["s"], pair["t"]
    record = merging.merge_threads(db, source=s, target=t, actor=pair["mod"], accepted_choice="target")
    db.commit()
    late_to_moved = mf.reply(db, pair["asker_t"], db.get(Thread, t.id), "Terima kasih infonya!", 90,
                             reply_to=pair["s1"].id)
    late_to_own = mf.reply(db, pair["asker_s"], db.get(Thread, t.id), "Menambahkan pengalaman saya.", 95,
                           reply_to=pair["t1"].id)
    nested = mf.reply(db, pair["other"], db.get(Thread, t.id), "Sama-sama, semoga lancar.", 100,
                      reply_to=late_to_moved.id)
    db.commit()
    unmerging.unmerge(db, merge_record=db.get(MergeRecord, record.id), actor=pair["mod"])
    db.commit()
    db.expire_all()
    # The conversation goes back with the post it answers, reply links kept ("membalas @nama").
    assert (db.get(Post, late_to_moved.id).thread_id, db.get(Post, late_to_moved.id).reply_to_id) == (s.id, pair["s1"].id)
    assert (db.get(Post, nested.id).thread_id, db.get(Post, nested.id).reply_to_id) == (s.id, late_to_moved.id)
    assert (db.get(Post, late_to_own.id).thread_id, db.get(Post, late_to_own.id).reply_to_id) == (t.id, pair["t1"].id)
    t, s = db.get(Thread, t.id), db.get(Thread, s.id)
    assert t.reply_count == 3 and t.last_activity_at == mf.at(95)
    assert s.reply_count == 4 and s.last_activity_at == mf.at(100)
    assert {p.id for p in threads.thread_posts(db, s)} == {s.first_post_id, pair["s1"].id, pair["s2"].id,
                                                          late_to_moved.id, nested.id}
    assert {d.group_id for d in db.scalars(select(SearchDocument).where(
        SearchDocument.doc_id.in_([late_to_moved.id, nested.id])))} == {s.id}
    entry = db.scalar(select(ModerationLog).where(ModerationLog.action == "unmerge"))
    assert entry.details["followed_replies"] == [late_to_moved.id, nested.id] and entry.details["detached_replies"] == []
    # For an author whose only post there was written after the merge, the reply moves; it does not "go back".
    moved_reply = _notes(db, pair["asker_t"], "thread_unmerged")
    assert len(moved_reply) == 1 and moved_reply[0].message.startswith("Penggabungan dibatalkan: balasan Anda ikut dipindahkan")
    assert "kembali ke" in _notes(db, pair["other"], "thread_unmerged")[0].message


def test_the_targets_accepted_answer_written_to_a_moved_post_stays_in_the_target_with_its_link_cleared(db, pair):
    s, t = pair["s"], pair["t"]
    record = merging.merge_threads(db, source=s, target=t, actor=pair["mod"], accepted_choice="target")
    db.commit()
    answer = mf.reply(db, pair["helper"], db.get(Thread, t.id), "Jawaban lengkapnya: ajukan lewat SIASN.", 90,
                      reply_to=pair["s1"].id)
    posts.accept_answer(db, actor=pair["asker_t"], thread=db.get(Thread, t.id), post=answer)
    db.commit()
    unmerging.unmerge(db, merge_record=db.get(MergeRecord, record.id), actor=pair["mod"])
    db.commit()
    db.expire_all()
    assert (db.get(Post, answer.id).thread_id, db.get(Post, answer.id).reply_to_id) == (t.id, None)
    assert db.get(Thread, t.id).accepted_post_id == answer.id
    entry = db.scalar(select(ModerationLog).where(ModerationLog.action == "unmerge"))
    assert entry.details["detached_replies"] == [answer.id] and entry.details["followed_replies"] == []


def test_undoing_twice_is_refused_with_a_clear_message(db, pair):
    record = merging.merge_threads(db, source=pair["s"], target=pair["t"], actor=pair["mod"], accepted_choice="target")
    db.commit()
    unmerging.unmerge(db, merge_record=record, actor=pair["mod"])
    db.commit()
    with pytest.raises(Conflict, match="sudah dibatalkan"):
        unmerging.unmerge(db, merge_record=db.get(MergeRecord, record.id), actor=pair["mod"])


def test_undo_is_refused_while_the_target_is_merged_again_and_works_once_that_is_undone(db, pair):
    s, t = pair["s"], pair["t"]
    u = mf.thread(db, pair["helper"], "Prosedur cuti besar terbaru di instansi pusat", 50)
    db.commit()
    before = dump_threads(db, s.id, t.id, u.id)
    first = merging.merge_threads(db, source=s, target=t, actor=pair["mod"], accepted_choice="target")
    second = merging.merge_threads(db, source=t, target=u, actor=pair["mod"])
    db.commit()
    with pytest.raises(Conflict, match="digabungkan lagi"):
        unmerging.unmerge(db, merge_record=first, actor=pair["mod"])
    db.rollback()
    assert db.get(MergeRecord, first.id).undone_at is None  # nothing half-done
    unmerging.unmerge(db, merge_record=db.get(MergeRecord, second.id), actor=pair["mod"])
    unmerging.unmerge(db, merge_record=db.get(MergeRecord, first.id), actor=pair["mod"])
    db.commit()
    assert dump_threads(db, s.id, t.id, u.id) == before


def test_an_older_merge_into_the_same_target_waits_for_the_newer_one_to_be_undone(db, pair):
    s, t = pair["s"], pair["t"]
    v = mf.thread(db, pair["other"], "Cuti besar dan tunjangan kinerja", 60)
    db.commit()
    first = merging.merge_threads(db, source=s, target=t, actor=pair["mod"], accepted_choice="target")
    merging.merge_threads(db, source=v, target=t, actor=pair["mod"])
    db.commit()
    with pytest.raises(Conflict, match="lebih baru"):
        unmerging.unmerge(db, merge_record=first, actor=pair["mod"])


def test_a_thread_cannot_be_merged_into_itself_or_into_or_from_a_merged_away_thread(db, pair):
    s, t, mod = pair["s"], pair["t"], pair["mod"]
    u = mf.thread(db, pair["helper"], "Prosedur cuti besar terbaru di instansi pusat", 50)
    with pytest.raises(ValidationFailed, match="dirinya sendiri"):
        merging.merge_threads(db, source=t, target=t, actor=mod)
    merging.merge_threads(db, source=s, target=t, actor=mod, accepted_choice="target")
    db.commit()
    with pytest.raises(Conflict, match="tujuan sudah digabungkan"):
        merging.merge_threads(db, source=u, target=db.get(Thread, s.id), actor=mod)
    with pytest.raises(Conflict, match="sumber sudah digabungkan"):
        merging.merge_threads(db, source=db.get(Thread, s.id), target=u, actor=mod)


def test_members_and_out_of_scope_moderators_cannot_merge(db, pair):
    scoped = mf.user(db, "moderator", scopes=[("bkn", None)])  # S belongs to another agency
    with pytest.raises(PermissionDenied):
        merging.merge_threads(db, source=pair["s"], target=pair["t"], actor=pair["helper"])
    with pytest.raises(PermissionDenied, match="moderator yang berwenang"):
        merging.merge_threads(db, source=pair["s"], target=pair["t"], actor=scoped, accepted_choice="target")
    assert db.get(Thread, pair["s"].id).merged_into_id is None


def test_a_stale_version_from_the_moderators_page_is_refused(db, pair):
    s, t = pair["s"], pair["t"]
    seen = {s.id: s.version, t.id: t.version}
    mf.reply(db, pair["other"], t, "Balasan baru sementara moderator membaca.", 70)
    db.commit()
    with pytest.raises(Conflict, match="moderator lain"):
        merging.merge_threads(db, source=s, target=t, actor=pair["mod"], accepted_choice="target",
                              expected_versions=seen)


def test_undo_after_the_merged_in_answer_was_hidden_restores_the_targets_own_answer_and_hides_nothing(db, pair):
    from forum import reports
    s, t = pair["s"], pair["t"]
    merging.merge_threads(db, source=s, target=t, actor=pair["mod"], accepted_choice="source")
    report = reports.report_post(db, reporter=pair["asker_t"], post=pair["s2"], reason="Isinya menyesatkan")
    reports.hide_reported_post(db, report=report, actor=pair["mod"])
    db.commit()
    assert db.get(Thread, t.id).accepted_post_id is None  # a hidden answer answers nobody
    record = db.scalar(select(MergeRecord).where(MergeRecord.source_thread_id == s.id))
    unmerging.unmerge(db, merge_record=record, actor=pair["mod"])
    db.commit()
    db.expire_all()
    assert db.get(Thread, t.id).accepted_post_id == pair["t1"].id  # the asker's own choice is back
    assert db.get(Thread, s.id).accepted_post_id is None  # not a hidden post shown as "Jawaban terpilih"
    reports.unhide_post(db, post=db.get(Post, pair["s2"].id), actor=pair["mod"])
    db.commit()
    assert db.get(Thread, s.id).accepted_post_id == pair["s2"].id  # unhiding gives it back where it now lives


def test_a_hidden_thread_is_not_merged_and_a_merge_from_a_stale_preview_is_refused(db, pair):
    from forum import moderation
    s, t = pair["s"], pair["t"]
    seen = {s.id: s.version, t.id: t.version}
    moderation.hide_thread(db, s, pair["mod"], "Iklan jasa")
    db.commit()
    with pytest.raises(ValidationFailed, match="disembunyikan"):
        merging.merge_threads(db, source=s, target=t, actor=pair["mod"], accepted_choice="target")
    db.rollback()
    moderation.unhide_thread(db, s, pair["mod"])
    db.commit()
    with pytest.raises(Conflict):  # the page was opened before the hide and the unhide
        merging.merge_threads(db, source=s, target=t, actor=pair["mod"], accepted_choice="target", expected_versions=seen)
    db.rollback()
    assert db.get(Thread, s.id).merged_into_id is None


def test_a_visible_question_is_not_merged_into_a_hidden_thread_where_its_asker_would_lose_it(db, pair):
    from forum import moderation
    s, t = pair["s"], pair["t"]
    moderation.hide_thread(db, t, pair["mod"], "Data pribadi")
    db.commit()
    with pytest.raises(ValidationFailed, match="Diskusi tujuan sedang disembunyikan") as refused:
        merging.merge_threads(db, source=s, target=t, actor=pair["mod"], accepted_choice="target")
    assert "target" in refused.value.fields
    db.rollback()
    assert db.get(Thread, s.id).merged_into_id is None and not db.get(Thread, s.id).is_hidden
    moderation.hide_thread(db, s, pair["mod"], "Iklan jasa")  # both hidden: nothing becomes public or vanishes
    db.commit()
    merging.merge_threads(db, source=s, target=t, actor=pair["mod"], accepted_choice="target")
    db.commit()
    assert db.get(Thread, s.id).merged_into_id == t.id


def test_a_scoped_moderator_cannot_merge_a_thread_into_topics_outside_their_scope(db, pair):
    scoped = mf.user(db, "moderator", scopes=[(None, "cuti-kehadiran")])
    db.commit()
    with pytest.raises(PermissionDenied, match="di luar instansi/topik"):
        merging.merge_threads(db, source=pair["s"], target=pair["t"], actor=scoped, accepted_choice="target",
                              topics=["kepegawaian"])
    db.rollback()
    merging.merge_threads(db, source=pair["s"], target=pair["t"], actor=scoped, accepted_choice="target")
    db.commit()
    assert db.get(Thread, pair["s"].id).merged_into_id == pair["t"].id


def test_counts_leave_out_deleted_replies_through_a_merge_and_its_undo(db, pair):
    from forum.post_deletion import delete_post

    s, t = pair["s"], pair["t"]
    delete_post(db, post=pair["s1"], actor=pair["other"])  # deleted before the merge
    record = merging.merge_threads(db, source=s, target=t, actor=pair["mod"], accepted_choice="target")
    db.commit()
    assert db.get(Thread, t.id).reply_count == 2 + 2  # T's two replies, S's first post and its readable reply
    delete_post(db, post=pair["t2"], actor=pair["other"])  # deleted while merged
    unmerging.unmerge(db, merge_record=record, actor=pair["mod"])
    db.commit()
    assert (db.get(Thread, t.id).reply_count, db.get(Thread, s.id).reply_count) == (1, 1)
