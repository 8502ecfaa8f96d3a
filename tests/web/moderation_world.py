"""A small forum with something for every moderation route to act on, and the table of those routes."""
from dataclasses import dataclass, field

from forum import merging, reports
from models import DuplicateLink
from tests import factories as f
from tests import moderation_factories as mf


@dataclass
class Route:
    method: str
    path: str
    scope: str  # "object": needs the thread in scope; "list": any moderator; "admin": admins only
    ok: int  # status for an authorized caller
    body: dict = field(default_factory=dict)

    @property
    def api(self) -> bool:
        return self.path.startswith("/api/")


def build_world(db) -> dict:
    """Users of every kind and threads in the agency 'bkn' (in the scoped moderator's scope)."""
    w = {"author": mf.user(db), "member": mf.user(db), "target_user": mf.user(db),
         "mod_in": mf.user(db, "moderator", scopes=[("bkn", None)]),
         "mod_out": mf.user(db, "moderator", scopes=[("bkd-jatim", None)]), "admin": mf.user(db, "admin")}
    titles = ["Cara mengajukan cuti besar bagi PNS", "Syarat cuti besar untuk pegawai negeri",
              "Prosedur kenaikan pangkat reguler", "Kenaikan pangkat reguler bagaimana caranya",
              "Tunjangan kinerja saat cuti melahirkan", "Apakah tukin dipotong saat cuti melahirkan"]
    for i, title in enumerate(titles * 3):
        w[f"t{i}"] = mf.thread(db, w["author"], f"{title} ({i})", i)
    f.topic(db, "kepegawaian", "Kepegawaian")
    mod = w["admin"]
    for i, (a, b) in enumerate([(1, 0), (3, 2), (5, 4), (7, 6)]):
        link = DuplicateLink(thread_id=w[f"t{a}"].id, other_thread_id=w[f"t{b}"].id, similarity=0.9 - i / 10,
                             judge_score=0.8, reasons={"shared_terms": ["cuti"]})
        db.add(link)
        db.flush()
        w[f"link{i}"] = link
    for i, (s, t) in enumerate([(9, 8), (11, 10), (13, 12)]):
        w[f"merge{i}"] = merging.merge_threads(db, source=w[f"t{s}"], target=w[f"t{t}"], actor=mod)
    for i in range(4):
        reply = mf.reply(db, w["author"], w["t14"], f"Balasan yang dilaporkan nomor {i}", 20 + i)
        w[f"report{i}"] = reports.report_post(db, reporter=w["member"], post=reply, reason="Isinya menyesatkan")
    hidden = mf.reply(db, w["author"], w["t15"], "Balasan tersembunyi", 30)
    hidden.is_hidden = True
    w["hidden_post"] = hidden
    db.commit()
    return w


def routes(w: dict) -> list[Route]:
    """Every moderation route (pages and API), with an argument that works for an authorized caller."""
    t = lambda i: w[f"t{i}"].id  # noqa: E731
    return [
        Route("GET", "/moderasi", "list", 200),
        Route("GET", "/moderasi/laporan", "list", 200),
        Route("GET", "/moderasi/log", "list", 200),
        Route("GET", f"/moderasi/gabung?sumber={t(1)}&tujuan={t(0)}", "object", 200),
        Route("GET", f"/moderasi/diskusi/{t(16)}/pindah", "object", 200),
        Route("POST", f"/moderasi/diskusi/{t(16)}/tindakan", "object", 303, {"aksi": "kunci", "alasan": "uji"}),
        Route("POST", f"/moderasi/diskusi/{t(16)}/pindah", "object", 303,
              {"agency": "bkn", "topics": ["kepegawaian"]}),
        Route("POST", f"/moderasi/duplikat/{w['link0'].id}/bukan-duplikat", "object", 303),
        Route("POST", f"/moderasi/duplikat/{w['link1'].id}/varian", "object", 303),
        Route("POST", f"/moderasi/laporan/{w['report0'].id}/sembunyikan", "object", 303),
        Route("POST", f"/moderasi/laporan/{w['report1'].id}/abaikan", "object", 303),
        Route("POST", f"/moderasi/tulisan/{w['hidden_post'].id}/tampilkan", "object", 303),
        Route("POST", f"/moderasi/gabungan/{w['merge0'].id}/batalkan", "object", 303),
        Route("POST", f"/moderasi/diskusi/{t(10)}/batalkan-gabung", "object", 303, {"sumber": str(t(11))}),
        Route("POST", "/moderasi/gabung", "object", 303, {"sumber": str(t(1)), "tujuan": str(t(0))}),
        Route("GET", "/moderasi/peran", "admin", 200),
        Route("POST", "/moderasi/peran", "admin", 303, {"username": w["target_user"].username, "role": "moderator"}),
        Route("GET", "/api/v1/moderation/duplicates", "list", 200),
        Route("GET", "/api/v1/moderation/reports", "list", 200),
        Route("GET", "/api/v1/moderation/log", "list", 200),
        Route("GET", f"/api/v1/moderation/merges/preview?source={t(3)}&target={t(2)}", "object", 200),
        Route("GET", f"/api/v1/moderation/merges/{w['merge2'].id}", "object", 200),
        Route("POST", f"/api/v1/moderation/threads/{t(17)}/pin", "object", 200, {"reason": "penting"}),
        Route("POST", f"/api/v1/moderation/threads/{t(17)}/move", "object", 200,
              {"agency": "bkn", "topics": ["kepegawaian"]}),
        Route("POST", f"/api/v1/moderation/duplicates/{w['link2'].id}/not-duplicate", "object", 200),
        Route("POST", f"/api/v1/moderation/duplicates/{w['link3'].id}/variant", "object", 200),
        Route("POST", f"/api/v1/moderation/reports/{w['report2'].id}/hide", "object", 200),
        Route("POST", f"/api/v1/moderation/reports/{w['report3'].id}/dismiss", "object", 200),
        Route("POST", f"/api/v1/moderation/merges/{w['merge2'].id}/undo", "object", 200),
        Route("POST", "/api/v1/moderation/merges", "object", 201, {"source": t(3), "target": t(2)}),
        Route("GET", "/api/v1/moderation/moderators", "admin", 200),
        Route("POST", "/api/v1/moderation/roles", "admin", 200,
              {"username": w["target_user"].username, "role": "moderator", "topics": ["kepegawaian"]}),
    ]


def guessed_routes() -> list[Route]:
    """Routes with ids nobody created: a member must still get 403, never a 404 that confirms anything."""
    return [Route("POST", "/moderasi/gabungan/987654/batalkan", "object", 404),
            Route("POST", "/moderasi/laporan/987654/abaikan", "object", 404),
            Route("POST", "/moderasi/duplikat/987654/varian", "object", 404),
            Route("POST", "/moderasi/diskusi/987654/tindakan", "object", 404, {"aksi": "kunci"}),
            Route("GET", "/moderasi/gabung?sumber=987654&tujuan=987653", "object", 404),
            Route("POST", "/api/v1/moderation/merges/987654/undo", "object", 404),
            Route("GET", "/api/v1/moderation/merges/987654", "object", 404),
            Route("POST", "/api/v1/moderation/threads/987654/hide", "object", 404)]


