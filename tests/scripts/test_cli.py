"""The `forum` command: migrate, create-admin, seed-demo — run as a real subprocess."""
import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from forum.demo import load_json_parts
from models import Agency, Post, Thread, Topic, User
from scripts.cli import DEMO_DATA

ROOT = Path(__file__).resolve().parents[2]


def _forum(args, db_url, tmp_path, **kw):
    env = {**os.environ, "FORUM_DATABASE_URL": db_url, "FORUM_DATA_DIR": str(tmp_path / "data")}
    return subprocess.run([sys.executable, "-m", "scripts.cli", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600, **kw)


def test_create_admin_makes_an_admin_and_reports_weak_passwords_in_indonesian(db_url, tmp_path, db):
    from tests import factories as f
    f.agency(db, "bkn")
    db.commit()
    weak = _forum(["create-admin", "--username", "kepala", "--email", "kepala@bkn.go.id", "--agency", "bkn",
                   "--password", "123"], db_url, tmp_path)
    assert weak.returncode == 2 and "Kata sandi minimal 10 karakter" in weak.stderr
    ok = _forum(["create-admin", "--username", "kepala", "--email", "kepala@bkn.go.id", "--agency", "bkn",
                 "--password", "Sangat-Rahasia-99"], db_url, tmp_path)
    assert ok.returncode == 0, ok.stderr
    db.expire_all()
    assert db.scalar(select(User.role).where(User.username == "kepala")) == "admin"


def test_demo_files_have_the_promised_volume_and_valid_duplicate_groups():
    threads = load_json_parts(DEMO_DATA, "threads")
    keys = {t["key"]: t for t in threads}
    assert len(json.loads((DEMO_DATA / "agencies.json").read_text())) >= 25
    assert len(json.loads((DEMO_DATA / "topics.json").read_text())) >= 12
    assert len(load_json_parts(DEMO_DATA, "users")) >= 40
    assert len(threads) >= 120 and all(2 <= len(t["replies"]) <= 8 for t in threads)
    assert sum(1 for t in threads if t.get("accepted")) >= len(threads) // 2
    groups, lookalikes = [], []
    for path in sorted(DEMO_DATA.glob("duplicates_*.json")):
        data = json.loads(path.read_text())
        groups += data["groups"]
        lookalikes += data["lookalikes"]
    assert len(groups) >= 25 and len(lookalikes) >= 5
    for group in groups:
        agencies = [keys[k]["agency"] for k in group["threads"]]
        assert len(set(agencies)) == len(agencies), group["name"]
    in_same_group = {frozenset((a, b)) for g in groups for a in g["threads"] for b in g["threads"] if a != b}
    assert not any(frozenset((p["a"], p["b"])) in in_same_group for p in lookalikes)


def test_seed_demo_fills_an_empty_database_once_and_refuses_a_second_time(db_url, tmp_path, session_factory):
    first = _forum(["seed-demo"], db_url, tmp_path)
    assert first.returncode == 0, first.stderr[-2000:]
    assert "Demo terisi" in first.stdout
    with session_factory() as db:
        assert db.scalar(select(func.count()).select_from(Agency)) >= 25
        assert db.scalar(select(func.count()).select_from(Topic)) >= 12
        assert db.scalar(select(func.count()).select_from(User)) >= 40
        assert db.scalar(select(func.count()).select_from(Thread)) >= 120
        answered = db.scalar(select(func.count()).select_from(Thread).where(Thread.accepted_post_id.is_not(None)))
        assert answered >= 60
        nested = db.scalar(select(func.count()).select_from(Post).where(Post.reply_to_id.is_not(None)))
        assert nested >= 100
    again = _forum(["seed-demo"], db_url, tmp_path)
    assert again.returncode == 1 and "sudah berisi diskusi" in again.stderr
    assert _forum(["seed-demo", "--if-empty"], db_url, tmp_path).returncode == 0


def test_a_real_forum_starts_from_the_shipped_catalog_without_demo_content_and_grows_it(db_url, tmp_path, session_factory):
    seeded = _forum(["seed-catalog"], db_url, tmp_path)
    assert seeded.returncode == 0 and "instansi" in seeded.stdout
    again = _forum(["seed-catalog"], db_url, tmp_path)
    assert again.returncode == 0 and "Ditambahkan 0 instansi dan 0 topik" in again.stdout
    added = _forum(["add-agency", "pemkab-wonosobo", "Pemerintah Kabupaten Wonosobo", "--level", "kabupaten-kota"], db_url, tmp_path)
    assert added.returncode == 0 and "pemkab-wonosobo" in added.stdout
    taken = _forum(["add-agency", "pemkab-wonosobo", "Wonosobo lagi"], db_url, tmp_path)
    assert taken.returncode == 2 and "sudah dipakai" in taken.stderr
    bad = _forum(["add-topic", "Barang Jasa!", "Pengadaan"], db_url, tmp_path)
    assert bad.returncode == 2 and "huruf kecil" in bad.stderr and "barang-jasa" in bad.stderr
    long_text = _forum(["add-topic", "barang-jasa", "Pengadaan", "--description", "x" * 301], db_url, tmp_path)
    assert long_text.returncode == 2 and "maksimal 300" in long_text.stderr
    nowhere = _forum(["create-admin", "--username", "kepala2", "--email", "k2@x.go.id", "--agency", "tidak-ada",
                      "--password", "Kopi-Hujan-Sepeda-27"], db_url, tmp_path)
    assert nowhere.returncode == 2 and "forum seed-catalog" in nowhere.stderr
    admin = _forum(["create-admin", "--username", "kepala", "--email", "kepala@wonosobo.go.id", "--agency",
                    "pemkab-wonosobo", "--password", "Kopi-Hujan-Sepeda-27"], db_url, tmp_path)
    assert admin.returncode == 0
    with session_factory() as db:
        agencies = json.loads((DEMO_DATA / "agencies.json").read_text(encoding="utf-8"))
        assert db.scalar(select(func.count(Agency.id))) == len(agencies) + 1
        assert db.scalar(select(func.count(Topic.id))) > 0
        assert db.scalar(select(func.count(Thread.id))) == 0  # no demo content


def test_an_operators_usual_mistakes_are_one_indonesian_line_not_a_traceback(db_url, tmp_path):
    empty = f"sqlite:///{tmp_path / 'belum-dimigrasi.db'}"
    unmigrated = _forum(["create-admin", "--username", "kepala", "--email", "k@bkn.go.id", "--agency", "bkn",
                         "--password", "Kopi-Hujan-Sepeda-27"], empty, tmp_path)
    assert unmigrated.returncode == 2 and "jalankan `forum migrate` dulu" in unmigrated.stderr
    missing = _forum(["eval", "pairs", str(tmp_path / "tidak-ada.tsv")], db_url, tmp_path)
    assert missing.returncode == 2 and "tidak ditemukan" in missing.stderr
    env = {**os.environ, "FORUM_PAGE_SIZE": "abc"}
    bad_setting = subprocess.run([sys.executable, "-m", "scripts.cli", "migrate"], cwd=ROOT, env=env,
                                 capture_output=True, text=True, timeout=120)
    assert bad_setting.returncode == 2 and "FORUM_PAGE_SIZE harus bilangan bulat positif" in bad_setting.stderr
    no_terminal = subprocess.run([sys.executable, "-m", "scripts.cli", "create-admin", "--username", "kepala",
                                  "--email", "k@bkn.go.id", "--agency", "bkn"], cwd=ROOT, stdin=subprocess.DEVNULL,
                                 env={**os.environ, "FORUM_DATABASE_URL": db_url}, capture_output=True, text=True,
                                 timeout=120)
    assert no_terminal.returncode == 2 and "berikan --password" in no_terminal.stderr
    assert "Warning" not in no_terminal.stderr
    for answer in (unmigrated, missing, bad_setting, no_terminal):
        assert "Traceback" not in answer.stderr


def test_eval_pairs_ends_with_strict_json_even_when_a_metric_is_undefined_on_the_file(db_url, tmp_path):
    one_class = tmp_path / "satu-kelas.tsv"
    one_class.write_text("id\ttext_a\ttext_b\tlabel\n"
                         "0\tCara mengajukan cuti besar PNS\tSyarat cuti besar bagi PNS\t1\n"
                         "1\tJadwal latsar CPNS 2024\tKapan latsar CPNS 2024 dimulai?\t1\n", encoding="utf-8")
    run = _forum(["eval", "pairs", str(one_class), "--json"], db_url, tmp_path)
    assert run.returncode == 0, run.stderr[-500:]
    last = run.stdout.strip().splitlines()[-1]
    assert "NaN" not in last and "Infinity" not in last
    result = json.loads(last)
    assert result["roc_auc"] is None  # undefined with one class: null, which every JSON parser accepts
    limited = _forum(["eval", "retrieval", str(tmp_path), "--limit", "0"], db_url, tmp_path)
    assert limited.returncode == 2 and "bilangan bulat positif" in limited.stderr


def test_a_public_url_without_its_scheme_is_refused_in_indonesian():
    import pytest
    from forum.settings import load_settings
    assert load_settings({"FORUM_PUBLIC_URL": "https://forum.bkn.go.id/"}).public_url == "https://forum.bkn.go.id"
    with pytest.raises(ValueError, match="FORUM_PUBLIC_URL harus diawali https://"):
        load_settings({"FORUM_PUBLIC_URL": "forum.bkn.go.id"})


def test_the_command_line_help_and_its_argument_errors_are_in_indonesian(db_url, tmp_path):
    helped = _forum(["add-agency", "--help"], db_url, tmp_path)
    assert helped.returncode == 0 and "pemakaian:" in helped.stdout and "tampilkan bantuan ini" in helped.stdout
    for english in ("usage:", "options:", "show this help"):
        assert english not in helped.stdout
    missing = _forum(["add-agency"], db_url, tmp_path)
    assert missing.returncode == 2 and "argumen ini wajib: slug, name" in missing.stderr and "required" not in missing.stderr
