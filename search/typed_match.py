"""Which threads hold what was typed: every rare word of the query, a dictionary synonym counting as the word.

Such a thread matches the query even when e5 scores it low: a one-word query ("transkrip") against a long reply
sits under the dense noise floor, and e5 has never seen most ASN abbreviations ("cuber"), so its cosines for them
are near-ties between unrelated threads. A thread that spells the abbreviation out ("cuti besar") holds it.
"""
from dataclasses import dataclass

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from models.id_list import pg_array_literal
from search.lexical import SAFE_TERM, frequencies_and_limit
from search.text import acronym_readings, expand_query, stem_tokens, stems, tokens

MAX_WORDS = 64


def word_alternatives(query: str) -> list[list[tuple[str, ...]]]:
    """Per content word of the query: its own stem, then the stems of each of its dictionary synonyms."""
    options: dict[str, list[tuple[str, ...]]] = {}
    for word in tokens(query):
        own = [s for s in stem_tokens([word]) if SAFE_TERM.match(s)]
        for stem in own:
            options.setdefault(stem, [(stem,)])
        if len(own) != 1:
            continue  # a stopword, or a hyphenated word: its parts stand for themselves
        for phrase in expand_query(word):
            alt = tuple(t for t in dict.fromkeys(stems(phrase)) if SAFE_TERM.match(t))
            if alt and alt not in options[own[0]]:
                options[own[0]].append(alt)
    for word, formal in acronym_readings(query):  # "pk" typed: a post saying "pakai" or one saying "PK" holds it
        own = [s for s in stem_tokens([formal]) if SAFE_TERM.match(s)]
        if len(own) == 1 and own[0] in options and (word,) not in options[own[0]]:
            options[own[0]].append((word,))
    return list(options.values())[:MAX_WORDS]


@dataclass(frozen=True)
class Form:
    """One way a typed word may appear: its stems, adjacent (a phrase) or anywhere in the same post."""
    stems: tuple[str, ...]
    phrase: bool = False

    def fts5(self) -> str:
        quoted = [f'"{t}"' for t in self.stems]
        return '"' + " ".join(self.stems) + '"' if self.phrase else "(" + " AND ".join(quoted) + ")"

    def tsquery(self) -> str:
        return "(" + (" <-> " if self.phrase else " & ").join(self.stems) + ")"


def _clauses(session: Session, words: list[list[tuple[str, ...]]]) -> list[list[Form]]:
    """Each word's alternatives the index can use; words with none (too common, a typo) are left out."""
    counted = frequencies_and_limit(session, list({t for alts in words for alt in alts for t in alt}))
    if counted is None:
        return []
    df, limit = counted
    clauses = []
    for alts in words:
        # A form no post holds (a typo, a synonym this forum never spells out) cannot match: left out.
        held = [alt for alt in alts if all(df.get(t, 0) for t in alt)]
        rare = [tuple(t for t in alt if df[t] <= limit) for alt in held]
        # A word with a form in most of the forum ("pns") narrows nothing down: the whole word is left out.
        if held and all(rare):
            # A synonym kept whole is matched as a phrase ("cuti besar", not "cuti ... besar" three replies apart).
            clauses.append([Form(r, phrase=len(r) > 1 and r == alt) for r, alt in zip(rare, held)])
    return clauses


def groups_holding_every_term(session: Session, query: str, group_ids: set[int]) -> set[int]:
    """Those of `group_ids` with one document holding every rare word of the query, or a synonym of it."""
    if not group_ids:
        return set()
    clauses = _clauses(session, word_alternatives(query))
    if not clauses:
        return set()
    if session.get_bind().dialect.name == "postgresql":
        query_text = " & ".join("(" + " | ".join(form.tsquery() for form in forms) + ")" for forms in clauses)
        stmt = text("""SELECT DISTINCT group_id FROM search_documents
                       WHERE stems_tsv @@ to_tsquery('indonesian', :query)
                       AND group_id = ANY(CAST(:groups AS BIGINT[]))""")
        params = {"query": query_text, "groups": pg_array_literal(group_ids)}
    else:
        match = " AND ".join("(" + " OR ".join(form.fts5() for form in forms) + ")" for forms in clauses)
        stmt = text("""SELECT DISTINCT d.group_id FROM search_fts JOIN search_documents d ON d.doc_id = search_fts.rowid
                       WHERE search_fts MATCH :match AND d.group_id IN :groups""").bindparams(
            bindparam("groups", expanding=True))
        params = {"match": match, "groups": list(group_ids)}
    return {int(g) for (g,) in session.execute(stmt, params)}
