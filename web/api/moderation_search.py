"""JSON API /api/v1/moderation/...: the search figures and the forum's search dictionary, as on the pages."""
from dataclasses import dataclass
from typing import Any

from litestar import get, post
from litestar.datastructures import State
from sqlalchemy.orm import Session

from forum import question_stats, search_log, synonyms
from forum.errors import ValidationFailed
from forum.permissions import check_moderator
from models import SearchSynonymGroup, User
from search.text import dictionary_groups
from web.api.serialize import thread_json
from web.pages.search import write_search_log_first
from web.ratelimit import limit_writes


@dataclass
class SynonymBody:
    terms: list[str]
    reason: str = ""


def _group_json(g: SearchSynonymGroup) -> dict:
    return {"id": g.id, "terms": g.term_list, "created_at": g.created_at.isoformat() + "Z"}


def _days(days: int) -> int:
    if days not in question_stats.PERIODS:
        raise ValidationFailed("Periode tidak dikenal.", fields={"days": "Pilih 7, 30, 90 atau 365 hari."})
    return days


@get("/moderation/search-gaps", summary="Pencarian yang tidak menemukan diskusi, dan yang diikuti diskusi baru",
     before_request=write_search_log_first)
async def search_gaps(db: Session, viewer: User | None, days: int = 30) -> dict[str, Any]:
    viewer = check_moderator(viewer)
    gaps = search_log.search_gaps(db, viewer, _days(days))
    return {"days": gaps.days, "searches": gaps.searches, "found_nothing": gaps.found_nothing,
            "found_nothing_percent": gaps.found_nothing_percent,
            "missing": [{"query": q, "times": n, "last_searched_at": last.isoformat() + "Z"}
                        for q, n, last in gaps.missing],
            "asked_after": [{"query": q, "results": n, "thread": thread_json(t), "merged_into": t.merged_into_id,
                             "closest_earlier": thread_json(earlier) if earlier else None}
                            for q, n, t, earlier in gaps.asked_after]}


@get("/moderation/synonyms", summary="Kamus pencarian: sinonim forum ini dan kamus bawaan")
async def synonym_list(db: Session, viewer: User | None) -> dict[str, Any]:
    check_moderator(viewer)
    shipped, local = dictionary_groups()
    return {"groups": [_group_json(g) for g in synonyms.list_synonym_groups(db)], "shipped": shipped,
            "server_file": local}


@post("/moderation/synonyms", summary="Tambah kelompok sinonim", status_code=201)
async def synonym_add(db: Session, viewer: User | None, state: State, data: SynonymBody) -> dict[str, Any]:
    viewer = check_moderator(viewer)
    limit_writes(db, state, viewer)
    group = synonyms.add_synonym_group(db, actor=viewer, text=", ".join(t.replace(",", " ") for t in data.terms),
                                       reason=data.reason)
    return _group_json(group)


@post("/moderation/synonyms/{group_id:int}/remove", summary="Hapus kelompok sinonim", status_code=200)
async def synonym_remove(db: Session, viewer: User | None, state: State, group_id: int) -> dict[str, Any]:
    viewer = check_moderator(viewer)
    limit_writes(db, state, viewer)
    return {**_group_json(synonyms.remove_synonym_group(db, actor=viewer, group_id=group_id)), "removed": True}


handlers = [search_gaps, synonym_list, synonym_add, synonym_remove]
