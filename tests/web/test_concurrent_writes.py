"""Members writing at the same moment: every write lands, none gets a 500 ("database is locked" on SQLite)."""
import threading

from litestar.testing import TestClient
from sqlalchemy import func, select

from forum import accounts
from models import Post
from tests import factories as f
from tests.browser.conftest import live_server, live_server_env  # noqa: F401 (a real server for the slow upload)
from tests.web.helpers import bearer
from web.app import create_app


def test_simultaneous_replies_from_several_members_all_land(settings, session_factory, db):
    members = [f.user(db, f"penulis{i}") for i in range(4)]
    thread = f.thread(db, members[0])
    tokens = [accounts.create_api_token(db, m, "tes")[0] for m in members]
    db.commit()
    statuses: list[int] = []
    start = threading.Barrier(len(tokens), timeout=60)
    # One app per member, as in separate workers, each served on its own event-loop thread: requests overlap.
    apps = [create_app(settings, session_factory) for _ in tokens]

    def member(token: str, app) -> None:
        with TestClient(app=app, base_url="http://testserver.local") as client:
            start.wait()
            for i in range(8):
                reply = client.post(f"/api/v1/threads/{thread.id}/replies", headers=bearer(token),
                                    json={"body_md": f"Balasan ke-{i}: menurut pengalaman kami di kantor begitu."})
                statuses.append(reply.status_code)

    workers = [threading.Thread(target=member, args=pair) for pair in zip(tokens, apps)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
    assert statuses == [201] * 32, sorted(set(statuses))
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Post).where(Post.thread_id == thread.id)) == 33


def _open_cache(directory: str, start, results) -> None:
    """In a worker process: open the embedding cache the way the search engine does at start-up."""
    from search.embed_cache import cache_engine
    start.wait()
    try:
        cache_engine(directory).dispose()
        results.put("ok")
    except Exception as exc:  # reported to the test, which shows it
        import traceback
        results.put(repr(exc) + traceback.format_exc()[-1500:])


def test_two_workers_creating_the_embedding_cache_at_the_same_moment_both_start(tmp_path):
    import multiprocessing
    context = multiprocessing.get_context("spawn")
    for attempt in range(3):  # a fresh file each time: the race is in creating it (journal switch, CREATE TABLE)
        directory = tmp_path / f"data{attempt}"
        directory.mkdir()
        start, results = context.Barrier(2), context.Queue()
        workers = [context.Process(target=_open_cache, args=(str(directory), start, results)) for _ in range(2)]
        for w in workers:
            w.start()
        outcomes = [results.get(timeout=120) for _ in workers]
        for w in workers:
            w.join(timeout=60)
        assert outcomes == ["ok", "ok"], outcomes


def test_a_slow_upload_does_not_hold_up_other_members_writes(db_url, session_factory, request):
    import re
    import socket
    from urllib.parse import urlparse

    import httpx
    with session_factory() as db:
        members = [f.user(db, "lambat"), f.user(db, "cepat")]
        thread = f.thread(db, members[0])
        slow_token = accounts.create_api_token(db, members[0], "tes")[0]
        quick_cookie = accounts.start_session(db, members[1])
        db.commit()
        thread_id = thread.id
    base = request.getfixturevalue("live_server")  # a real uvicorn process, one worker
    with httpx.Client(base_url=base, cookies={"sesi": quick_cookie}, timeout=60) as quick:
        page = quick.get(f"/diskusi/{thread_id}", follow_redirects=True).text
        csrf = re.search(r'name="_csrf_token" value="([^"]+)"', page).group(1)
        host = urlparse(base)
        # A member whose reply (through the API: no CSRF check reads the body first) trickles in: headers sent,
        # half the body so far.
        slow = socket.create_connection((host.hostname, host.port))
        body = b'{"body_md": "' + b"a" * 200 + b'"}'
        slow.sendall(f"POST /api/v1/threads/{thread_id}/replies HTTP/1.1\r\nHost: {host.netloc}\r\n"
                     f"Authorization: Bearer {slow_token}\r\nContent-Type: application/json\r\n"
                     f"Content-Length: {len(body)}\r\n\r\n".encode() + body[:50])
        try:
            reply = quick.post(f"/diskusi/{thread_id}/balas", data={"_csrf_token": csrf, "body_md": "Balasan cepat."})
            assert reply.status_code == 303, reply.status_code  # stored while the other upload is still open
        finally:
            slow.close()


def test_the_same_reply_sent_at_the_same_moment_from_several_workers_makes_one_post(settings, session_factory, db):
    member = f.user(db, "penulis.cepat")
    thread = f.thread(db, f.user(db, "penanya"))
    token = accounts.create_api_token(db, member, "tes")[0]
    db.commit()
    statuses: list[int] = []
    start = threading.Barrier(4, timeout=60)
    apps = [create_app(settings, session_factory) for _ in range(4)]  # a client retrying through four workers

    def send(app) -> None:
        with TestClient(app=app, base_url="http://testserver.local") as client:
            start.wait()
            statuses.append(client.post(f"/api/v1/threads/{thread.id}/replies", headers=bearer(token),
                                        json={"body_md": "Jawaban yang terkirim empat kali sekaligus."}).status_code)

    workers = [threading.Thread(target=send, args=(app,)) for app in apps]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
    assert statuses == [201] * 4
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Post).where(Post.thread_id == thread.id,
                                                                  Post.author_id == member.id)) == 1


def test_slow_previews_at_the_same_moment_neither_fail_nor_hold_up_other_requests(db_url, session_factory, request):
    import re

    import httpx
    with session_factory() as db:
        cookies = [accounts.start_session(db, f.user(db, f"pratinjau{i}")) for i in range(3)]
        db.commit()
    base = request.getfixturevalue("live_server")  # a real uvicorn process, one worker
    hostile = "![" * 25_000  # about a second of rendering each
    statuses: list[int] = []

    def preview(cookie: str) -> None:
        with httpx.Client(base_url=base, cookies={"sesi": cookie}, timeout=120) as member:
            token = re.search(r'name="_csrf_token" value="([^"]+)"', member.get("/diskusi/baru").text).group(1)
            statuses.append(member.post("/pratinjau", data={"_csrf_token": token, "body_md": hostile}).status_code)

    workers = [threading.Thread(target=preview, args=(c,)) for c in cookies]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
    # Each used to hold SQLite's write lock while it rendered: the next one waited for it inside the event loop,
    # which the first needed to finish, until the 30 s busy timeout made it a 500.
    assert statuses == [200, 200, 200]
