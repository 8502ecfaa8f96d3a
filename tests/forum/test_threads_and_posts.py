"""Threads and posts through the domain verbs."""
from datetime import timedelta

import pytest

from forum import posts, threads
from forum.errors import Conflict, PermissionDenied, ValidationFailed
from forum.notifications import list_notifications, unread_count
from forum.resends import RESEND_WINDOW
from forum.tree import build_tree
from tests import factories as f


def test_create_thread_renders_markdown_and_makes_the_author_follow_it(db):
    author = f.user(db)
    t = f.thread(db, author, body="Halo **rekan**, [tautan](javascript:alert(1)) https://bkn.go.id")
    db.commit()
    first = db.get(type(db.get(threads.Thread, t.id)), t.id)
    post = threads.thread_posts(db, first)[0]
    assert "<strong>rekan</strong>" in post.body_html
    assert "javascript:" not in post.body_html.split("tautan")[0] + post.body_html.split("href=")[-1]
    assert 'rel="nofollow ugc noopener"' in post.body_html
    assert "rekan" in post.body_text and "<" not in post.body_text
    assert threads.is_watching(db, author, t)
    assert t.slug == "bagaimana-cara-mengajukan-cuti-besar"


def test_create_thread_reports_every_invalid_field_at_once(db):
    author = f.user(db)
    with pytest.raises(ValidationFailed) as err:
        threads.create_thread(db, author=author, agency="tidak-ada", topics=[], title="pendek", body_md="x")
    assert set(err.value.fields) == {"title", "body_md", "agency", "topics"}
    assert "minimal 10 karakter" in err.value.fields["title"]


def test_reply_notifies_thread_author_parent_author_and_watchers(db):
    asker, helper, watcher, third = (f.user(db) for _ in range(4))
    t = f.thread(db, asker)
    threads.watch_thread(db, watcher, t)
    first_reply = posts.reply(db, author=helper, thread=t, body_md="Ajukan lewat SIASN ya.")
    posts.reply(db, author=third, thread=t, body_md="Setuju, tambahkan surat keterangan.", reply_to=first_reply.id)
    db.commit()
    assert t.reply_count == 2
    kinds = {n.kind for n in list_notifications(db, helper.id)}
    assert kinds == {"reply_post"}
    assert {n.kind for n in list_notifications(db, asker.id)} == {"reply_thread"}
    assert unread_count(db, watcher.id) == 2


def test_members_cannot_edit_another_members_post_but_can_edit_their_own(db):
    a, b = f.user(db), f.user(db)
    t = f.thread(db, a)
    r = posts.reply(db, author=b, thread=t, body_md="Jawaban awal")
    with pytest.raises(PermissionDenied):
        posts.edit_post(db, editor=a, post=r, body_md="Diubah orang lain")
    posts.edit_post(db, editor=b, post=r, body_md="Jawaban yang diperbaiki")
    revs = posts.post_revisions(db, r)
    assert [rev.body_md for rev in revs] == ["Jawaban awal"]
    assert r.edited_at is not None and "diperbaiki" in r.body_html


def test_only_the_thread_author_or_a_moderator_accepts_an_answer(db):
    asker, helper, other = f.user(db), f.user(db), f.user(db)
    mod = f.user(db, role="moderator")
    t = f.thread(db, asker)
    r1 = posts.reply(db, author=helper, thread=t, body_md="Jawaban satu")
    r2 = posts.reply(db, author=other, thread=t, body_md="Jawaban dua")
    with pytest.raises(PermissionDenied):
        posts.accept_answer(db, actor=other, thread=t, post=r2)
    posts.accept_answer(db, actor=asker, thread=t, post=r1)
    assert t.accepted_post_id == r1.id
    posts.accept_answer(db, actor=mod, thread=t, post=r2)
    assert t.accepted_post_id == r2.id
    with pytest.raises(ValidationFailed):
        posts.accept_answer(db, actor=asker, thread=t, post=db.get(type(r1), t.first_post_id))


def test_tree_indents_replies_and_flattens_below_the_maximum_depth(db):
    a, b = f.user(db), f.user(db)
    t = f.thread(db, a)
    parent = None
    chain = []
    for i in range(6):
        parent = posts.reply(db, author=b if i % 2 == 0 else a, thread=t, body_md=f"Balasan {i}",
                             reply_to=parent.id if parent else None)
        chain.append(parent)
    posts.accept_answer(db, actor=a, thread=t, post=chain[2])
    first, accepted, nodes = build_tree(t, threads.thread_posts(db, t))
    assert accepted is chain[2]
    assert [n.depth for n in nodes] == [1, 2, 3, 4, 4, 4]
    assert nodes[4].flattened_reply_to is chain[3] and nodes[3].flattened_reply_to is None


