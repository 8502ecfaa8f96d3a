"""The migrated schema is the schema the models describe, on SQLite and PostgreSQL alike."""
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from models import Base, Post

# Made by raw SQL in the migrations, on purpose outside the models: SQLite's FTS5 table (and its shadow
# tables) and PostgreSQL's generated tsvector column with its GIN index.
RAW_SQL_SEARCH_OBJECTS = {"search_fts", "stems_tsv", "ix_search_documents_stems_tsv"}


def _outside_the_models(obj, name, type_, reflected, compare_to) -> bool:
    return not (name in RAW_SQL_SEARCH_OBJECTS or (type_ == "table" and str(name).startswith("search_fts_")))


def test_the_migrations_build_exactly_the_tables_columns_indexes_and_keys_the_models_declare(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": _outside_the_models})
        drift = compare_metadata(context, Base.metadata)
    assert drift == [], "\n".join(map(str, drift))


def test_upgrading_clears_an_accepted_answer_that_was_hidden_before_hiding_unaccepted_it(db, db_url):
    from alembic import command
    from models.migrate import alembic_config, upgrade
    from tests import moderation_factories as mf

    asker, member = mf.user(db), mf.user(db)
    hidden_case = mf.thread(db, asker, "Cara mengajukan cuti besar bagi PNS", 0)
    shown_case = mf.thread(db, asker, "Syarat kenaikan pangkat pilihan", 1)
    hidden, shown = mf.reply(db, member, hidden_case, "Lewat SIASN.", 2), mf.reply(db, member, shown_case, "Lewat SIASN.", 3)
    hidden_case.accepted_post_id, shown_case.accepted_post_id, hidden.is_hidden = hidden.id, shown.id, True
    db.commit()
    command.downgrade(alembic_config(db_url), "0009_search_synonym_groups")  # 0010 changes data, not the schema
    upgrade(db_url)
    db.expire_all()
    assert hidden_case.accepted_post_id is None and shown_case.accepted_post_id == shown.id


def test_upgrading_redacts_identity_numbers_and_emails_typed_into_search_or_the_composer_before(db, db_url):
    from alembic import command
    from models import AnsweredBeforeAsking, SearchLogEntry, utcnow
    from tests import factories as f
    from models.migrate import alembic_config, upgrade

    typed = {"nip 19850101 201001 1 001 belum muncul": "nip [angka] belum muncul",
             "tanya budi.s@bkn.go.id": "tanya [email]", "pp 11 tahun 2017 cuti": "pp 11 tahun 2017 cuti"}
    entries = [SearchLogEntry(user_id=None, query=query, results=0, created_at=utcnow()) for query in typed]
    kept = AnsweredBeforeAsking(user_id=f.user(db).id, thread_id=f.thread(db, f.user(db)).id,
                                question="cuti besar, wa 0812-3456-7890")
    db.add_all([*entries, kept])
    db.commit()
    command.downgrade(alembic_config(db_url), "0011_revision_titles")  # 0012 changes data, not the schema
    upgrade(db_url)
    db.expire_all()
    assert [entry.query for entry in entries] == list(typed.values())
    assert kept.question == "cuti besar, wa [angka]"


def test_upgrading_renders_posts_saved_with_an_image_again_as_links(db, db_url):
    from alembic import command
    from models.migrate import alembic_config, upgrade
    from tests import factories as f

    thread = f.thread(db, f.user(db), body="Bagan: ![struktur](https://bkn.go.id/bagan.png) lengkap di sini.")
    post = db.get(Post, thread.first_post_id)
    post.body_html = '<p>Bagan: <img src="https://bkn.go.id/bagan.png" alt="struktur"> lengkap di sini.</p>'
    db.commit()
    command.downgrade(alembic_config(db_url), "0013_password_resets")  # 0014 changes data, not the schema
    upgrade(db_url)
    db.expire_all()
    assert "<img" not in post.body_html and "🖼 struktur" in post.body_html


def test_upgrading_counts_again_the_replies_of_threads_holding_a_hidden_reply(db, db_url):
    from alembic import command
    from models import Thread
    from models.migrate import alembic_config, upgrade
    from tests import moderation_factories as mf

    asker, member = mf.user(db), mf.user(db)
    with_hidden = mf.thread(db, asker, "Cara mengajukan cuti besar bagi PNS", 0)
    untouched = mf.thread(db, asker, "Syarat kenaikan pangkat pilihan", 1)
    replies = [mf.reply(db, member, with_hidden, f"Jawaban nomor {n}.", 2 + n) for n in range(3)]
    mf.reply(db, member, untouched, "Lewat SIASN.", 6)
    replies[1].is_hidden = True
    db.flush()
    db.execute(Thread.__table__.update().where(Thread.id == with_hidden.id).values(reply_count=3))  # as stored before
    db.commit()
    command.downgrade(alembic_config(db_url), "0014_images_as_links")  # 0015 changes data, not the schema
    upgrade(db_url)
    db.expire_all()
    assert (with_hidden.reply_count, untouched.reply_count) == (2, 1)


def test_upgrading_attributes_each_deleted_reply_to_the_moderator_the_log_names_or_else_to_its_author(db, db_url):
    from alembic import command
    from forum.post_deletion import delete_post
    from models import Post
    from models.migrate import alembic_config, upgrade
    from tests import moderation_factories as mf

    asker, member, moderator = mf.user(db), mf.user(db), mf.user(db, role="moderator")
    t = mf.thread(db, asker, "Cara mengajukan cuti besar bagi PNS", 0)
    taken_back, removed, kept = (mf.reply(db, member, t, f"Jawaban nomor {n}.", 2 + n) for n in range(3))
    delete_post(db, post=taken_back, actor=member)
    delete_post(db, post=removed, actor=moderator)
    db.commit()
    command.downgrade(alembic_config(db_url), "0015_visible_reply_counts")  # the columns are gone
    upgrade(db_url)
    db.expire_all()
    stored = {p.id: (p.deleted_by_id, p.deleted_at is not None) for p in db.query(Post)}
    assert stored[taken_back.id] == (member.id, False)  # the author's own deletions were never logged
    assert stored[removed.id] == (moderator.id, True)
    assert stored[kept.id] == (None, False)


def test_every_migration_steps_down_to_the_first_and_back_up_over_a_forum_holding_data(db, db_url):
    # On SQLite, batch mode rebuilds tables that other rows point at (posts): it needs foreign keys off while it runs.
    from alembic import command
    from forum import posts
    from forum.post_deletion import delete_post
    from models import Post
    from models.migrate import alembic_config, upgrade
    from tests import moderation_factories as mf

    asker, member = mf.user(db), mf.user(db)
    t = mf.thread(db, asker, "Cara mengajukan cuti besar bagi PNS", 0)
    reply = posts.reply(db, author=member, thread=t, body_md="Ajukan lewat SIASN dengan surat atasan.")
    delete_post(db, post=reply, actor=member)
    db.commit()
    command.downgrade(alembic_config(db_url), "0001_core")
    upgrade(db_url)
    db.expire_all()
    assert [(p.id, p.is_deleted, p.deleted_by_id) for p in db.query(Post).order_by(Post.id)] == \
        [(t.first_post_id, False, None), (reply.id, True, member.id)]
