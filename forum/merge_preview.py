"""What a merge would do, shown to the moderator before they confirm it."""
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forum.errors import ForumError
from forum.merging import check_mergeable, choose_accepted
from forum.permissions import check_moderator
from models import DuplicateLink, Post, Thread, Topic, User

TIMELINE_LIMIT = 40


@dataclass
class MergePreview:
    source: Thread
    target: Thread
    source_posts: int
    target_posts: int
    topics: list[Topic]
    accepted: dict  # "source" / "target" -> Post (only the ones that exist)
    need_accepted_choice: bool
    timeline: list[tuple[Post, bool]] = field(default_factory=list)  # (post, came from source), by date
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def can_merge(self) -> bool:
        return not self.problems


def preview_merge(session: Session, *, source: Thread, target: Thread, actor: User | None,
                  accepted_choice: object = None) -> MergePreview:
    """The merged thread as it would look: post counts, topic union, accepted answers, first posts by date."""
    actor = check_moderator(actor, source)
    check_moderator(actor, target)
    problems: list[str] = []
    try:
        check_mergeable(source, target)
    except ForumError as exc:
        problems.append(exc.message)
    accepted = {key: session.get(Post, t.accepted_post_id)
                for key, t in (("source", source), ("target", target)) if t.accepted_post_id}
    need_choice = len(accepted) == 2
    if need_choice and accepted_choice is not None:
        try:
            choose_accepted(source, target, accepted_choice)
        except ForumError as exc:
            problems.append(exc.message)
    counts = dict(session.execute(select(Post.thread_id, func.count()).where(Post.thread_id.in_([source.id, target.id]))
                                  .group_by(Post.thread_id)).all())
    timeline = list(session.scalars(select(Post).where(Post.thread_id.in_([source.id, target.id]))
                                    .order_by(Post.created_at, Post.id).limit(TIMELINE_LIMIT)))
    warnings = []
    if source.agency_id != target.agency_id:
        warnings.append(f"Instansi berbeda: “{source.agency.name}” dan “{target.agency.name}”. "
                        "Jika jawabannya khusus per instansi, pertimbangkan “Varian”.")
    if source.created_at < target.created_at:
        warnings.append("Diskusi sumber lebih lama daripada diskusi tujuan. Biasanya pertanyaan yang lebih baru yang "
                        "digabungkan ke yang lebih lama: pilih “Jadikan ini diskusi utama” bila diskusi lama itu yang "
                        "seharusnya tetap.")
    if target.is_hidden:
        warnings.append("Diskusi tujuan disembunyikan; tulisan yang digabungkan ikut tersembunyi.")
    if target.is_locked:
        warnings.append("Diskusi tujuan dikunci; tulisan yang digabungkan ikut terkunci.")
    if source.is_pinned or source.is_locked:
        lost = " dan ".join(w for w, on in (("sematan", source.is_pinned), ("kunci", source.is_locked)) if on)
        warnings.append(f"Diskusi sumber punya {lost}; setelah digabung yang berlaku hanya status diskusi tujuan.")
    decided = session.scalar(select(DuplicateLink).where(
        DuplicateLink.status.in_(("not_duplicate", "variant")),
        ((DuplicateLink.thread_id == source.id) & (DuplicateLink.other_thread_id == target.id))
        | ((DuplicateLink.thread_id == target.id) & (DuplicateLink.other_thread_id == source.id))).limit(1))
    if decided is not None:
        said = "bukan duplikat" if decided.status == "not_duplicate" else "varian (pertanyaan berbeda per instansi)"
        warnings.append(f"Pasangan ini sebelumnya diputuskan “{said}”. Menggabungkannya mengubah keputusan itu.")
    return MergePreview(source=source, target=target, source_posts=counts.get(source.id, 0),
                        target_posts=counts.get(target.id, 0),
                        topics=list(dict.fromkeys([*target.topics, *source.topics])), accepted=accepted,
                        need_accepted_choice=need_choice,
                        timeline=[(p, p.thread_id == source.id) for p in timeline], problems=problems,
                        warnings=warnings)
