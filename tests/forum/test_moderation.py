"""Thread moderation verbs, reports, roles and the duplicate queue through the domain layer."""
import pytest
from sqlalchemy import select

from forum import duplicates, duplicate_queue, moderation, posts, reports, roles, threads
from forum.errors import Conflict, NotAuthenticated, PermissionDenied, ValidationFailed
from forum.listing import list_threads
from forum.moderation_log import list_log
from models import DuplicateLink, Post, SearchDocument, Thread
from tests import moderation_factories as mf


@pytest.fixture
def world(db):
    author, member = mf.user(db), mf.user(db)
    scoped = mf.user(db, "moderator", scopes=[(None, "kepegawaian")])
    mod, admin = mf.user(db, "moderator"), mf.user(db, "admin")
    t = mf.thread(db, author, "Cara mengajukan cuti besar bagi PNS", 0)
    r = mf.reply(db, member, t, "Ajukan lewat SIASN ya.", 5)
    db.commit()
    return {"author": author, "member": member, "scoped": scoped, "mod": mod, "admin": admin, "t": t, "r": r}


def test_lock_stops_member_replies_and_unlock_allows_them_again_each_logged_with_the_reason(db, world):
    t, mod = world["t"], world["mod"]
    version = t.version
    moderation.lock_thread(db, t, mod, "Sudah terjawab tuntas")
    assert t.is_locked and t.version == version + 1
    with pytest.raises(PermissionDenied, match="dikunci"):
        posts.reply(db, author=world["member"], thread=t, body_md="Satu pertanyaan lagi")
    moderation.unlock_thread(db, t, mod)
    posts.reply(db, author=world["member"], thread=t, body_md="Satu pertanyaan lagi")
    entries = list_log(db, thread_id=t.id)
    assert [e.action for e in entries] == ["unlock", "lock"] and entries[1].reason == "Sudah terjawab tuntas"


def test_hide_removes_the_thread_from_members_lists_and_search_and_unhide_brings_it_back(db, world):
    t = world["t"]
    moderation.hide_thread(db, t, world["mod"], "Spam")
    db.commit()
    assert db.scalar(select(SearchDocument).where(SearchDocument.group_id == t.id)) is None
    assert list_threads(db, world["member"]).total == 0 and list_threads(db, world["mod"]).total == 1
    with pytest.raises(Exception, match="tidak ditemukan"):
        threads.get_thread(db, t.id, world["member"])
    moderation.unhide_thread(db, t, world["mod"])
    db.commit()
    groups = set(db.scalars(select(SearchDocument.doc_id).where(SearchDocument.group_id == t.id)))
    assert groups == {t.first_post_id, world["r"].id}


def test_pin_puts_the_thread_first_and_repeating_an_action_changes_and_logs_nothing(db, world):
    newer = mf.thread(db, world["member"], "Pertanyaan terbaru tentang SKP", 60)
    moderation.pin_thread(db, world["t"], world["mod"])
    version = world["t"].version
    moderation.pin_thread(db, world["t"], world["mod"])
    db.commit()
    assert world["t"].version == version and [e.action for e in list_log(db)] == ["pin"]
    assert [x.id for x in list_threads(db, None).items] == [world["t"].id, newer.id]
    moderation.unpin_thread(db, world["t"], world["mod"])
    assert [x.id for x in list_threads(db, None).items] == [newer.id, world["t"].id]


def test_move_changes_agency_and_topics_and_logs_where_from_and_where_to(db, world):
    from tests import factories as f
    f.agency(db, "bkd-jatim", "BKD Jawa Timur")
    f.topic(db, "kepegawaian", "Kepegawaian")
    moderation.move_thread(db, world["t"], world["mod"], "bkd-jatim", ["kepegawaian"], "Salah instansi")
    entry = list_log(db, action="move")[0]
    assert world["t"].agency.slug == "bkd-jatim" and [x.slug for x in world["t"].topics] == ["kepegawaian"]
    assert entry.details == {"from": {"agency": "bkn", "topics": ["cuti-kehadiran"]},
                             "to": {"agency": "bkd-jatim", "topics": ["kepegawaian"]}}
    with pytest.raises(ValidationFailed, match="Topik tidak dikenal"):
        moderation.move_thread(db, world["t"], world["mod"], "bkn", ["tidak-ada"])
    with pytest.raises(ValidationFailed) as both:  # every mistake in one answer
        moderation.move_thread(db, world["t"], world["mod"], "zzz", ["zzz"], "a" * 600)
    assert set(both.value.fields) == {"agency", "topics", "reason"}
    assert world["t"].agency.slug == "bkd-jatim"


