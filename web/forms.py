"""Reading HTML form posts into plain dicts (repeated keys become lists where asked), and ids from query strings."""
from litestar import Request
from litestar.datastructures import UploadFile

from forum.errors import ValidationFailed


async def read_form(request: Request, lists: tuple[str, ...] = ()) -> dict:
    """Form fields as a dict; names in `lists` always map to a list of values."""
    form = await request.form()
    data: dict = {}
    for key in form.keys():
        values = form.getall(key)
        if any(isinstance(v, UploadFile) for v in values):
            # No form of the forum uploads files; str() of one would be stored as "a.txt - text/plain".
            raise ValidationFailed("Formulir ini tidak menerima berkas. Tulis isinya sebagai teks.", field=key)
        data[key] = [str(v) for v in values] if key in lists else str(values[-1])
    for key in lists:
        data.setdefault(key, [])
    return data


def client_ip(request: Request) -> str:
    """The peer address (the app is meant to sit behind a trusted proxy or none)."""
    return request.client.host if request.client else "unknown"


def int_or_none(value: object) -> int | None:
    """A positive id from a form or query string, or None."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**62 else None
