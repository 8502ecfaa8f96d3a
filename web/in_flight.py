"""ASGI middleware counting the HTTP requests this worker is serving (search/spare_cores.py reads the count)."""
from search.spare_cores import request_finished, request_started


def count_requests(app):
    """Wrap `app` so every HTTP request counts from its start until it returns, background tasks included.

    Counting only until the response's last byte was measured too, while the search log was still written by a
    background task after it: a lone client's p50 was about the same (24.0-25.5 against 23.6-30.2 ms), two
    clients at once got 38-40 searches a second against 45-59 (docs/search-research.md, seventeenth session).
    The log is now written when this count is zero (web/search_log_writer.py).
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
