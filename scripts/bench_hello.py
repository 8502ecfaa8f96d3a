"""The ceiling for bench_pages: a bare Litestar hello-world app."""
from litestar import Litestar, MediaType, get


@get("/", media_type=MediaType.TEXT)
async def hello() -> str:
    return "Halo, dunia"


app = Litestar(route_handlers=[hello])