def test_members_anonymous_and_out_of_scope_moderators_are_refused_every_thread_action(db, world):
    t = world["t"]
    for verb in (moderation.lock_thread, moderation.hide_thread, moderation.pin_thread):
        with pytest.raises(NotAuthenticated):
            verb(db, t, None)
        with pytest.raises(PermissionDenied, match="Hanya moderator"):
            verb(db, t, world["member"])
        with pytest.raises(PermissionDenied):
            verb(db, t, world["scoped"])  # scoped to a topic this thread does not have
    assert (t.is_locked, t.is_hidden, t.is_pinned) == (False, False, False)


def test_an_action_based_on_a_stale_page_is_refused(db, world):
    seen = world["t"].version
    mf.reply(db, world["member"], world["t"], "Balasan yang datang belakangan.", 9)
    with pytest.raises(Conflict, match="moderator lain"):
        moderation.lock_thread(db, world["t"], world["mod"], expected_version=seen)
    with pytest.raises(Conflict, match="moderator lain"):  # a version of 0 is a version too, not "unchecked"
        moderation.lock_thread(db, world["t"], world["mod"], expected_version=0)


def test_a_member_reports_a_post_once_and_a_moderator_hides_it_or_dismisses_the_report(db, world):
    other = mf.user(db)
    rep = reports.report_post(db, reporter=world["author"], post=world["r"], reason="Jawaban ini keliru")
    with pytest.raises(ValidationFailed, match="sudah melaporkan"):
        reports.report_post(db, reporter=world["author"], post=world["r"], reason="Jawaban ini keliru")
    with pytest.raises(ValidationFailed, match="sendiri"):
        reports.report_post(db, reporter=world["member"], post=world["r"], reason="Tulisan saya sendiri")
    second = reports.report_post(db, reporter=other, post=world["r"], reason="Menyesatkan rekan lain")
    assert [x.id for x in reports.list_reports(db, world["mod"])] == [rep.id, second.id]
    with pytest.raises(PermissionDenied):
        reports.list_reports(db, world["member"])
    reports.hide_reported_post(db, report=rep, actor=world["mod"])
    db.commit()
    assert world["r"].is_hidden and db.get(SearchDocument, world["r"].id) is None
    assert {x.status for x in (rep, second)} == {"hidden"} and reports.list_reports(db, world["mod"]) == []
    reports.unhide_post(db, post=world["r"], actor=world["mod"])
    third = reports.report_post(db, reporter=other, post=world["r"], reason="Masih menyesatkan menurut saya")
    reports.dismiss_report(db, report=third, actor=world["mod"], reason="Tidak melanggar")
    assert third.status == "dismissed" and not world["r"].is_hidden
    assert [e.action for e in list_log(db)] == ["dismiss_report", "unhide_post", "hide_post"]
    with pytest.raises(ValidationFailed, match="sudah ditangani"):  # a decided report is not decided again
        reports.hide_reported_post(db, report=third, actor=world["mod"])
    with pytest.raises(ValidationFailed, match="sudah ditangani"):
        reports.hide_reported_post(db, report=rep, actor=world["mod"])  # a second click on "Sembunyikan"
    assert not world["r"].is_hidden and len(list_log(db, action="hide_post")) == 1


