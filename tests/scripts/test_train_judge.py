"""The judge's training script reads the moderators' duplicate decisions from a forum database."""
from forum import duplicate_detection, duplicates
from models import DuplicateLink
from scripts.train_judge import load_sets, moderator_pairs
from tests import factories as f


def _decided_forum(db):
    mod = f.user(db, role="moderator")
    asker = f.user(db)
    a = f.thread(db, asker, title="Cuti besar masa kerja 4 tahun boleh?", body="Apakah boleh mengajukan cuti besar?")
    b = f.thread(db, asker, title="Boleh cuti panjang kalau baru 4 tahun kerja?", body="Masa kerja saya empat tahun.")
    c = f.thread(db, asker, title="Cuti melahirkan masa kerja 4 tahun boleh?", body="Apakah boleh cuti melahirkan?")
    d = f.thread(db, asker, title="Cara isi SKP di e-kinerja", body="Bagaimana mengisi SKP tahunan?")
    for other, status in ((b, "merged"), (c, "not_duplicate"), (d, "candidate")):
        link = DuplicateLink(thread_id=other.id, other_thread_id=a.id, similarity=0.9, judge_score=0.5, reasons={})
        db.add(link)
        db.flush()
        if status != "candidate":
            duplicates.record_decision(db, link, status, mod)
    db.commit()
    return a, b, c


def test_moderator_decisions_become_labelled_pairs_and_open_candidates_do_not(db, db_url):
    a, b, c = _decided_forum(db)
    pairs = moderator_pairs(db_url)
    text = lambda t: duplicate_detection.question_text(db, t)  # noqa: E731
    assert sorted(pairs, key=lambda p: p[2]) == [(text(c), text(a), 0), (text(b), text(a), 1)]


def test_decided_pairs_join_the_training_sets_as_their_own_source(tmp_path, monkeypatch):
    import scripts.train_judge as tj

    class FakeVectors:
        """Records what would be embedded; training plumbing only (no quality is measured here)."""
        embedded: list = []

        def embed(self, texts):
            self.embedded.extend(texts)

        def __getitem__(self, text):
            raise KeyError(text)

    eval_dir = tmp_path / "eval"
    (eval_dir / "pairs").mkdir(parents=True)
    for name in ("paws-id.tsv", "nearmiss-id.tsv"):
        (eval_dir / "pairs" / name).write_text("id\ttext_a\ttext_b\tlabel\n1\tx y\tx z\t0\n", encoding="utf-8")
    monkeypatch.setattr(tj, "quora_hard", lambda *a, **k: [])
    monkeypatch.setattr(tj, "forum_pairs", lambda cosine: [])
    vectors = FakeVectors()
    sets = load_sets(eval_dir, 0, vectors, 0, moderated=[("tanya a", "tanya b", 1)])
    assert sets["moderators"] == [("tanya a", "tanya b", 1)]
    assert {"tanya a", "tanya b"} <= set(vectors.embedded)
