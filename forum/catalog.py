"""Agencies and topics: look-ups used by forms, filters and the API, and how a forum gets its list of them."""
import json
import re
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from forum.errors import NotFound, ValidationFailed
from forum.text import clean_line
from models import Agency, Topic
from models.catalog import AGENCY_LEVELS

_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$")


def _is_text(value: object) -> bool:
    """A string a database can compare: PostgreSQL rejects NUL bytes with an error (a 500), not a miss."""
    return isinstance(value, str) and "\x00" not in value


def list_agencies(session: Session) -> list[Agency]:
    """All agencies, central government first, then by name."""
    order = {level: i for i, level in enumerate(AGENCY_LEVELS)}
    return sorted(session.scalars(select(Agency)), key=lambda a: (order.get(a.level, 9), a.name))


def list_topics(session: Session) -> list[Topic]:
    """All topics by name."""
    return list(session.scalars(select(Topic).order_by(Topic.name)))


def get_agency(session: Session, slug: str) -> Agency:
    """The agency with `slug`, or NotFound."""
    agency = session.scalar(select(Agency).where(Agency.slug == slug)) if _is_text(slug) else None
    if agency is None:
        raise NotFound("Instansi tidak ditemukan.")
    return agency


def get_topic(session: Session, slug: str) -> Topic:
    """The topic with `slug`, or NotFound."""
    topic = session.scalar(select(Topic).where(Topic.slug == slug)) if _is_text(slug) else None
    if topic is None:
        raise NotFound("Topik tidak ditemukan.")
    return topic


def resolve_agency(session: Session, slug: object, field: str = "agency") -> Agency:
    """Agency chosen in a form or API body; a validation error (not 404) when unknown."""
    if not isinstance(slug, str) or not slug:
        raise ValidationFailed("Pilih instansi.", field=field)
    agency = session.scalar(select(Agency).where(Agency.slug == slug)) if _is_text(slug) else None
    if agency is None:
        raise ValidationFailed("Instansi tidak dikenal.", field=field)
    return agency


NUMBER_WORDS = {1: "satu", 2: "dua", 3: "tiga", 4: "empat", 5: "lima", 6: "enam"}


def resolve_topics(session: Session, slugs: object, field: str = "topics", maximum: int = 3) -> list[Topic]:
    """One to `maximum` distinct known topics, in the order given (members 3; moderators may set more)."""
    if isinstance(slugs, str):
        slugs = [slugs]
    if not isinstance(slugs, (list, tuple)) or not all(isinstance(s, str) for s in slugs):
        raise ValidationFailed("Topik harus berupa daftar.", field=field)
    unique = list(dict.fromkeys(s for s in slugs if s))
    if not 1 <= len(unique) <= maximum:
        raise ValidationFailed(f"Pilih satu sampai {NUMBER_WORDS.get(maximum, maximum)} topik.", field=field)
    known = [s for s in unique if _is_text(s)]
    found = {t.slug: t for t in session.scalars(select(Topic).where(Topic.slug.in_(known)))}
    missing = [s for s in unique if s not in found]
    if missing:
        raise ValidationFailed(f"Topik tidak dikenal: {', '.join(missing[:3])[:100]}.", field=field)
    return [found[s] for s in unique]


def _check_slug(session: Session, model, slug: object, what: str, example: str) -> str:
    if isinstance(slug, str) and len(slug) > 60:
        raise ValidationFailed(f"Slug {what} maksimal 60 karakter.", field="slug")
    if not isinstance(slug, str) or not _SLUG.match(slug) or "--" in slug:
        raise ValidationFailed(f"Slug {what} hanya huruf kecil, angka, dan tanda hubung tunggal (mis. {example}).",
                               field="slug")
    if session.scalar(select(model.id).where(model.slug == slug)) is not None:
        raise ValidationFailed(f"Slug {what} '{slug}' sudah dipakai.", field="slug")
    return slug


def add_agency(session: Session, slug: object, name: object, level: str = "lainnya") -> Agency:
    """Create an agency (seeding and the operator's `forum add-agency`)."""
    if level not in AGENCY_LEVELS:
        raise ValidationFailed("Tingkat instansi tidak dikenal. Pilih: " + ", ".join(AGENCY_LEVELS) + ".", field="level")
    agency = Agency(slug=_check_slug(session, Agency, slug, "instansi", "pemkot-bandung"), name=clean_line(name, "Nama instansi", "name", 2, 120),
                    level=level)
    session.add(agency)
    session.flush()
    return agency


def add_topic(session: Session, slug: object, name: object, description: str = "") -> Topic:
    """Create a topic (seeding and the operator's `forum add-topic`)."""
    topic = Topic(slug=_check_slug(session, Topic, slug, "topik", "barang-jasa"),
                  name=clean_line(name, "Nama topik", "name", 2, 80),
                  description=clean_line(description, "Deskripsi topik", "description", 0, 300) if description else "")
    session.add(topic)
    session.flush()
    return topic


def seed_catalog(session: Session, data_dir: Path) -> tuple[int, int]:
    """Add the agencies and topics listed in `data_dir` that the forum does not have yet; returns how many of each.

    A real forum starts from this list (no demo members or threads) and grows it with `forum add-agency`."""
    added = [0, 0]
    for i, (model, name) in enumerate(((Agency, "agencies.json"), (Topic, "topics.json"))):
        for item in json.loads((data_dir / name).read_text(encoding="utf-8")):
            if session.scalar(select(model.id).where(model.slug == item["slug"])) is None:
                if model is Agency:
                    add_agency(session, item["slug"], item["name"], item["level"])
                else:
                    add_topic(session, item["slug"], item["name"], item.get("description", ""))
                added[i] += 1
    return added[0], added[1]