def test_locked_threads_refuse_member_replies(db):
    a, b = f.user(db), f.user(db)
    t = f.thread(db, a)
    t.is_locked = True
    with pytest.raises(PermissionDenied):
        posts.reply(db, author=b, thread=t, body_md="Masih bisa?")


def test_a_reply_to_a_thread_merged_meanwhile_is_refused_instead_of_being_lost(db, session_factory):
    from sqlalchemy import update

    from forum.errors import Conflict
    from models import Post, Thread
    a, b = f.user(db), f.user(db)
    source = f.thread(db, a)
    target = f.thread(db, a, title="Syarat cuti besar bagi PNS daerah")
    db.commit()
    with session_factory() as other:  # a moderator's merge commits after this member loaded the page
        other.execute(update(Thread).where(Thread.id == source.id).values(merged_into_id=target.id))
        other.commit()
    with pytest.raises(Conflict) as err:
        posts.reply(db, author=b, thread=source, body_md="Balasan yang datang terlambat")
    assert "digabungkan" in err.value.message
    db.rollback()
    assert db.query(Post).filter(Post.body_md == "Balasan yang datang terlambat").count() == 0


def test_the_same_reply_sent_twice_within_moments_makes_one_post_and_counts_once(db):
    asker, helper = f.user(db), f.user(db)
    t = f.thread(db, asker)
    first = posts.reply(db, author=helper, thread=t, body_md="Ajukan lewat SIASN ya.")
    again = posts.reply(db, author=helper, thread=t, body_md="Ajukan lewat SIASN ya.\r\n")
    db.commit()
    assert again.id == first.id and t.reply_count == 1
    # Saying it again later, to someone else, or in answer to another post is a new reply.
    later = posts.reply(db, author=helper, thread=t, body_md="Ajukan lewat SIASN ya.",
                        now=first.created_at + RESEND_WINDOW + timedelta(seconds=1))
    other = posts.reply(db, author=asker, thread=t, body_md="Ajukan lewat SIASN ya.")
    nested = posts.reply(db, author=helper, thread=t, body_md="Ajukan lewat SIASN ya.", reply_to=other.id)
    assert len({first.id, later.id, other.id, nested.id}) == 4 and t.reply_count == 4


def test_the_same_question_sent_twice_within_moments_opens_one_thread(db):
    author, _ = f.user(db), f.topic(db)
    form = {"agency": "bkn", "topics": ["cuti-kehadiran"], "title": "Bagaimana cara mengajukan cuti besar?",
            "body_md": "Masa kerja saya baru empat tahun, apakah bisa?"}
    first = threads.create_thread(db, author=author, **form)
    again = threads.create_thread(db, author=author, **form)
    edited = threads.create_thread(db, author=author, **{**form, "body_md": form["body_md"] + " Terima kasih."})
    db.commit()
    assert again.id == first.id and edited.id != first.id


def test_the_same_question_sent_again_under_another_agency_is_refused_naming_where_it_already_is(db):
    author, _ = f.user(db), f.topic(db)
    f.agency(db, "kemenkeu")
    form = {"agency": "bkn", "topics": ["cuti-kehadiran"], "title": "Bagaimana cara mengajukan cuti besar?",
            "body_md": "Masa kerja saya baru empat tahun, apakah bisa?"}
    first = threads.create_thread(db, author=author, **form)
    with pytest.raises(Conflict, match="baru saja Anda terbitkan") as refused:
        threads.create_thread(db, author=author, **{**form, "agency": "kemenkeu"})
    assert threads.thread_url(first) in refused.value.message and first.agency.slug == "bkn"


def test_an_answer_accepted_taken_back_and_accepted_again_tells_its_author_once(db):
    asker, helper = f.user(db), f.user(db)
    t = f.thread(db, asker)
    answer = posts.reply(db, author=helper, thread=t, body_md="Ajukan lewat SIASN.")
    for _ in range(3):
        posts.accept_answer(db, actor=asker, thread=t, post=answer)
        posts.accept_answer(db, actor=asker, thread=t, post=answer)  # a second click changes nothing
        posts.accept_answer(db, actor=asker, thread=t, post=None)
    posts.accept_answer(db, actor=asker, thread=t, post=answer)
    db.commit()
    assert t.accepted_post_id == answer.id
    assert [n.kind for n in list_notifications(db, helper.id)].count("answer_accepted") == 1


def test_a_reply_to_a_post_hidden_by_moderation_goes_to_the_thread_and_its_author_is_not_told(db):
    asker, member, other = f.user(db), f.user(db), f.user(db)
    t = f.thread(db, asker)
    hidden = posts.reply(db, author=member, thread=t, body_md="Promosi jasa pengurusan SK.")
    hidden.is_hidden = True
    db.flush()
    sent = posts.reply(db, author=other, thread=t, body_md="Menanggapi yang di atas.", reply_to=hidden.id)
    assert sent.thread_id == t.id and sent.reply_to_id is None
    assert posts.reply(db, author=member, thread=t, body_md="Saya ralat.", reply_to=hidden.id).reply_to_id == hidden.id
    # The hidden post's author hears of a new reply in a thread they follow, not of a reply to their hidden post.
    assert [n.kind for n in list_notifications(db, member.id) if n.actor_id == other.id] == ["reply_watched"]


