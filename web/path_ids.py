"""Ids in a route's path are checked once for every route: a number no row can have is a 404, not a 500."""
from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler

from forum.errors import NotFound
from forum.read_model import valid_id


async def ids_in_range(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """Guard: every whole number in the path is a positive id the database can compare.

    Litestar parses `{thread_id:int}` into any Python int; SQLite raises OverflowError past 64 bits and a
    lookup of 0 or -5 can only miss, so such a path is answered here, before any handler looks it up.
    Async on purpose: Litestar runs a plain function guard in its thread pool, a hop on every request.
    """
    for value in connection.path_params.values():
        if isinstance(value, int) and not valid_id(value):
            raise NotFound("Halaman tidak ditemukan.")
