"""ASGI middleware counting the HTTP requests this worker is serving (search/spare_cores.py reads the count)."""
from search.spare_cores import request_finished, request_started


def count_requests(app):
    """Wrap `app` so every HTTP request counts from its start until it returns, background tasks included.

    Counting only until the response's last byte (the search log write runs after it) was measured too: a lone
    client's p50 was about the same (24.0-25.5 against 23.6-30.2 ms), two clients at once got 38-40 searches a
    second against 45-59 (docs/search-research.md, seventeenth session; a noisy 2-core machine).
    """

    async def counted(scope, receive, send):
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        request_started()
        try:
            await app(scope, receive, send)
        finally:
            request_finished()

    return counted
