"""The search box as members type it: question text plus operators (instansi: topik: status: sebelum:
sesudah: oleh: urut:), "exact phrases" and -excluded words, merged with the page's filter fields, with
problems reported in Indonesian."""
import re
from dataclasses import dataclass, field
from datetime import date

OPERATORS = {"instansi": "agency", "topik": "topic", "status": "status", "sebelum": "before", "sesudah": "after",
             "oleh": "author", "urut": "sort"}
_OPERATOR = re.compile(r"\b(instansi|topik|status|sebelum|sesudah|oleh|urut):(\"[^\"]*\"|\S+)", re.IGNORECASE)
STATUS_VALUES = {"terjawab": "terjawab", "belum": "belum", "belum-terjawab": "belum"}
SORT_VALUES = {"relevan": None, "terbaru": "terbaru", "baru": "terbaru", "aktif": "aktif", "aktivitas": "aktif"}
# -word or -"a phrase" at the start of a token (a hyphen inside a word, "anak-anak", "ke-13", is not one).
_EXCLUDED = re.compile(r"(?:^|(?<=\s))-(\"[^\"]*\"|\w[\w\-]*)")
_PHRASE = re.compile(r"\"([^\"]*)\"")
MAX_TEXT_TERMS = 10  # phrases plus excluded words: each one is a text check over every candidate thread


@dataclass
class SearchQuery:
    text: str = ""
    agency: str | None = None
    topic: str | None = None
    status: str | None = None
    before: date | None = None
    after: date | None = None
    author: str | None = None  # a username: threads the member asked or replied in
    sort: str | None = None  # None: by relevance; "terbaru" / "aktif": the relevant threads by date
    phrases: list[str] = field(default_factory=list)  # each must appear, word for word, in the thread
    excluded: list[str] = field(default_factory=list)  # a thread holding any of these words is left out
    typed: str = ""  # the free text as typed (quotes and -words kept), for links that rebuild the query
    problems: list[str] = field(default_factory=list)

    def filters(self) -> dict:
        return {k: getattr(self, k) for k in ("agency", "topic", "status", "before", "after", "author")
                if getattr(self, k)}

    def as_string(self, drop: str | None = None) -> str:
        """The query box text with these filters (optionally without one) and the order as operators.

        `drop="text"` keeps the words but lets go of the quotes and the -words (the search without them).
        """
        names = {v: k for k, v in OPERATORS.items()}
        ops = [f"{names[k]}:{v.isoformat() if isinstance(v, date) else v}" for k, v in self.filters().items() if k != drop]
        text = self.text if drop == "text" else (self.typed or self.text)
        return " ".join([text, *ops, *([f"urut:{self.sort}"] if self.sort else [])]).strip()


def parse_query(raw: str, form: dict | None = None) -> SearchQuery:
    """Split `instansi:bkn topik:cuti status:terjawab sebelum:2025-06-01 sesudah:2024-01-01 urut:terbaru` off the text."""
    q = SearchQuery()
    values = {k: v for k, v in (form or {}).items() if v not in (None, "")}
    for key, value in _OPERATOR.findall(raw or ""):
        values[OPERATORS[key.lower()]] = value.strip('"')
    names = {v: k for k, v in OPERATORS.items()}
    for key in [k for k, v in values.items() if isinstance(v, str) and "\x00" in v]:
        # No slug, name, date or order holds a NUL (and PostgreSQL refuses it in a query parameter).
        q.problems.append(f"Nilai “{names.get(key, key)}” berisi karakter yang tidak sah; filter itu diabaikan.")
        del values[key]
    q.typed = " ".join(_OPERATOR.sub(" ", raw or "").split())[:500]
    q.text = _split_text_terms(q)
    if not q.text and q.excluded:
        q.problems.append("Tulis juga apa yang dicari: kata bertanda minus hanya mengecualikan.")
    q.agency = (values.get("agency") or "").lower() or None
    q.topic = (values.get("topic") or "").lower() or None
    q.author = (values.get("author") or "").lower().lstrip("@") or None
    if values.get("status"):
        q.status = STATUS_VALUES.get(str(values["status"]).lower())
        if q.status is None:
            q.problems.append("Status harus “terjawab” atau “belum”.")
    if values.get("sort"):
        key = str(values["sort"]).lower()
        if key in SORT_VALUES:
            q.sort = SORT_VALUES[key]
        else:
            q.problems.append("Urutan harus “relevan”, “terbaru” atau “aktif”.")
    for key, label in (("before", "sebelum"), ("after", "sesudah")):
        if values.get(key):
            try:
                setattr(q, key, values[key] if isinstance(values[key], date) else date.fromisoformat(str(values[key])))
            except ValueError:
                q.problems.append(f"Tanggal “{label}” harus berformat TTTT-BB-HH, mis. 2025-06-01.")
    return q


def _split_text_terms(q: SearchQuery) -> str:
    """Take "phrases" and -words out of q.typed into q.phrases / q.excluded; returns the text to rank by.

    A phrase's words stay in the ranked text (they are what the member is looking for); excluded words
    leave it, or they would pull the very threads the member wants gone to the top.
    """
    excluded = [m.strip('"') for m in _EXCLUDED.findall(q.typed)]
    rest = _EXCLUDED.sub(" ", q.typed)
    phrases = [p for p in _PHRASE.findall(rest)]
    q.excluded = _distinct(excluded)
    q.phrases = _distinct(phrases)
    if len(q.excluded) + len(q.phrases) > MAX_TEXT_TERMS:
        q.problems.append(f"Paling banyak {MAX_TEXT_TERMS} frasa bertanda kutip dan kata yang dikecualikan; "
                          "sisanya diabaikan.")
        q.phrases = q.phrases[:MAX_TEXT_TERMS]
        q.excluded = q.excluded[:MAX_TEXT_TERMS - len(q.phrases)]
    return " ".join(rest.replace('"', " ").split())


def _distinct(terms: list[str]) -> list[str]:
    """Non-empty terms (whitespace collapsed, lower case) in first-seen order."""
    return list(dict.fromkeys(t for t in (" ".join(x.lower().split()) for x in terms) if any(c.isalnum() for c in t)))
