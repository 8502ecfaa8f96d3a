"""`/dokumentasi-api`: the API's operations as a page a member can read (the raw OpenAPI JSON stays at /schema)."""
from dataclasses import dataclass

from litestar import Request, get
from sqlalchemy.orm import Session

from models import User
from web.render import page

METHODS = ("get", "post", "patch", "put", "delete")


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    summary: str
    parameters: tuple[str, ...]
    needs_token: bool


def api_operations(schema) -> list[Operation]:
    """Every operation of the OpenAPI document, by path, reads before writes."""
    out = []
    for path, item in sorted((schema.paths or {}).items()):
        for method in METHODS:
            operation = getattr(item, method, None)
            if operation is None:
                continue
            names = tuple(p.name for p in operation.parameters or () if getattr(p, "param_in", "") in ("query", "path"))
            out.append(Operation(method.upper(), path, operation.summary or "", names, method != "get"))
    return out


@get("/dokumentasi-api")
async def api_docs(request: Request, db: Session, viewer: User | None) -> object:
    """The API reference in Indonesian."""
    return page(request, db, viewer, "api_docs.html", operations=api_operations(request.app.openapi_schema))


routes = [api_docs]
