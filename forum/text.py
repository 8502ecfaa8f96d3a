"""Small text helpers shared by the domain: slugs and input cleaning."""
import re
import unicodedata

from forum.errors import ValidationFailed
from forum.markup import loses_text_to_nesting

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Bidirectional embeddings, overrides and isolates: in a title or a name they only serve to make text read
# otherwise than it is stored ("gnissecorp" shown as "processing"); posts keep them for quoting RTL scripts.
_BIDI_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")


# Categories that draw nothing on their own: format characters (zero-width space, joiners, BOM, soft hyphen),
# combining marks (they only change the letter before them), separators and controls.
_UNSEEN_CATEGORIES = {"Cf", "Mn", "Me", "Zs", "Zl", "Zp", "Cc"}
# Letters and symbols that are drawn blank: Hangul fillers and the empty braille pattern.
_BLANK_GLYPHS = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"}


def visible_length(text: str) -> int:
    """Characters a reader sees, spaces between them included: forty zero-width spaces, Hangul fillers or
    blank braille cells are not a forty-character post."""
    seen = "".join(" " if ch.isspace() else ch for ch in text
                   if ch.isspace() or (unicodedata.category(ch) not in _UNSEEN_CATEGORIES and ch not in _BLANK_GLYPHS))
    return len(" ".join(seen.split()))


def slugify(text: str, max_length: int = 80) -> str:
    """ASCII, lowercase, hyphen-separated slug ('Cuti Besar PNS?' -> 'cuti-besar-pns')."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "diskusi"


def clean_line(value: object, label: str, field: str, min_len: int, max_len: int) -> str:
    """A single-line user input: string, trimmed, no control characters, within length limits."""
    if not isinstance(value, str):
        raise ValidationFailed(f"{label} harus berupa teks.", field=field)
    text = " ".join(_BIDI_CONTROL.sub("", _CONTROL.sub("", value)).split())
    if visible_length(text) < min_len:
        if visible_length(text) == 0:  # an empty field is missing, not short
            raise ValidationFailed(f"{label} wajib diisi.", field=field)
        raise ValidationFailed(f"{label} minimal {min_len} karakter.", field=field)
    if len(text) > max_len:
        raise ValidationFailed(f"{label} maksimal {max_len} karakter (sekarang {len(text)}).", field=field)
    return text


def clean_paragraphs(value: object, label: str, field: str, max_len: int) -> str:
    """Plain multi-line text (a bio): like clean_line on each line, line breaks kept, at most one blank line."""
    if not isinstance(value, str):
        raise ValidationFailed(f"{label} harus berupa teks.", field=field)
    lines = [" ".join(_BIDI_CONTROL.sub("", _CONTROL.sub("", line)).split()) for line in value.replace("\r\n", "\n").split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    if len(text) > max_len:
        raise ValidationFailed(f"{label} maksimal {max_len} karakter (sekarang {len(text)}).", field=field)
    return text


def clean_body(value: object, label: str, field: str, min_len: int, max_len: int) -> str:
    """A multi-line Markdown body: newlines kept, control characters removed."""
    if not isinstance(value, str):
        raise ValidationFailed(f"{label} harus berupa teks.", field=field)
    text = _CONTROL.sub("", value.replace("\r\n", "\n")).strip()
    if visible_length(text) < min_len:
        raise ValidationFailed(f"{label} minimal {min_len} karakter.", field=field)
    if len(text) > max_len:
        raise ValidationFailed(f"{label} maksimal {max_len} karakter (sekarang {len(text)}).", field=field)
    if loses_text_to_nesting(text):
        raise ValidationFailed(f"{label} bertingkat terlalu dalam: daftar atau kutipan bersarang paling banyak sekitar "
                               "9 tingkat, selebihnya tidak akan tampil. Kurangi tingkatnya.", field=field)
    return text


# Members paste their NIP (18 digits, often spaced 8-6-1-3), NIK (16), phone numbers and e-mail addresses into
# the search box and the composer; moderators read what was typed there (search gaps, questions answered
# before asking), so such numbers are never stored with it. Dates such as
# 2025-06-01 (the `sebelum:` operator) and years stay.
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# Ten or more digits, spaced or dashed as they are written (NIP 8-6-1-3, +62 812-3456-7890); a date has eight.
LONG_NUMBER = re.compile(r"\+?\d(?:[ .-]?\d){9,}")


def redact_personal_data(text: str) -> str:
    """`text` with e-mail addresses and long identity or phone numbers replaced by a placeholder."""
    return LONG_NUMBER.sub("[angka]", EMAIL.sub("[email]", text))
