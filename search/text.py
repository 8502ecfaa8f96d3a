"""Indonesian text handling shared by lexical search and the duplicate judge.

normalize() turns chat Indonesian ("gak bisa ngajuin cuti yg kmrn") into plain formal spelling
("tidak bisa mengajukan cuti yang kemarin"); stems() feeds the FTS5 index; expand_query() adds
civil-service acronyms and their long forms from an editable dictionary.
"""
import json
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import Stemmer

DATA = Path(__file__).parent / "data"

_URL = re.compile(r"https?://\S+|www\.\S+")
# Letters, digits and inner hyphens survive; everything else becomes a space.
_NON_WORD = re.compile(r"[^\w\-]+")
_EDGE_HYPHENS = re.compile(r"(?<!\w)-+|-+(?!\w)")
# "sedihhh" -> "sedih", "aaaaaaa" -> "a". Not a consonant run that starts a word before more letters: "pppk"
# would become "pk", which the slang map reads as "pakai" (a QA pass found PPPK missing from the whole index);
# nor a Roman numeral ("viii", "d-iii").
_LONG_RUN = re.compile(r"([a-z])\1{2,}")
_LEADING_CONSONANT_RUN = re.compile(r"^([b-df-hj-np-tv-z])\1{2,}(?!\1)(?=[a-z])")
_ROMAN = re.compile(r"[ivx]+")
# A word typed in capitals inside ordinary text is an acronym, not chat: "SIP", "KK", "SMP", "PK" are a permit,
# a family card, a school and a work agreement, while "sip", "kk", "smp", "pk" are chat for oke, kak, sampai, pakai.
_CAPS_WORD = re.compile(r"(?<![\w-])[A-Z][A-Z0-9]+(?![\w-])")
_TRAIL_DOUBLE = re.compile(r"^(\w+?)([aiueohkg])\2$")  # "yaa", "gakk", "sihh"
_REDUP_DIGIT = re.compile(r"^([a-z]{2,})2$")        # "bisa2" -> "bisa-bisa"
_CLITICS = ("nya", "ku", "mu")
_THOUSANDS = re.compile(r"(?<=\d)[.,](?=\d{3}(?!\d))")  # "1.000.000" -> "1000000"
_CURRENCY = re.compile(r"\brp\.?\s*(?=\d)")                # "rp1.000" -> "rp 1000"