def test_a_dismissed_report_can_be_opened_again_and_a_hidden_posts_report_cannot(db, world):
    report = reports.report_post(db, reporter=world["author"], post=world["r"], reason="Isinya promosi jasa")
    reports.dismiss_report(db, report=report, actor=world["mod"], reason="Keliru klik")
    reports.reopen_report(db, report=report, actor=world["mod"], reason="Ternyata memang promosi")
    reports.reopen_report(db, report=report, actor=world["mod"])  # twice: still open, logged once
    assert report.status == "open" and report.resolved_by_id is None
    assert [r.id for r in reports.list_reports(db, world["mod"])] == [report.id]
    assert [e.action for e in list_log(db)][:2] == ["reopen_report", "dismiss_report"]
    with pytest.raises(PermissionDenied):
        reports.reopen_report(db, report=report, actor=world["member"])
    reports.hide_reported_post(db, report=report, actor=world["mod"])
    with pytest.raises(ValidationFailed, match="Tampilkan lagi"):
        reports.reopen_report(db, report=report, actor=world["mod"])


def test_a_moderator_does_not_dismiss_a_report_about_their_own_post(db, world):
    own = mf.reply(db, world["mod"], world["t"], "Jawaban dari moderator sendiri.", 20)
    report = reports.report_post(db, reporter=world["member"], post=own, reason="Jawaban ini keliru")
    with pytest.raises(PermissionDenied, match="moderator lain"):
        reports.dismiss_report(db, report=report, actor=world["mod"])
    reports.dismiss_report(db, report=report, actor=world["admin"], reason="Tidak melanggar")
    assert report.status == "dismissed"


def test_hiding_the_accepted_answer_leaves_the_thread_unanswered_until_the_answer_is_shown_again(db, world):
    t, answer = world["t"], world["r"]
    posts.accept_answer(db, actor=world["author"], thread=t, post=answer)
    rep = reports.report_post(db, reporter=mf.user(db), post=answer, reason="Jawaban ini keliru")
    reports.hide_reported_post(db, report=rep, actor=world["mod"])
    db.commit()
    assert not t.is_answered
    assert t.id in {x.id for x in list_threads(db, world["member"], sort="belum-terjawab").items}
    with pytest.raises(ValidationFailed, match="disembunyikan"):
        posts.accept_answer(db, actor=world["author"], thread=t, post=answer)
    reports.unhide_post(db, post=answer, actor=world["mod"])
    db.commit()
    assert t.accepted_post_id == answer.id


def test_an_answer_accepted_while_the_old_one_was_hidden_stays_accepted_after_unhiding(db, world):
    t, first = world["t"], world["r"]
    second = mf.reply(db, world["member"], t, "Atau lewat aplikasi kepegawaian instansi.", 6)
    posts.accept_answer(db, actor=world["author"], thread=t, post=first)
    rep = reports.report_post(db, reporter=world["author"], post=first, reason="Jawaban ini keliru")
    reports.hide_reported_post(db, report=rep, actor=world["mod"])
    posts.accept_answer(db, actor=world["author"], thread=t, post=second)
    reports.unhide_post(db, post=first, actor=world["mod"])
    db.commit()
    assert t.accepted_post_id == second.id


def test_a_hidden_reply_leaves_its_threads_reply_count_until_shown_again_and_a_merge_counts_it_out_too(db, world):
    from forum.merging import merge_threads
    from forum.unmerging import unmerge
    t, reply = world["t"], world["r"]
    second = mf.reply(db, world["author"], t, "Terima kasih, sudah saya coba.", 6)
    rep = reports.report_post(db, reporter=world["member"], post=second, reason="Tidak relevan")
    reports.hide_reported_post(db, report=rep, actor=world["mod"])
    db.commit()
    assert t.reply_count == 1
    other = mf.thread(db, world["member"], "Prosedur cuti besar untuk pegawai negeri", 7)
    mf.reply(db, world["author"], other, "Lewat aplikasi kepegawaian.", 8)
    record = merge_threads(db, source=t, target=other, actor=world["mod"], accepted_choice="target")
    db.commit()
    assert other.reply_count == 3  # its own reply, t's question and its visible reply; not the hidden one
    unmerge(db, merge_record=record, actor=world["mod"])
    db.commit()
    assert (t.reply_count, other.reply_count) == (1, 1)
    reports.unhide_post(db, post=second, actor=world["mod"])
    db.commit()
    assert t.reply_count == 2 and reply.thread_id == t.id


