"""A member's own profile: the name shown on posts, a short bio, and the home agency (civil servants move)."""
from sqlalchemy.orm import Session

from forum.catalog import resolve_agency
from forum.errors import ValidationFailed
from forum.permissions import check_logged_in
from forum.text import clean_line, clean_paragraphs
from models import User

BIO_MAX = 500


def update_profile(session: Session, user: User | None, *, display_name: object, bio: object,
                   agency: object) -> User:
    """Change the member's display name, bio and home agency; every invalid field is reported at once.

    The agency is where the member works now; the threads they asked keep the agency they were tagged with."""
    user = check_logged_in(user)
    errors: dict[str, str] = {}
    values: dict = {}
    checks = (("display_name", lambda: clean_line(display_name, "Nama tampilan", "display_name", 2, 80)),
              ("bio", lambda: _clean_bio(bio)),
              ("agency", lambda: resolve_agency(session, agency)))
    for field, check in checks:
        try:
            values[field] = check()
        except ValidationFailed as exc:
            errors.update(exc.fields or {field: exc.message})
    if errors:
        only = next(iter(errors.values())) if len(errors) == 1 else "Periksa kembali isian profil."
        raise ValidationFailed(only, fields=errors)
    user.display_name, user.bio, user.agency_id = values["display_name"], values["bio"], values["agency"].id
    session.flush()
    session.refresh(user, ["agency"])
    return user


def _clean_bio(value: object) -> str:
    """Plain text, line breaks kept (shown as text, never as Markdown), at most BIO_MAX characters."""
    return "" if value is None else clean_paragraphs(value, "Tentang saya", "bio", BIO_MAX)
