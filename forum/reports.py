"""Members flag posts; moderators hide the post or dismiss the report."""
from sqlalchemy import select
from sqlalchemy.orm import Session

from forum.errors import NotFound, PermissionDenied, ValidationFailed
from forum.indexing import index_post, unindex_post
from forum.moderation import clean_reason
from forum.moderation_log import last_post_entry, log_action
from forum.permissions import can_moderate, check_logged_in, check_moderator
from forum.read_model import valid_id
from forum.reply_counts import recount_replies
from forum.text import clean_line
from models import Post, Report, Thread, User, utcnow

STATUSES = {"open": "Terbuka", "hidden": "Tulisan disembunyikan", "dismissed": "Diabaikan"}


def report_post(session: Session, *, reporter: User | None, post: Post, reason: object) -> Report:
    """Flag a post for moderators; one open report per member and post."""
    reporter = check_logged_in(reporter)
    text = clean_line(reason, "Alasan laporan", "reason", 5, 500)
    if post.author_id == reporter.id:
        raise ValidationFailed("Anda tidak dapat melaporkan tulisan Anda sendiri.", field="reason")
    if post.is_deleted:
        raise ValidationFailed("Tulisan ini sudah dihapus.", field="reason")
    if post.is_hidden:
        raise ValidationFailed("Tulisan ini sudah ditangani moderator.", field="reason")
    existing = session.scalar(select(Report).where(Report.post_id == post.id, Report.reporter_id == reporter.id,
                                                   Report.status == "open"))
    if existing is not None:
        raise ValidationFailed("Anda sudah melaporkan tulisan ini; moderator akan meninjaunya.", field="reason")
    report = Report(post_id=post.id, reporter_id=reporter.id, reason=text)
    session.add(report)
    session.flush()
    return report


def get_report(session: Session, report_id: object, actor: User | None) -> Report:
    """A report the moderator may handle (NotFound otherwise, after the moderator check)."""
    check_moderator(actor)
    report = session.get(Report, report_id) if valid_id(report_id) else None
    if report is None:
        raise NotFound("Laporan tidak ditemukan.")
    check_moderator(actor, session.get(Thread, report.post.thread_id))
    return report


def list_reports(session: Session, actor: User | None, status: str = "open", limit: int = 100) -> list[Report]:
    """Reports in the moderator's scope, oldest open first."""
    actor = check_moderator(actor)
    if status not in STATUSES:
        raise ValidationFailed("Status laporan tidak dikenal.", field="status")
    order = Report.id.asc() if status == "open" else Report.id.desc()
    rows = session.scalars(select(Report).where(Report.status == status).order_by(order).limit(limit * 3))
    return [r for r in rows if can_moderate(actor, session.get(Thread, r.post.thread_id))][:limit]


def _resolve(session: Session, report: Report, actor: User, status: str) -> None:
    now = utcnow()
    for other in session.scalars(select(Report).where(Report.post_id == report.post_id, Report.status == "open")):
        other.status, other.resolved_by_id, other.resolved_at = status, actor.id, now


def hide_reported_post(session: Session, *, report: Report, actor: User | None, reason: object = "") -> Post:
    """Hide the reported post from members and search; every open report on it is closed."""
    post = report.post
    thread = session.get(Thread, post.thread_id)
    actor = check_moderator(actor, thread)
    if report.status != "open":
        # A second click, or a report dismissed meanwhile: deciding it again would log a second "hide" entry,
        # without the accepted-answer mark that unhiding reads.
        raise ValidationFailed("Laporan ini sudah ditangani.")
    reason = clean_reason(reason) or report.reason
    details = {"report_id": report.id}
    if not post.is_hidden:
        post.is_hidden = True
        thread.version += 1
        recount_replies(session, thread)
        unindex_post(session, post)
        if thread.accepted_post_id == post.id:
            # A hidden answer answers nobody: the thread is unanswered again (badge, filters, the asker's
            # "similar thread now answered" notices), as when an accepted answer is deleted on Stack Overflow.
            thread.accepted_post_id = None
            details["was_accepted"] = True
    _resolve(session, report, actor, "hidden")
    log_action(session, actor, "hide_post", thread=thread, post=post, reason=reason, details=details)
    session.flush()
    return post


def post_to_moderate(session: Session, post_id: object, actor: User | None) -> Post:
    """A post (hidden or not) a moderator may act on: NotFound if there is none, PermissionDenied outside their scope."""
    post = session.get(Post, post_id) if valid_id(post_id) else None
    if post is None:
        raise NotFound("Tulisan tidak ditemukan.")
    check_moderator(actor, session.get(Thread, post.thread_id))
    return post


def unhide_post(session: Session, *, post: Post, actor: User | None, reason: object = "") -> Post:
    """Show a hidden post again (and put it back in search); an answer accepted when it was hidden is again,
    unless the asker has accepted another one meanwhile."""
    thread = session.get(Thread, post.thread_id)
    actor = check_moderator(actor, thread)
    if post.is_hidden:
        post.is_hidden = False
        thread.version += 1
        recount_replies(session, thread)
        if not thread.is_hidden:
            index_post(session, post, thread)
        if thread.accepted_post_id is None and not post.is_deleted and _was_accepted_when_hidden(session, post):
            thread.accepted_post_id = post.id
        log_action(session, actor, "unhide_post", thread=thread, post=post, reason=clean_reason(reason))
        session.flush()
    return post


def _was_accepted_when_hidden(session: Session, post: Post) -> bool:
    last = last_post_entry(session, post.id, "hide_post")
    return last is not None and bool((last.details or {}).get("was_accepted"))


def dismiss_report(session: Session, *, report: Report, actor: User | None, reason: object = "") -> Report:
    """Close the report without touching the post."""
    thread = session.get(Thread, report.post.thread_id)
    actor = check_moderator(actor, thread)
    if report.status != "open":
        raise ValidationFailed("Laporan ini sudah ditangani.")
    if report.post.author_id == actor.id and actor.role != "admin":
        raise PermissionDenied("Laporan tentang tulisan Anda sendiri diputuskan moderator lain.")
    report.status, report.resolved_by_id, report.resolved_at = "dismissed", actor.id, utcnow()
    log_action(session, actor, "dismiss_report", thread=thread, post=report.post, reason=clean_reason(reason),
               details={"report_id": report.id, "report_reason": report.reason})
    session.flush()
    return report


def reopen_report(session: Session, *, report: Report, actor: User | None, reason: object = "") -> Report:
    """Take back a dismissal: the report waits in the moderators' list again (idempotent). A hidden post is
    taken back with "Tampilkan lagi" instead."""
    thread = session.get(Thread, report.post.thread_id)
    actor = check_moderator(actor, thread)
    if report.status == "open":
        return report
    if report.status != "dismissed":
        raise ValidationFailed("Hanya laporan yang diabaikan yang dapat dibuka lagi; tulisan yang disembunyikan "
                               "ditampilkan lagi dengan “Tampilkan lagi”.")
    report.status, report.resolved_by_id, report.resolved_at = "open", None, None
    log_action(session, actor, "reopen_report", thread=thread, post=report.post, reason=clean_reason(reason),
               details={"report_id": report.id})
    session.flush()
    return report