def test_an_admin_appoints_a_scoped_moderator_who_then_moderates_only_that_scope(db, world):
    from tests import factories as f
    f.topic(db, "kepegawaian", "Kepegawaian")
    member = world["member"]
    with pytest.raises(PermissionDenied, match="Hanya admin"):
        roles.set_role(db, actor=world["mod"], user=member, role="moderator")
    with pytest.raises(ValidationFailed, match="sendiri"):
        roles.set_role(db, actor=world["admin"], user=world["admin"], role="member")
    roles.set_role(db, actor=world["admin"], user=member, role="moderator", topics=["kepegawaian"], reason="Sukarela")
    db.commit()
    assert member.role == "moderator" and [s.topic.slug for s in member.scopes] == ["kepegawaian"]
    with pytest.raises(PermissionDenied):
        moderation.lock_thread(db, world["t"], member)
    moderation.move_thread(db, world["t"], world["admin"], "bkn", ["cuti-kehadiran", "kepegawaian"])
    moderation.lock_thread(db, world["t"], member)
    assert list_log(db, action="set_role")[0].details["to"] == {"role": "moderator", "agencies": [],
                                                               "topics": ["kepegawaian"]}
    assert member in roles.list_staff(db, world["admin"])
    # Inside their scope they may move a thread, but not out of it (they could never move it back).
    with pytest.raises(PermissionDenied, match="di luar instansi/topik"):
        moderation.move_thread(db, world["t"], member, "bkn", ["cuti-kehadiran"])
    moderation.move_thread(db, world["t"], member, "bkn", ["kepegawaian"])
    assert [t.slug for t in world["t"].topics] == ["kepegawaian"]


def test_a_scoped_moderators_queue_reaches_their_pairs_behind_many_stronger_ones_and_pages(db, world, monkeypatch):
    monkeypatch.setattr(duplicate_queue, "READ_BATCH", 2)  # rows are read two at a time: scope pairs lie behind
    # The scoped moderator keeps "kepegawaian"; the five strongest pairs are about cuti, outside their scope.
    outside = world["t"]
    stronger = [mf.thread(db, world["member"], f"Cuti besar bagi PNS {i}", 2 + i) for i in range(5)]
    inside = mf.thread(db, world["member"], "Syarat kenaikan pangkat reguler", 1, topic_slugs=("kepegawaian",))
    own = [mf.thread(db, world["member"], f"Kenaikan pangkat reguler {i}", 10 + i, topic_slugs=("kepegawaian",))
           for i in range(3)]
    db.add_all([DuplicateLink(thread_id=s.id, other_thread_id=outside.id, similarity=0.9, judge_score=0.99, reasons={})
                for s in stronger])
    mine = [DuplicateLink(thread_id=o.id, other_thread_id=inside.id, similarity=0.8, judge_score=0.9 - i / 10,
                          reasons={}) for i, o in enumerate(own)]
    db.add_all(mine)
    db.commit()
    assert [p.link.id for p in duplicate_queue.list_candidates(db, world["scoped"])] == [m.id for m in mine]
    pages = [duplicate_queue.list_candidates(db, world["scoped"], 2, skip=skip) for skip in (0, 2, 4)]
    assert [[p.link.id for p in page] for page in pages] == [[mine[0].id, mine[1].id], [mine[2].id], []]
    assert len(duplicate_queue.list_candidates(db, world["mod"])) == 8
    moderation.hide_thread(db, stronger[0], world["mod"])  # a hidden thread takes no merge: its pair leaves the queue
    db.commit()
    assert len(duplicate_queue.list_candidates(db, world["mod"])) == 7