@pytest.mark.parametrize("invisible", ["\u200b" * 40, "\u200b\u200c\u200d\ufeff\u00ad" * 10, " \u2060 " * 20,
                                       "\u3164" * 25, "\u2800" * 30, "\u115f\u1160\uffa0" * 10, "\u034f" * 25,
                                       "\u3164" * 5 + " " + "\u3164" * 5])
def test_a_reply_or_title_made_only_of_invisible_characters_is_refused(db, invisible):
    asker, helper = f.user(db), f.user(db)
    t = f.thread(db, asker)
    with pytest.raises(ValidationFailed, match="minimal"):
        posts.reply(db, author=helper, thread=t, body_md=invisible)
    with pytest.raises(ValidationFailed) as err:
        threads.create_thread(db, author=asker, agency="bkn", topics=["cuti-kehadiran"], title=invisible,
                              body_md="Pertanyaan yang cukup panjang untuk lolos.")
    assert set(err.value.fields) == {"title"}
    # An emoji built with a zero-width joiner still counts as the text it shows.
    assert posts.reply(db, author=helper, thread=t, body_md="Terima kasih 👨\u200d👩\u200d👧").id


def test_the_asker_corrects_a_title_the_old_one_stays_in_the_history_and_search_reads_the_new_one(db):
    from models import SearchDocument
    asker, helper = f.user(db), f.user(db)
    t = f.thread(db, asker, title="Bagaimana cara mengajukan cuti besar?")
    reply = posts.reply(db, author=helper, thread=t, body_md="Ajukan lewat SIASN ya.")
    question = db.get(type(reply), t.first_post_id)
    body = question.body_md
    posts.edit_post(db, editor=asker, post=question, body_md=body, title="Syarat cuti besar bagi PPPK?")
    db.commit()
    assert (t.title, t.slug) == ("Syarat cuti besar bagi PPPK?", "syarat-cuti-besar-bagi-pppk")
    [revision] = posts.post_revisions(db, question)
    assert (revision.title, revision.body_md) == ("Bagaimana cara mengajukan cuti besar?", body)
    assert db.get(SearchDocument, question.id).title == "Syarat cuti besar bagi PPPK?"
    with pytest.raises(ValidationFailed) as err:  # both mistakes at once, nothing changed
        posts.edit_post(db, editor=asker, post=question, body_md="pendek", title="!!!")
    assert set(err.value.fields) == {"title", "body_md"} and t.title == "Syarat cuti besar bagi PPPK?"
    with pytest.raises(ValidationFailed, match="Hanya pertanyaan"):  # a reply has no title to change
        posts.edit_post(db, editor=helper, post=reply, body_md="Ajukan lewat SIASN, lampirkan SK.", title="Judul lain")
    assert t.title == "Syarat cuti besar bagi PPPK?"
    with pytest.raises(PermissionDenied):
        posts.edit_post(db, editor=helper, post=question, body_md=body, title="Judul dari orang lain ya")


def test_a_title_sent_for_a_reply_is_refused_and_the_api_may_change_the_title_alone(db):
    asker, helper = f.user(db), f.user(db)
    t = f.thread(db, asker, title="Bagaimana cara mengajukan cuti besar?")
    reply = posts.reply(db, author=helper, thread=t, body_md="Ajukan lewat SIASN ya.")
    with pytest.raises(ValidationFailed, match="Hanya pertanyaan") as err:
        posts.edit_post(db, editor=helper, post=reply, body_md="Ajukan lewat SIASN, lampirkan SK.", title="Judul lain")
    assert set(err.value.fields) == {"title"} and reply.body_md == "Ajukan lewat SIASN ya."
    question = db.get(type(reply), t.first_post_id)
    body = question.body_md
    posts.edit_post(db, editor=asker, post=question, body_md=None, title="Syarat cuti besar bagi PPPK?")
    assert (t.title, question.body_md) == ("Syarat cuti besar bagi PPPK?", body)


def test_bidirectional_override_characters_are_taken_out_of_titles(db):
    author, _ = f.user(db), f.topic(db)
    made = threads.create_thread(db, author=author, agency="bkn", topics=["cuti-kehadiran"],
                                 title="Cara \u202eflesrep\u202c mengajukan cuti \u2066besar\u2069",
                                 body_md="Isi pertanyaan dengan \u202eteks\u202c kanan-ke-kiri tetap apa adanya.")
    assert made.title == "Cara flesrep mengajukan cuti besar"
    from models import Post
    assert "\u202e" in db.get(Post, made.first_post_id).body_md  # a post may quote right-to-left text as written
