"""The JSON API for member reports and hidden posts: report, list, decide, show again."""
from dataclasses import dataclass
from typing import Any

from litestar import get, post
from litestar.datastructures import State
from sqlalchemy.orm import Session

from forum import posts, reports
from forum.errors import NotFound
from forum.permissions import check_logged_in, check_moderator
from models import User
from web.api.moderation import Reason
from web.ratelimit import limit_writes


@dataclass
class ReportBody:
    reason: str


def report_json(r) -> dict:
    return {"id": r.id, "post_id": r.post_id, "reporter": r.reporter.username, "reason": r.reason,
            "status": r.status, "created_at": r.created_at.isoformat() + "Z"}


@post("/posts/{post_id:int}/report", summary="Laporkan tulisan", status_code=201)
async def report_create(db: Session, viewer: User | None, state: State, post_id: int, data: ReportBody) -> dict[str, Any]:
    viewer = check_logged_in(viewer)
    item = posts.get_post(db, post_id, viewer)
    state.limiter.hit(db, f"report:{viewer.id}", 10, 3600, "Terlalu banyak laporan. Coba lagi nanti.")
    return report_json(reports.report_post(db, reporter=viewer, post=item, reason=data.reason))


@get("/moderation/reports", summary="Laporan anggota")
async def report_list(db: Session, viewer: User | None, status: str = "open") -> list[dict[str, Any]]:
    viewer = check_moderator(viewer)
    return [report_json(r) for r in reports.list_reports(db, viewer, status)]


@post("/moderation/reports/{report_id:int}/{decision:str}", summary="Sembunyikan tulisan / abaikan / buka lagi laporan",
      status_code=200)
async def report_decide(db: Session, viewer: User | None, state: State, report_id: int, decision: str,
                        data: Reason | None = None) -> dict[str, Any]:
    """decision: hide, dismiss, or reopen (a dismissed report)."""
    data = data or Reason()  # every field is optional: an empty body is a valid request
    viewer = check_moderator(viewer)
    if decision not in ("hide", "dismiss", "reopen"):
        raise NotFound("Tindakan tidak dikenal.")
    report = reports.get_report(db, report_id, viewer)
    limit_writes(db, state, viewer)
    if decision == "hide":
        reports.hide_reported_post(db, report=report, actor=viewer, reason=data.reason)
    elif decision == "reopen":
        reports.reopen_report(db, report=report, actor=viewer, reason=data.reason)
    else:
        reports.dismiss_report(db, report=report, actor=viewer, reason=data.reason)
    return report_json(report)


@post("/moderation/posts/{post_id:int}/unhide", summary="Tampilkan kembali tulisan yang disembunyikan", status_code=200)
async def post_unhide(db: Session, viewer: User | None, state: State, post_id: int,
                      data: Reason | None = None) -> dict[str, Any]:
    """The web's "Tampilkan lagi": the post returns to members and search (an answer accepted when it was hidden is
    again, unless the asker chose another meanwhile)."""
    data = data or Reason()
    viewer = check_moderator(viewer)
    item = reports.post_to_moderate(db, post_id, viewer)
    limit_writes(db, state, viewer)
    reports.unhide_post(db, post=item, actor=viewer, reason=data.reason)
    return {"id": item.id, "thread_id": item.thread_id, "is_hidden": item.is_hidden}



handlers = [report_create, report_list, report_decide, post_unhide]
