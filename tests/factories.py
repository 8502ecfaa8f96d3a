"""Small builders for test data, going through the real domain verbs."""
import itertools

from forum import accounts, catalog, threads

_counter = itertools.count(1)
PASSWORD = "Rahasia-Kuat-2025"


def agency(db, slug="bkn", name="Badan Kepegawaian Negara", level="pusat"):
    from models import Agency
    return db.query(Agency).filter_by(slug=slug).one_or_none() or catalog.add_agency(db, slug, name, level)


def topic(db, slug="cuti-kehadiran", name="Cuti & Kehadiran"):
    from models import Topic
    return db.query(Topic).filter_by(slug=slug).one_or_none() or catalog.add_topic(db, slug, name, "")


def user(db, username=None, role="member", agency_slug="bkn"):
    agency(db, agency_slug, agency_slug.upper())
    n = next(_counter)
    username = username or f"anggota{n}"
    return accounts.register_user(db, username=username, display_name=f"Anggota {n}", email=f"{username}@contoh.go.id",
                                  password=PASSWORD, agency=agency_slug, role=role)


def thread(db, author, title="Bagaimana cara mengajukan cuti besar?", body="Saya ingin tahu syarat dan prosedurnya.",
           agency_slug="bkn", topic_slugs=("cuti-kehadiran",), **kw):
    agency(db, agency_slug, agency_slug.upper())
    for slug in topic_slugs:
        topic(db, slug, slug.replace("-", " ").title())
    return threads.create_thread(db, author=author, agency=agency_slug, topics=list(topic_slugs), title=title,
                                 body_md=body, **kw)
