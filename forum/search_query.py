"""The search box as members type it: question text plus operators (instansi: topik: status: sebelum:
sesudah: oleh: urut:), merged with the page's filter fields, with problems reported in Indonesian."""
import re
from dataclasses import dataclass, field
from datetime import date

OPERATORS = {"instansi": "agency", "topik": "topic", "status": "status", "sebelum": "before", "sesudah": "after",
             "oleh": "author", "urut": "sort"}
_OPERATOR = re.compile(r"\b(instansi|topik|status|sebelum|sesudah|oleh|urut):(\"[^\"]*\"|\S+)", re.IGNORECASE)
STATUS_VALUES = {"terjawab": "terjawab", "belum": "belum", "belum-terjawab": "belum"}
SORT_VALUES = {"relevan": None, "terbaru": "terbaru", "baru": "terbaru", "aktif": "aktif", "aktivitas": "aktif"}


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
    problems: list[str] = field(default_factory=list)

    def filters(self) -> dict:
        return {k: getattr(self, k) for k in ("agency", "topic", "status", "before", "after", "author")
                if getattr(self, k)}

    def as_string(self, drop: str | None = None) -> str:
        """The query box text with these filters (optionally without one) and the order as operators."""
        names = {v: k for k, v in OPERATORS.items()}
        ops = [f"{names[k]}:{v.isoformat() if isinstance(v, date) else v}" for k, v in self.filters().items() if k != drop]
        return " ".join([self.text, *ops, *([f"urut:{self.sort}"] if self.sort else [])]).strip()


def parse_query(raw: str, form: dict | None = None) -> SearchQuery:
    """Split `instansi:bkn topik:cuti status:terjawab sebelum:2025-06-01 sesudah:2024-01-01 urut:terbaru` off the text."""
    q = SearchQuery()
    values = {k: v for k, v in (form or {}).items() if v not in (None, "")}
    for key, value in _OPERATOR.findall(raw or ""):
        values[OPERATORS[key.lower()]] = value.strip('"')
    q.text = " ".join(_OPERATOR.sub(" ", raw or "").split())[:500]
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
