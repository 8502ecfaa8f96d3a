"""The search box as members type it: question text plus operators (instansi: topik: status: sebelum:
sesudah: oleh: urut:), "exact phrases" and -excluded words, merged with the page's filter fields, with
problems reported in Indonesian."""
import re
from dataclasses import dataclass, field
from datetime import date

OPERATORS = {"instansi": "agency", "topik": "topic", "status": "status", "sebelum": "before", "sesudah": "after",
             "oleh": "author", "urut": "sort"}
_OPERATOR = re.compile(r"\b(instansi|topik|status|sebelum|sesudah|oleh|urut):(\"[^\"]*\"|\S+)", re.IGNORECASE)
_EMPTY_OPERATOR = re.compile(r"\b(instansi|topik|status|sebelum|sesudah|oleh|urut):(?=\s|$)", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # NUL and other control characters nobody types on purpose
_EXAMPLES = {"instansi": "instansi:bkn", "topik": "topik:cuti", "status": "status:terjawab",
             "sebelum": "sebelum:2025-06-01", "sesudah": "sesudah:2024-01-01", "oleh": "oleh:nama_pengguna",
             "urut": "urut:terbaru"}
WORDS = re.compile(r"[^\W_]+")  # runs of letters or digits, in any script (no "_", no emoji, no punctuation)
STATUS_VALUES = {"terjawab": "terjawab", "belum": "belum", "belum-terjawab": "belum"}
SORT_VALUES = {"relevan": None, "terbaru": "terbaru", "baru": "terbaru", "aktif": "aktif", "aktivitas": "aktif"}
# -word or -"a phrase" at the start of a token (a hyphen inside a word, "anak-anak", "ke-13", is not one, nor
# one before a number: "jam 7.30 -16.00").
_EXCLUDED = re.compile(r"(?:^|(?<=\s))-(\"[^\"]*\"|[^\W\d_][\w\-]*)")
_PHRASE = re.compile(r"\"([^\"]*)\"")
MAX_TEXT_TERMS = 10  # phrases plus excluded words: each one is a text check over every candidate thread
MIN_YEAR = 1900  # dates before this are refused (no forum thread is older)
# A query that reads as a question uses quotes and hyphens as prose does ("Apa arti "kekayaan bersih"?",
# "KVPY 2016 SA -Stream"): there they are text, not operators. Measured on the dev questions holding either
# (Quora-id 75, TyDiQA-id 2): as operators they lost 8 of the 75 Quora duplicates from the top 10 and one
# TyDiQA answer; read as text, both sets score exactly as before these operators existed.
QUESTION_WORDS = frozenset("apa apakah bagaimana bagaimanakah gimana gmn kenapa knp mengapa siapa siapakah kapan "
                           "kapankah berapa berapakah dimana dimanakah manakah bisakah bolehkah adakah haruskah "
                           "perlukah".split())


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
    notes: list[str] = field(default_factory=list)  # how the text was read, when it may surprise

    def filters(self) -> dict:
        return {k: getattr(self, k) for k in ("agency", "topic", "status", "before", "after", "author")
                if getattr(self, k)}

    def as_string(self, drop: str | None = None) -> str:
        """The query box text with these filters (optionally without one) and the order as operators.

        `drop="text"` keeps the words but lets go of the quotes and the -words (the search without them).
        """
        names = {v: k for k, v in OPERATORS.items()}
        ops = [f"{names[k]}:{v.isoformat() if isinstance(v, date) else v}" for k, v in self.filters().items() if k != drop]
        text = " ".join(self.text.replace('"', " ").split()) if drop == "text" else (self.typed or self.text)
        return " ".join([text, *ops, *([f"urut:{self.sort}"] if self.sort else [])]).strip()


def parse_query(raw: str, form: dict | None = None) -> SearchQuery:
    """Split `instansi:bkn topik:cuti status:terjawab sebelum:2025-06-01 sesudah:2024-01-01 urut:terbaru` off the text."""
    q = SearchQuery()
    values = {k: v for k, v in (form or {}).items() if v not in (None, "")}
    typed: dict[str, str] = {}
    raw = _CONTROL.sub(" ", raw or "")
    for key in _EMPTY_OPERATOR.findall(raw):
        # "oleh:" with nothing after it was searched as a word before, with no word of why nothing was filtered.
        q.problems.append(f"“{key.lower()}:” belum diisi; tulis nilainya langsung setelah titik dua, "
                          f"mis. {_EXAMPLES[key.lower()]}.")
    raw = _EMPTY_OPERATOR.sub(" ", raw)
    for key, value in _OPERATOR.findall(raw):
        name, value = key.lower(), value.strip('"')
        if name in typed and typed[name].lower() != value.lower():  # said, not silently resolved
            q.notes.append(f"“{name}:” ditulis lebih dari sekali; yang dipakai yang terakhir, “{value}”.")
        typed[name] = values[OPERATORS[name]] = value
    names = {v: k for k, v in OPERATORS.items()}
    for key in [k for k, v in values.items() if isinstance(v, str) and "\x00" in v]:
        # No slug, name, date or order holds a NUL (and PostgreSQL refuses it in a query parameter).
        q.problems.append(f"Nilai “{names.get(key, key)}” berisi karakter yang tidak sah; filter itu diabaikan.")
        del values[key]
    q.typed = " ".join(_OPERATOR.sub(" ", raw).split())[:500]
    q.text = _split_text_terms(q)
    if q.text and not WORDS.search(q.text):
        # "*", a lone quote, emoji or an invisible space: e5 finds "similar" threads for anything at all.
        q.text = ""
        q.problems.append("Tulis setidaknya satu kata atau angka untuk dicari.")
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
                day = values[key] if isinstance(values[key], date) else date.fromisoformat(str(values[key]))
            except ValueError:
                q.problems.append(f"Tanggal “{label}” harus berformat TTTT-BB-HH, mis. 2025-06-01.")
                continue
            if day.year < MIN_YEAR:
                # Year 1 would not even survive the shift from WIB to UTC; no thread is that old anyway.
                q.problems.append(f"Tanggal “{label}” ({day.isoformat()}) terlalu lampau: tulis tahun {MIN_YEAR} atau sesudahnya.")
                continue
            setattr(q, key, day)
    if q.before and q.after and q.before <= q.after:
        q.problems.append(f"Tanggal “sebelum” ({q.before.isoformat()}) harus sesudah tanggal “sesudah” "
                          f"({q.after.isoformat()}); tidak ada diskusi di antara keduanya.")
    return q


def _split_text_terms(q: SearchQuery) -> str:
    """Take "phrases" and -words out of q.typed into q.phrases / q.excluded; returns the text to rank by.

    The ranked text is what was typed, quotes included (a natural question quotes words too: ranking it
    unchanged keeps its results), minus the excluded words, which would otherwise pull the very threads the
    member wants gone to the top. A "-" before anything but a letter ("-_-", "-16.00") is just text, and so
    are the quotes and hyphens of a query that reads as a question.
    """
    if reads_as_question(q.typed):
        if _PHRASE.search(q.typed) or any(_clean(m.group(1).strip('"')) for m in _EXCLUDED.finditer(q.typed)):
            q.notes.append("Kalimat tanya dibaca apa adanya: tanda kutip dan tanda minus di dalamnya tidak dipakai "
                           "sebagai operator. Untuk memakainya, tulis sebagai kata kunci, tanpa kata tanya di awal dan tanda tanya di akhir.")
        return q.typed
    excluded = []

    def take(match: re.Match) -> str:
        term = _clean(match.group(1).strip('"'))
        if not term:
            return match.group(0)
        excluded.append(term)
        return " "
    rest = _EXCLUDED.sub(take, q.typed)
    q.excluded = list(dict.fromkeys(excluded))
    q.phrases = list(dict.fromkeys(p for p in (_clean(x) for x in _PHRASE.findall(rest)) if p))
    both = [p for p in q.phrases if p in q.excluded]
    if both:
        # Asked for and excluded at once: no thread can qualify, and "none holds it" would mislead.
        q.problems.append("“" + "”, “".join(both) + "” diminta sekaligus dikecualikan (bertanda minus); "
                          "tidak ada diskusi yang bisa memenuhi keduanya. Hapus salah satunya.")
    if len(q.excluded) + len(q.phrases) > MAX_TEXT_TERMS:
        q.problems.append(f"Paling banyak {MAX_TEXT_TERMS} frasa bertanda kutip dan kata yang dikecualikan; "
                          "sisanya diabaikan.")
        q.phrases = q.phrases[:MAX_TEXT_TERMS]
        q.excluded = q.excluded[:MAX_TEXT_TERMS - len(q.phrases)]
    return " ".join(rest.split())


def reads_as_question(text: str) -> bool:
    """Whether the text is a question sentence (ends with "?" or opens with a question word)."""
    words = re.findall(r"\w+", text.lower())
    return text.rstrip().endswith("?") or bool(words and words[0] in QUESTION_WORDS)


def _clean(term: str) -> str:
    """A phrase or excluded term: whitespace collapsed, lower case; empty unless it holds a letter or digit."""
    term = " ".join(term.lower().split())
    return term if any(c.isalnum() for c in term) else ""


def apply_form_choices(raw: str, form: dict) -> str:
    """The query box text without the operators the form now sets otherwise.

    A facet link writes `instansi:x` into the box and the page's dropdown shows x. A member who then picks
    another agency, or "Semua instansi", in the dropdown sends that choice (an empty one for "Semua") with the
    old operator still in the box: the choice wins. A key the form does not send at all changes nothing."""
    def keep(match: re.Match) -> str:
        chosen = form.get(OPERATORS[match.group(1).lower()])
        if chosen is None or chosen.strip().lower() == match.group(2).strip('"').lower():
            return match.group(0)
        return " "
    return " ".join(_OPERATOR.sub(keep, raw or "").split())
