"""The forum's own search dictionary: synonym groups moderators add ("tukin" = "tunjangan kinerja").

Groups live in the database and widen query expansion in every worker: each worker re-reads them when it
notices a change (checked at most every REFRESH_SECONDS), so no restart and no reindex are needed.
"""
import time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forum.errors import NotFound, ValidationFailed
from forum.moderation import clean_reason
from forum.moderation_log import log_action
from forum.permissions import can_edit_synonyms, check, check_logged_in
from forum.text import visible_length
from models import SearchSynonymGroup, User
from search.text import dictionary_groups, normalize, use_forum_synonyms

MAX_TERMS = 12
MAX_TERM_CHARS = 60
MAX_GROUPS = 1000
REFRESH_SECONDS = 30.0

_seen: tuple | None = None  # (count, newest id) of the groups this worker applied
_checked_at = 0.0


def parse_terms(text: str) -> list[str]:
    """Comma- or line-separated terms, normalised and deduplicated; raises ValidationFailed in Indonesian."""
    raw = [t.strip() for t in (text or "").replace("\n", ",").split(",") if t.strip()]
    # Checked as typed: normalising first would shorten "xxxx…" to "x" and store something nobody wrote.
    if any(len(t) > MAX_TERM_CHARS for t in raw):
        raise ValidationFailed("Istilah terlalu panjang.", fields={
            "istilah": f"Setiap istilah paling banyak {MAX_TERM_CHARS} karakter."})
    if any(":" in t for t in raw):
        raise ValidationFailed("Istilah tidak boleh memuat titik dua.", fields={
            "istilah": "Titik dua dipakai untuk filter pencarian (mis. instansi:bkn); tulis istilahnya saja."})
    terms = list(dict.fromkeys(normalize(t) for t in raw if normalize(t)))
    if any(visible_length(t) < 2 for t in terms):
        raise ValidationFailed("Istilah terlalu pendek.", fields={
            "istilah": "Setiap istilah paling sedikit dua huruf atau angka."})
    if len(terms) < 2:
        raise ValidationFailed("Sinonim perlu dua istilah atau lebih.", fields={
            "istilah": "Tulis dua istilah atau lebih yang bermakna sama, dipisahkan koma, mis. “tukin, tunjangan kinerja”."})
    if len(terms) > MAX_TERMS:
        raise ValidationFailed("Terlalu banyak istilah.", fields={
            "istilah": f"Satu kelompok paling banyak {MAX_TERMS} istilah."})
    return terms


def list_synonym_groups(session: Session) -> list[SearchSynonymGroup]:
    """The moderators' groups, newest first."""
    return list(session.scalars(select(SearchSynonymGroup).order_by(SearchSynonymGroup.id.desc())))


def add_synonym_group(session: Session, *, actor: User, text: str, reason: str = "") -> SearchSynonymGroup:
    """Add a group of terms that mean the same; it applies to searches at once (this worker) or within
    REFRESH_SECONDS (the others)."""
    actor = check_logged_in(actor)
    check(can_edit_synonyms(actor), "Hanya admin dan moderator seluruh forum yang dapat mengubah kamus pencarian.")
    reason = clean_reason(reason)  # at most 500 characters, as every other moderator's reason
    terms = parse_terms(text)
    existing = [set(g.term_list) for g in list_synonym_groups(session)] + [set(g) for g in sum(dictionary_groups(), [])]
    if set(terms) in existing:
        raise ValidationFailed("Kelompok sinonim ini sudah ada.", fields={"istilah": "Kelompok yang sama sudah ada di kamus."})
    if session.scalar(select(func.count(SearchSynonymGroup.id))) >= MAX_GROUPS:
        raise ValidationFailed("Kamus pencarian sudah penuh.", fields={
            "istilah": f"Paling banyak {MAX_GROUPS} kelompok; hapus yang tidak dipakai lagi."})
    group = SearchSynonymGroup(terms="\n".join(terms), created_by_id=actor.id)
    session.add(group)
    session.flush()
    log_action(session, actor, "add_synonyms", reason=reason, details={"group_id": group.id, "terms": terms})
    refresh_synonyms(session, force=True)
    return group


def remove_synonym_group(session: Session, *, actor: User, group_id: int, reason: str = "") -> SearchSynonymGroup:
    """Delete one of the moderators' groups (the shipped dictionary cannot be changed here)."""
    actor = check_logged_in(actor)
    check(can_edit_synonyms(actor), "Hanya admin dan moderator seluruh forum yang dapat mengubah kamus pencarian.")
    reason = clean_reason(reason)
    group = session.get(SearchSynonymGroup, group_id)
    if group is None:
        raise NotFound("Kelompok sinonim tidak ditemukan.")
    log_action(session, actor, "remove_synonyms", reason=reason, details={"group_id": group.id,
                                                                           "terms": group.term_list})
    session.delete(group)
    session.flush()
    refresh_synonyms(session, force=True)
    return group


def refresh_synonyms(session: Session, force: bool = False) -> bool:
    """Apply the database's groups to query expansion when they changed; returns whether they did.

    Without `force` the database is asked at most every REFRESH_SECONDS: searches call this each time.
    """
    global _seen, _checked_at
    now = time.monotonic()
    if not force and now - _checked_at < REFRESH_SECONDS:
        return False
    _checked_at = now
    seen = tuple(session.execute(select(func.count(SearchSynonymGroup.id), func.max(SearchSynonymGroup.id))).one())
    if seen == _seen and not force:
        return False
    _seen = seen
    use_forum_synonyms([g.term_list for g in list_synonym_groups(session)])
    return True
