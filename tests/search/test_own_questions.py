"""`forum eval forum`: today's search measured on the questions the forum's own members labelled."""
import json
import os
import subprocess
import sys
from pathlib import Path

from forum import answered_before_asking, asker_verdicts, merging, posts
from forum.own_questions import evaluate_own_questions, labelled_questions
from forum.suggestions import composer_ranking
from models import DuplicateLink
from tests import factories as f
from tests.conftest import TEST_EMBEDDING_CACHE

ROOT = Path(__file__).resolve().parents[2]


def _said_it_answers(db, thread, question, who=None):
    member = f.user(db, who) if who else f.user(db)
    answered_before_asking.mark_answered_before_asking(db, actor=member, thread=thread, question=question)
    db.commit()


def test_a_composer_answer_in_slang_is_found_again_first(db, forum, open_search):
    _said_it_answers(db, forum["cuti"], "gimana ngajuin cuti besar kalo masa kerja blm 5 taun")
    result = evaluate_own_questions(db, open_search())
    assert result["questions"] == 1 and result["composer"]["questions"] == 1 and result["asker"]["questions"] == 0
    assert result["recall@1"] == 1.0 and result["mrr@10"] == 1.0 and result["misses"] == []
    assert result["latency_p95_ms"] > 0


def test_a_thread_search_cannot_reach_is_reported_as_a_miss_with_its_question(db, forum, open_search):
    _said_it_answers(db, forum["cuti"], "gimana ngajuin cuti besar kalo masa kerja blm 5 taun")
    # A member may click "yes" on something search ranks low: the measure must show it, not hide it.
    _said_it_answers(db, forum["skp"], "resep rendang padang yang empuk dan tahan lama", who="penggemar_masak")
    result = evaluate_own_questions(db, open_search())
    assert result["questions"] == 2 and result["recall@5"] == 0.5 and result["recall@1"] == 0.5
    [miss] = result["misses"]
    assert miss["question"].startswith("resep rendang") and miss["thread_id"] == forum["skp"].id
    assert miss["thread_title"] == forum["skp"].title and miss["source"] == "composer"
    assert miss["rank"] is None or miss["rank"] > 5


def test_an_askers_verdict_is_measured_without_the_askers_own_thread(db, forum, open_search):
    cuti = forum["cuti"]
    asker = f.user(db, "penanya_baru")
    new = f.thread(db, asker, title="Baru kerja 4 tahun, bisa ambil cuti panjang?",
                   body="Masa kerja saya empat tahun. Apakah sudah boleh mengajukan cuti besar tiga bulan?")
    db.add(DuplicateLink(thread_id=new.id, other_thread_id=cuti.id, similarity=0.88, judge_score=0.3))
    db.commit()
    asker_verdicts.give_asker_verdict(db, actor=asker, thread=new, other_id=cuti.id, verdict="terjawab")
    db.commit()
    engine = open_search()
    [question], skipped = labelled_questions(db)
    assert question.source == "asker" and question.exclude_id == new.id and skipped == 0
    assert "cuti panjang" in question.text and "tiga bulan" in question.text  # title and question, as typed
    assert composer_ranking(db, engine, None, question.text)[0] == new.id  # it would find itself first
    result = evaluate_own_questions(db, engine)
    assert result["asker"] == {"questions": 1, "recall@1": 1.0, "recall@5": 1.0, "recall@10": 1.0, "mrr@10": 1.0}


def test_hidden_threads_and_merged_pairs_are_left_out_and_counted(db, forum):
    _said_it_answers(db, forum["sppd"], "uang harian perjalanan dinas golongan tiga")
    _said_it_answers(db, forum["latsar"], "kapan latsar cpns 2024 mulai")
    forum["latsar"].is_hidden = True  # search must not show it, so it cannot be asked to find it
    asker = f.user(db, "penanya_sppd")
    new = f.thread(db, asker, title="Uang harian SPPD golongan III ke luar provinsi",
                   body="Berapa uang harian dinas luar provinsi untuk golongan tiga?")
    db.add(DuplicateLink(thread_id=new.id, other_thread_id=forum["sppd"].id, similarity=0.9, judge_score=0.5))
    db.commit()
    asker_verdicts.give_asker_verdict(db, actor=asker, thread=new, other_id=forum["sppd"].id, verdict="terjawab")
    db.commit()
    assert [q.source for q in labelled_questions(db)[0]] == ["composer", "asker"]
    # After the merge the earlier thread holds the newer question's own words: no longer a fair test.
    merging.merge_threads(db, source=new, target=forum["sppd"], actor=f.user(db, role="moderator"), reason="Duplikat")
    db.commit()
    questions, skipped = labelled_questions(db)
    assert [(q.source, q.thread_id) for q in questions] == [("composer", forum["sppd"].id)] and skipped == 2


def test_the_same_wording_for_the_same_thread_counts_once(db, forum):
    _said_it_answers(db, forum["cuti"], "Cuti besar kalau baru 4 tahun?", who="a_satu")
    _said_it_answers(db, forum["cuti"], "cuti  besar kalau baru 4 tahun?", who="a_dua")
    _said_it_answers(db, forum["cuti"], "cuti", who="a_tiga")  # too short to be a question
    questions, skipped = labelled_questions(db)
    assert len(questions) == 1 and skipped == 1


def test_forum_eval_forum_prints_the_measure_and_a_json_last_line(db, db_url, forum, tmp_path):
    _said_it_answers(db, forum["skp"], "cara isi skp di e-kinerja gimana ya")
    answer = posts.reply(db, author=f.user(db, "penjawab_skp"), thread=forum["skp"], body_md="Buka menu SKP.")
    posts.accept_answer(db, actor=forum["skp"].author, thread=forum["skp"], post=answer)
    db.commit()
    env = {**os.environ, "FORUM_DATABASE_URL": db_url, "FORUM_DATA_DIR": str(tmp_path / "data"),
           "FORUM_CACHE_DIR": str(TEST_EMBEDDING_CACHE)}
    run = subprocess.run([sys.executable, "-m", "scripts.cli", "eval", "forum", "--json"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["questions"] == 1 and result["recall@1"] == 1.0
    assert "dari formulir: 1 pertanyaan" in run.stdout
