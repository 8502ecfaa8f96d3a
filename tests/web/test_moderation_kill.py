"""A server process killed in the middle of merging a large thread leaves the old state or the new, never a mix.

Uses the documented test hook FORUM_TEST_MERGE_PAUSE (forum/merging.py): the merge sleeps inside its open
transaction after every write, touching FORUM_TEST_MERGE_PAUSE_MARKER, so SIGKILL lands mid-transaction.
"""
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
from sqlalchemy import func, select

from forum import merging
from models import MergeRecord, ModerationLog, Notification, Post, Thread
from tests import moderation_factories as mf
from tests.forum.merge_dump import dump_threads

ROOT = Path(__file__).resolve().parents[2]
N_POSTS = 2000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(db_url: str, tmp_path: Path, **env) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    environ = {**os.environ, "FORUM_DATABASE_URL": db_url, "FORUM_DATA_DIR": str(tmp_path / "data"),
               "FORUM_SECRET_KEY": "kill-test-" + "k" * 40, "FORUM_WRITES_PER_MINUTE": "1000", **env}
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "web.app:create_app", "--factory", "--host", "127.0.0.1",
                             "--port", str(port), "--log-level", "warning"], cwd=ROOT, env=environ,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/api/v1/topics", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("the server did not start")


def test_killing_the_server_mid_merge_of_a_2000_post_thread_leaves_the_old_state_and_a_retry_the_new(db, db_url,
                                                                                                    tmp_path):
    author, mod = mf.user(db), mf.user(db, "moderator")
    target = mf.thread(db, author, "Cara mengajukan kenaikan pangkat reguler", 0)
    source = mf.big_thread(db, author, N_POSTS, minute=5, index=True)
    db.commit()
    headers = mf.api_token(db, mod)
    before = dump_threads(db, source.id, target.id)
    body = {"source": source.id, "target": target.id, "reason": "Duplikat"}
    marker = tmp_path / "paused"
    proc, base = _serve(db_url, tmp_path, FORUM_TEST_MERGE_PAUSE="60", FORUM_TEST_MERGE_PAUSE_MARKER=str(marker))
    try:
        request = threading.Thread(target=lambda: _post_quietly(base, body, headers), daemon=True)
        request.start()
        deadline = time.monotonic() + 60
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker.exists(), "the merge never reached its pause"
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        proc.kill()
    assert dump_threads(db, source.id, target.id) == before  # entirely the old state
    for model in (MergeRecord, ModerationLog, Notification):
        assert db.scalar(select(func.count()).select_from(model)) == 0

    # No lock or half-written row is left behind: the same merge now succeeds at once (in-process, to save a
    # second server start) and leaves entirely the new state.
    started = time.monotonic()
    merging.merge_threads(db, source=db.get(Thread, source.id), target=db.get(Thread, target.id), actor=mod,
                          reason="Duplikat")
    db.commit()
    elapsed = time.monotonic() - started
    mf.fresh(db)
    assert db.scalar(select(func.count()).where(Post.thread_id == target.id)) == N_POSTS + 2  # entirely the new state
    assert db.scalar(select(func.count()).where(Post.thread_id == source.id)) == 0
    assert db.get(Thread, source.id).merged_into_id == target.id
    assert db.get(Thread, target.id).reply_count == N_POSTS + 1
    assert elapsed < 30, f"merging {N_POSTS} posts took {elapsed:.1f} s"


def _post_quietly(base: str, body: dict, headers: dict) -> None:
    try:
        httpx.post(base + "/api/v1/moderation/merges", json=body, headers=headers, timeout=90)
    except httpx.HTTPError:
        pass  # the server is killed while this request waits: no answer is the expected outcome