@lru_cache(maxsize=1)
def _slang() -> dict[str, str]:
    return json.loads((DATA / "slang.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """The Indonesian stopword set used for lexical search."""
    lines = (DATA / "stopwords_id.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("indonesian")


@lru_cache(maxsize=100_000)
def _formal(word: str) -> str:
    """One lowercase word in formal spelling (may return several words); cached, words repeat a lot."""
    slang = _slang()
    if word in slang:
        return slang[word]
    if any(_ROMAN.fullmatch(part) for part in word.split("-")):
        return word  # "iii", "viii", "d-iii": a grade, a class or a diploma, not a lengthened letter
    lead = _LEADING_CONSONANT_RUN.match(word)
    kept = lead.end() if lead else 0
    word = word[:kept] + _LONG_RUN.sub(r"\1", word[kept:])
    if word not in slang:
        word = _TRAIL_DOUBLE.sub(r"\1\2", word)
    if word in slang:
        return slang[word]
    redup = _REDUP_DIGIT.match(word)
    if redup:
        base = _formal(redup.group(1))
        return base if " " in base else f"{base}-{base}"
    # Clitic on a slang word: "infonya" -> "informasinya", "duitku" -> "uangku".
    for clitic in _CLITICS:
        if word.endswith(clitic) and word[: -len(clitic)] in slang:
            return slang[word[: -len(clitic)]] + clitic
    return word


@lru_cache(maxsize=8192)
def normalize(text: str) -> str:
    """Lowercase, NFKC, punctuation stripped and informal spellings made formal (acronyms typed in capitals kept)."""
    text = unicodedata.normalize("NFKC", text)
    acronyms = _acronyms(text)
    text = text.lower()
    text = _URL.sub(" ", text)
    text = _CURRENCY.sub("rp ", _THOUSANDS.sub("", text))
    text = _NON_WORD.sub(" ", text.replace("_", " "))
    text = _EDGE_HYPHENS.sub(" ", text)
    return " ".join(w if w in acronyms else _formal(w) for w in text.split())


def _acronyms(text: str) -> frozenset[str]:
    """Words typed in capitals, lowercased, unless the text is shouted (mostly capitals, or a capital stopword)."""
    caps = _CAPS_WORD.findall(text)
    if not caps:
        return frozenset()
    words = frozenset(w.lower() for w in caps)
    shouted = len(caps) >= 3 and sum(ch.isupper() for ch in text) > sum(ch.islower() for ch in text)
    if shouted or words & stopwords():
        return frozenset()  # "GAK BISA LOGIN" is chat in capitals: it still gets its formal spelling
    return words


def tokens(text: str) -> list[str]:
    """Normalized words, stopwords kept (hyphenated words stay one token)."""
    return normalize(text).split()


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    return _stemmer().stemWord(word)


def stems(text: str) -> list[str]:
    """Snowball-Indonesian stems of the content words, in order (the lexical index's vocabulary)."""
    return stem_tokens(tokens(text))


def stem_tokens(words: list[str]) -> list[str]:
    """Stems of already normalized words, stopwords dropped."""
    stop = stopwords()
    out = []
    for tok in words:
        parts = tok.split("-")
        # Reduplication "anak-anak" is one word; "e-kinerja" keeps both parts.
        if len(parts) == 2 and parts[0] == parts[1]:
            parts = parts[:1]
        for part in parts:
            if part and part not in stop and (len(part) > 1 or part.isdigit()):
                # Snowball reads the last "i" of "iii" as a suffix: golongan III and II would share a stem.
                out.append(part if _ROMAN.fullmatch(part) else _stem(part))
    return out


@lru_cache(maxsize=1)
def _synonym_groups() -> list[list[str]]:
    raw = json.loads((DATA / "synonyms.json").read_text(encoding="utf-8"))
    groups = []
    for group in raw["groups"]:
        members = list(dict.fromkeys(normalize(term) for term in group))
        if len(members) > 1:
            groups.append(members)
    return groups


# The forum's own groups (FORUM_SYNONYMS_FILE): they widen query expansion only. The duplicate judge's
# concept features keep the shipped groups, the ones it was trained with.
_local_groups: list[list[str]] = []
# The groups moderators added in the forum's database (forum.synonyms loads and refreshes them).
_forum_groups: list[list[str]] = []
_version = 0  # bumped when the local or forum groups change: callers key their caches of expansions on it


def read_synonym_groups(path: Path) -> list[list[str]]:
    """Groups from a file in the shipped layout ({"groups": [["skp", "sasaran kinerja pegawai"], ...]})."""
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
        groups = raw["groups"]
        if not isinstance(groups, list) or not all(isinstance(g, list) and all(isinstance(t, str) for t in g)
                                                   for g in groups):
            raise TypeError
    except OSError as exc:
        raise ValueError(f"Berkas sinonim {path} tidak bisa dibaca: {exc.strerror or exc}.") from None
    except (ValueError, KeyError, TypeError):
        raise ValueError(f"Berkas sinonim {path} tidak valid: harus JSON berbentuk "
                         '{"groups": [["skp", "sasaran kinerja pegawai"], ...]}.') from None
    out = []
    for group in groups:
        members = list(dict.fromkeys(normalize(term) for term in group if normalize(term)))
        if len(members) > 1:
            out.append(members)
    return out


def use_local_synonyms(path: Path | None) -> int:
    """Expand queries with the groups in `path` too (None: the shipped dictionary only); returns how many."""
    global _local_groups, _version
    groups = read_synonym_groups(path) if path else []
    if groups != _local_groups:
        _local_groups, _version = groups, _version + 1
    return len(groups)


def use_forum_synonyms(groups: list[list[str]]) -> int:
    """Expand queries with these groups too (moderators' additions, replacing the previous ones)."""
    global _forum_groups, _version
    clean = [m for m in (list(dict.fromkeys(normalize(t) for t in g if normalize(t))) for g in groups) if len(m) > 1]
    if clean != _forum_groups:
        _forum_groups, _version = clean, _version + 1
    return len(clean)


def dictionary_groups() -> tuple[list[list[str]], list[list[str]]]:
    """The shipped groups and the FORUM_SYNONYMS_FILE groups, for showing moderators what already exists."""
    return _synonym_groups(), list(_local_groups)


def synonyms_version() -> int:
    """Changes whenever use_local_synonyms() or use_forum_synonyms() changes the expansion groups."""
    return _version


def expand_query(text: str) -> list[str]:
    """Synonyms and acronym expansions of civil-service terms in `text` that it does not already contain."""
    return _expand(text, _synonym_groups() + _local_groups + _forum_groups)


def forum_expansions(text: str) -> list[str]:
    """Like expand_query, but from the forum's own groups only (FORUM_SYNONYMS_FILE and the moderators'):
    words this forum uses that the shipped dictionary, and so the embedder's training, may not know."""
    return _expand(text, _local_groups + _forum_groups)


def _expand(text: str, groups: list[list[str]]) -> list[str]:
    padded = f" {normalize(text)} "
    extra: list[str] = []
    for group in groups:
        if any(f" {term} " in padded for term in group):
            extra.extend(t for t in group if f" {t} " not in padded and t not in extra)
    return extra


@lru_cache(maxsize=1)
def _concept_index() -> dict[str, list[tuple[tuple[str, ...], frozenset[int]]]]:
    """Synonym terms by their first word: (the term's words, the groups it belongs to)."""
    groups_of: dict[str, set[int]] = {}
    for i, group in enumerate(_synonym_groups()):
        for term in group:
            groups_of.setdefault(term, set()).add(i)
    index: dict[str, list[tuple[tuple[str, ...], frozenset[int]]]] = {}
    for term, ids in groups_of.items():
        words = tuple(term.split(" "))
        index.setdefault(words[0], []).append((words, frozenset(ids)))
    return index


def concepts(text: str) -> frozenset[int]:
    """Which synonym groups (civil-service concepts: PNS, PPPK, TPP, cuti besar, ...) the text mentions."""
    normalized = normalize(text)
    words = normalized.split()
    if " ".join(words) != normalized:
        # Word runs equal " term " substrings only in single-spaced text; anything else takes the plain scan.
        padded = f" {normalized} "
        return frozenset(i for i, group in enumerate(_synonym_groups()) if any(f" {t} " in padded for t in group))
    # One dict look-up per word instead of a substring scan per synonym term.
    index, found = _concept_index(), set()
    for start, word in enumerate(words):
        for term, ids in index.get(word, ()):
            if tuple(words[start : start + len(term)]) == term:
                found |= ids
    return frozenset(found)


_SHORT_WORD = re.compile(r"(?<![\w-])[a-z]{2,3}(?![\w-])")
_VOWELS = set("aiueo")


def acronym_readings(text: str) -> list[tuple[str, str]]:
    """(word, formal) for each short chat word typed in lowercase that may also be an acronym.

    A post writes the acronym in capitals ("PK", "KK", "SMP": kept so by normalize()), while a phone query types
    "pk pppk" in lowercase, which normalize() reads as the chat word "pakai". A query matches both readings."""
    slang, out = _slang(), []
    for word in dict.fromkeys(_SHORT_WORD.findall(unicodedata.normalize("NFKC", text))):
        formal = slang.get(word)
        if formal and formal != word and sum(ch in _VOWELS for ch in word) <= 1:
            out.append((word, formal))
    return out


def lexical_terms(text: str) -> list[str]:
    """Unique stems to OR together in a lexical query: the text's own stems, its expansions', then the acronym
    reading of short chat words ("pk" is "pakai", and also PK)."""
    terms = stems(text)
    for phrase in expand_query(text):
        terms.extend(stems(phrase))
    terms.extend(word for word, _ in acronym_readings(text))
    return list(dict.fromkeys(terms))
