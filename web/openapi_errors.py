"""The OpenAPI document in Indonesian, with the error body the API really sends.

Litestar describes every operation's responses with English phrases from `http.HTTPStatus` and its own
validation error shape (`extra`); the forum answers errors as `{"detail", "status_code", "errors"?}` in
Indonesian (web/errors.py). This rewrites the generated document once, at start-up.
"""
from litestar import Litestar
from litestar.openapi.spec import Example, OpenAPIMediaType, OpenAPIResponse, Schema
from litestar.openapi.spec.enums import OpenAPIType

from web.errors import MESSAGES

DESCRIPTIONS = {"Request fulfilled, document follows": "Berhasil", "Document created, URL follows": "Dibuat"}
ERROR_BODY = Schema(
    type=OpenAPIType.OBJECT, required=["detail", "status_code"],
    description="Galat dalam bahasa Indonesia; `errors` menyebut kolom yang perlu diperbaiki.",
    properties={"detail": Schema(type=OpenAPIType.STRING), "status_code": Schema(type=OpenAPIType.INTEGER),
                "errors": Schema(type=OpenAPIType.OBJECT, additional_properties=Schema(type=OpenAPIType.STRING))})
READ_ERRORS = ("400", "404", "429")
WRITE_ERRORS = ("400", "401", "403", "404", "409", "413", "429")


def _error(status: str) -> OpenAPIResponse:
    example = {"detail": MESSAGES[int(status)], "status_code": int(status)}
    return OpenAPIResponse(description=MESSAGES[int(status)],
                           content={"application/json": OpenAPIMediaType(schema=ERROR_BODY, examples={"galat": Example(value=example)})})


def localise_openapi(app: Litestar) -> None:
    """On start-up: Indonesian response descriptions and the forum's real error responses in the document."""
    schema = app.openapi_schema
    for item in (schema.paths or {}).values():
        for method in ("get", "put", "post", "delete", "patch"):
            operation = getattr(item, method, None)
            if operation is None or operation.responses is None:
                continue
            for response in operation.responses.values():
                if isinstance(response, OpenAPIResponse):
                    response.description = DESCRIPTIONS.get(response.description, response.description)
            for status in READ_ERRORS if method == "get" else WRITE_ERRORS:
                operation.responses[status] = _error(status)
