"""`forum serve`: several workers keep TCP_NODELAY, and a taken address is reported in Indonesian."""
import asyncio
import multiprocessing
import os
import socket
import subprocess
import sys
import time
import urllib.request

import httpx

from scripts.serve import serve, tcp_listener
from tests.browser.conftest import ROOT


def _accept_one(sock: socket.socket, results) -> None:
    """In a worker process, as uvicorn's: serve the inherited socket and report the first connection's Nagle flag."""
    async def run():
        done = asyncio.get_running_loop().create_future()

        class Report(asyncio.Protocol):
            def connection_made(self, transport):
                conn = transport.get_extra_info("socket")
                done.set_result(conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                transport.close()
        server = await asyncio.get_running_loop().create_server(Report, sock=sock)
        results.put(await asyncio.wait_for(done, 30))
        server.close()
    asyncio.run(run())


def test_a_socket_handed_to_a_worker_process_keeps_nagle_off_for_its_connections():
    sock = tcp_listener("127.0.0.1", 0)
    sock.listen()  # so the connection below waits in the backlog until the worker is up
    context = multiprocessing.get_context("spawn")  # how uvicorn starts its workers: the socket is pickled
    results = context.Queue()
    worker = context.Process(target=_accept_one, args=(sock, results))
    worker.start()
    try:
        with socket.create_connection(sock.getsockname(), timeout=30):
            assert results.get(timeout=30) != 0  # TCP_NODELAY set on the accepted connection
    finally:
        worker.join(timeout=30)
        sock.close()


def test_serving_on_a_taken_address_fails_with_an_indonesian_message(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        assert serve("scripts.bench_hello:app", host="127.0.0.1", port=taken.getsockname()[1], workers=2) == 1
    assert "Tidak bisa memakai alamat" in capsys.readouterr().err


def test_forum_serve_on_a_taken_port_says_so_before_loading_anything_even_with_one_worker(capsys, monkeypatch):
    from scripts import cli
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        code = cli.main(["serve", "--port", str(taken.getsockname()[1])])
    out = capsys.readouterr()
    assert code == 1 and "Tidak bisa memakai alamat" in out.err and "berjalan di" not in out.out


def test_forum_serve_with_two_workers_answers_keep_alive_requests(db_url, tmp_path):
    port = tcp_listener("127.0.0.1", 0)
    number = port.getsockname()[1]
    port.close()
    env = {**os.environ, "FORUM_DATABASE_URL": db_url, "FORUM_DATA_DIR": str(tmp_path / "data"),
           "FORUM_SECRET_KEY": "serve-test-secret-" + "z" * 32}
    log = open(tmp_path / "serve.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "scripts.cli", "serve", "--port", str(number), "--workers", "2",
                             "--log-level", "warning"], cwd=ROOT, env=env, stdout=log, stderr=log)
    try:
        base = f"http://127.0.0.1:{number}"
        deadline = time.time() + 90
        while True:
            try:
                urllib.request.urlopen(base + "/", timeout=2)
                break
            except OSError:
                assert proc.poll() is None and time.time() < deadline, (tmp_path / "serve.log").read_text()
                time.sleep(0.3)
        with httpx.Client(base_url=base) as client:  # one connection, reused
            pages = [client.get("/") for _ in range(5)]
        assert [p.status_code for p in pages] == [200] * 5 and "Forum ASN Progresif" in pages[-1].text
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def test_forum_serve_refuses_a_broken_synonym_file_with_one_indonesian_line(tmp_path, monkeypatch, capsys):
    from scripts.cli import main
    broken = tmp_path / "sinonim.json"
    broken.write_text("{bukan json", encoding="utf-8")
    monkeypatch.setenv("FORUM_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("FORUM_SYNONYMS_FILE", str(broken))
    assert main(["serve", "--port", "1"]) == 1
    assert "Berkas sinonim" in capsys.readouterr().err and not (tmp_path / "data" / "forum.db").exists()
