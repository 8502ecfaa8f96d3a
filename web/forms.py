"""Reading HTML form posts into plain dicts (repeated keys become lists where asked)."""
from litestar import Request


async def read_form(request: Request, lists: tuple[str, ...] = ()) -> dict:
    """Form fields as a dict; names in `lists` always map to a list of values."""
    form = await request.form()
    data: dict = {}
    for key in form.keys():
        values = form.getall(key)
        data[key] = [str(v) for v in values] if key in lists else str(values[-1])
    for key in lists:
        data.setdefault(key, [])
    return data


def client_ip(request: Request) -> str:
    """The peer address (the app is meant to sit behind a trusted proxy or none)."""
    return request.client.host if request.client else "unknown"
