"""Run an ASGI app under uvicorn, keeping TCP_NODELAY when several worker processes share the socket.

uvicorn's `--workers N` binds the listening socket itself with `proto` left at 0. Accepted connections
inherit that, and asyncio turns Nagle's algorithm off (TCP_NODELAY) only for sockets that report
IPPROTO_TCP, so every keep-alive request after the first waited ~40 ms for the client's delayed ACK
(measured here: 44 ms per request on loopback with 2 workers, under 1 ms with 1; uvicorn issue #3149).
`forum serve` and the page benchmark start their servers through `serve()` instead.

    python -m scripts.serve scripts.asgi:build --factory --workers 2 --port 8000
"""
import argparse
import socket
import sys

import uvicorn
from uvicorn.supervisors import Multiprocess


def tcp_listener(host: str, port: int) -> socket.socket:
    """A bound socket created as IPPROTO_TCP, inheritable by worker processes."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def serve(app: str, *, host: str, port: int, workers: int = 1, factory: bool = False,
          log_level: str = "info") -> int:
    """Serve `app` (an import string); returns a process exit code, 1 when the address is taken."""
    options = {"factory": factory, "host": host, "port": port, "log_level": log_level, "access_log": False}
    if workers <= 1:
        # Single process: uvicorn lets asyncio build the listener, which already sets IPPROTO_TCP.
        uvicorn.run(app, **options)
        return 0
    try:
        sock = tcp_listener(host, port)
    except OSError as exc:
        print(f"Tidak bisa memakai alamat {host}:{port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    Multiprocess(uvicorn.Config(app, workers=workers, **options), sockets=[sock]).run()
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("app")
    ap.add_argument("--factory", action="store_true")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8000)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--log-level", default="info")
    args = ap.parse_args(argv)
    return serve(args.app, host=args.host, port=args.port, workers=args.workers, factory=args.factory,
                 log_level=args.log_level)


if __name__ == "__main__":
    sys.exit(main())