def test_the_duplicate_queue_lists_pairs_strongest_first_with_reasons_and_remembers_decisions(db, world):
    t = world["t"]
    a = mf.thread(db, world["member"], "Syarat cuti besar untuk pegawai negeri", 10)
    b = mf.thread(db, world["member"], "Cuti besar di pemerintah provinsi", 20)
    weak = DuplicateLink(thread_id=b.id, other_thread_id=t.id, similarity=0.7, judge_score=0.5, reasons={})
    strong = DuplicateLink(thread_id=a.id, other_thread_id=t.id, similarity=0.9, judge_score=0.95,
                           reasons={"shared_terms": ["cuti", "besar"], "cosine": 0.912})
    db.add_all([weak, strong])
    db.commit()
    pairs = duplicate_queue.list_candidates(db, world["mod"])
    assert [p.link.id for p in pairs] == [strong.id, weak.id]
    assert (pairs[0].older.id, pairs[0].newer.id) == (t.id, a.id)
    assert pairs[0].reasons == ["Kata kunci yang sama: cuti, besar", "Kemiripan makna: 0.91"]
    assert duplicate_queue.list_candidates(db, world["scoped"]) == []
    duplicate_queue.mark_not_duplicate(db, link=strong, actor=world["mod"], reason="Beda konteks")
    duplicate_queue.mark_variant(db, link=weak, actor=world["mod"])
    db.commit()
    assert duplicate_queue.list_candidates(db, world["mod"]) == []
    assert duplicate_queue.variants_of(db, t) == [b]
    related = duplicates.related_threads(db, None, t)
    assert [(r.thread.id, r.variant) for r in related] == [(b.id, True)]  # the rejected pair is not listed
    assert [e.action for e in list_log(db)] == ["variant", "not_duplicate"]
    with pytest.raises(ValidationFailed, match="sudah diputuskan"):
        duplicate_queue.mark_variant(db, link=strong, actor=world["mod"])
    # A decision taken by mistake is taken back: the pair is in the queue again, logged.
    assert duplicate_queue.reopenable_entries(db, world["mod"], list_log(db)) == {e.id for e in list_log(db)}
    assert duplicate_queue.reopenable_entries(db, world["scoped"], list_log(db)) == set()  # not their threads
    duplicate_queue.reopen_pair(db, link=strong, actor=world["mod"], reason="Salah klik")
    db.commit()
    assert [p.link.id for p in duplicate_queue.list_candidates(db, world["mod"])] == [strong.id]
    entries = list_log(db)
    assert entries[0].action == "reopen_duplicate" and entries[0].details == {"link_id": strong.id, "was": "not_duplicate"}
    assert duplicate_queue.reopenable_entries(db, world["mod"], entries) == {e.id for e in entries if e.action == "variant"}
    assert duplicate_queue.reopen_pair(db, link=strong, actor=world["mod"]).status == "candidate"  # a second click
    assert list_log(db)[0].id == entries[0].id  # logged once
    duplicate_queue.mark_variant(db, link=strong, actor=world["mod"])
    old_entry = next(e for e in list_log(db) if e.action == "not_duplicate")  # the log filtered by action
    assert duplicate_queue.reopenable_entries(db, world["mod"], [old_entry]) == set()  # it no longer stands
    with pytest.raises(PermissionDenied):
        duplicate_queue.reopen_pair(db, link=weak, actor=world["member"])


def test_merge_preview_shows_counts_topic_union_and_what_blocks_the_merge(db, world):
    from forum.merge_preview import preview_merge
    s = mf.thread(db, world["member"], "Syarat cuti besar untuk pegawai negeri", 10, topic_slugs=("kepegawaian",))
    db.commit()
    p = preview_merge(db, source=s, target=world["t"], actor=world["mod"])
    assert p.can_merge and (p.source_posts, p.target_posts) == (1, 2)
    assert [x.slug for x in p.topics] == ["cuti-kehadiran", "kepegawaian"]
    assert [post.id for post, _ in p.timeline] == [world["t"].first_post_id, world["r"].id, s.first_post_id]
    same = preview_merge(db, source=s, target=s, actor=world["mod"])
    assert not same.can_merge and "dirinya sendiri" in same.problems[0]
    assert db.scalar(select(Post.thread_id).where(Post.id == s.first_post_id)) == s.id  # preview changes nothing
    assert db.get(Thread, s.id).merged_into_id is None
    assert p.warnings == []
    # A pinned source, and a pair a moderator called "not a duplicate", are said before the merge.
    moderation.pin_thread(db, s, world["mod"])
    db.add(DuplicateLink(thread_id=s.id, other_thread_id=world["t"].id, similarity=0.9, judge_score=0.5,
                         status="not_duplicate"))
    db.commit()
    warned = " ".join(preview_merge(db, source=s, target=world["t"], actor=world["mod"]).warnings)
    assert "punya sematan" in warned and "“bukan duplikat”" in warned
    assert "lebih lama" not in warned  # the newer question goes into the older one: nothing to say
    # The other way round (an older question into a newer one) is said, with the way to swap them.
    backwards = " ".join(preview_merge(db, source=world["t"], target=s, actor=world["mod"]).warnings)
    assert "Diskusi sumber lebih lama daripada diskusi tujuan" in backwards and "Jadikan ini diskusi utama" in backwards


