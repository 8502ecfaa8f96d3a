"""Admins appoint moderators (optionally limited to agencies or topics) and change roles."""
from sqlalchemy import select
from sqlalchemy.orm import Session

from forum.catalog import resolve_agency
from forum.errors import ValidationFailed
from forum.moderation import clean_reason, resolve_topic_list
from forum.moderation_log import log_action
from forum.permissions import check_admin
from models import ModeratorScope, User
from models.accounts import ROLES

ROLE_NAMES = {"member": "Anggota", "moderator": "Moderator", "admin": "Admin"}


def list_staff(session: Session, actor: User | None) -> list[User]:
    """Moderators and admins, with their scopes."""
    check_admin(actor)
    return list(session.scalars(select(User).where(User.role.in_(("moderator", "admin"))).order_by(User.username)))


def set_role(session: Session, *, actor: User | None, user: User, role: object, agencies: object = (),
             topics: object = (), reason: object = "") -> User:
    """Give `user` a role; a moderator's scopes (agency slugs, topic slugs) limit what they moderate (none = all)."""
    actor = check_admin(actor)
    if role not in ROLES:
        raise ValidationFailed("Peran tidak dikenal. Pilih anggota, moderator, atau admin.", field="role")
    if user.id == actor.id:
        raise ValidationFailed("Anda tidak dapat mengubah peran Anda sendiri.", field="username")
    reason = clean_reason(reason)
    agency_rows = [resolve_agency(session, slug, "agencies") for slug in dict.fromkeys(agencies or ())]
    topic_rows = resolve_topic_list(session, list(topics)) if topics else []
    if role != "moderator" and (agency_rows or topic_rows):
        raise ValidationFailed("Batasan instansi/topik hanya berlaku untuk moderator.", field="role")
    before = {"role": user.role, "agencies": sorted(s.agency.slug for s in user.scopes if s.agency),
              "topics": sorted(s.topic.slug for s in user.scopes if s.topic)}
    user.role = role
    user.scopes = [ModeratorScope(agency_id=a.id) for a in agency_rows] + [ModeratorScope(topic_id=t.id)
                                                                           for t in topic_rows]
    session.flush()
    after = {"role": role, "agencies": sorted(a.slug for a in agency_rows), "topics": sorted(t.slug for t in topic_rows)}
    log_action(session, actor, "set_role", reason=reason,
               details={"username": user.username, "from": before, "to": after})
    session.flush()
    return user