def test_the_duplicate_queue_leaves_out_pairs_the_judge_scores_below_even_odds(db, world):
    t = world["t"]
    a = mf.thread(db, world["member"], "Cara menghitung tunjangan kinerja pusat", 10)
    unlikely = DuplicateLink(thread_id=a.id, other_thread_id=t.id, similarity=0.88,
                             judge_score=duplicate_queue.QUEUE_MIN_SCORE - 0.01, reasons={})
    db.add(unlikely)
    db.commit()
    assert unlikely.id not in [p.link.id for p in duplicate_queue.list_candidates(db, world["mod"])]


def test_a_scoped_moderator_reads_the_log_of_their_scope_only(db, world):
    from tests import factories as f
    f.topic(db, "kepegawaian", "Kepegawaian")
    outside, scoped = world["t"], world["scoped"]
    inside = mf.thread(db, world["author"], "Berapa lama kenaikan pangkat reguler?", 10,
                       topic_slugs=("kepegawaian",))
    db.commit()
    moderation.hide_thread(db, outside, world["mod"], "Data pribadi pelapor")
    moderation.lock_thread(db, inside, world["mod"], "Sudah terjawab")
    roles.set_role(db, actor=world["admin"], user=world["member"], role="moderator")
    db.commit()
    assert [e.action for e in list_log(db, scoped)] == ["lock"]
    assert list_log(db, scoped, thread_id=outside.id) == []
    assert [e.action for e in list_log(db, world["mod"])] == ["set_role", "lock", "hide"]
    assert list_log(db, world["mod"], thread_id=2**70) == []  # an id no database can hold finds nothing


def test_a_scoped_moderators_log_reaches_old_entries_of_their_scope_behind_many_others(db, world):
    from tests import factories as f
    f.topic(db, "kepegawaian", "Kepegawaian")
    inside = mf.thread(db, world["author"], "Berapa lama kenaikan pangkat reguler?", 10,
                       topic_slugs=("kepegawaian",))
    moderation.lock_thread(db, inside, world["mod"], "Sudah terjawab")
    for _ in range(40):  # the rest of the forum keeps its moderators busy
        moderation.pin_thread(db, world["t"], world["mod"])
        moderation.unpin_thread(db, world["t"], world["mod"])
    db.commit()
    assert [(e.action, e.thread_id) for e in list_log(db, world["scoped"], limit=5)] == [("lock", inside.id)]
    assert list_log(db, world["scoped"], limit=5, offset=1) == []


def test_the_author_of_a_hidden_reply_cannot_change_it_behind_the_moderators_back(db, world):
    r, mod = world["r"], world["mod"]
    report = reports.report_post(db, reporter=world["author"], post=r, reason="Isinya promosi")
    reports.hide_reported_post(db, report=report, actor=mod)
    with pytest.raises(PermissionDenied, match="disembunyikan moderator"):
        posts.edit_post(db, editor=world["member"], post=r, body_md="Isi yang sudah diganti diam-diam.")
    assert r.body_md == "Ajukan lewat SIASN ya."
    posts.edit_post(db, editor=mod, post=r, body_md="Ajukan lewat SIASN ya (disunting moderator).")
