"""Forgotten passwords through the domain verbs: admin-made one-time links."""
from datetime import timedelta

import pytest

from forum import accounts, password_resets
from forum.errors import NotAuthenticated, NotFound, PermissionDenied, ValidationFailed
from models import ModerationLog, UserSession
from tests import factories as f
from tests.web.helpers import fast_hashing  # noqa: F401

pytestmark = pytest.mark.usefixtures("fast_hashing")
NEW = "Kopi-Hujan-Sepeda-27"


def test_a_reset_link_sets_a_new_password_once_and_logs_the_member_out_everywhere(db):
    admin, member = f.user(db, role="admin"), f.user(db, username="rina.lupa")
    accounts.start_session(db, member)
    token, _ = accounts.create_api_token(db, member, "skrip laporan")
    raw, reset = password_resets.issue_password_reset(db, actor=admin, member=member, reason="diminta lewat email dinas")
    assert reset.token_hash != raw and raw not in reset.token_hash  # only the hash is stored
    assert password_resets.reset_password(db, raw, NEW) is member
    assert accounts.authenticate(db, "rina.lupa", NEW) is member
    with pytest.raises(ValidationFailed):
        accounts.authenticate(db, "rina.lupa", f.PASSWORD)
    assert db.query(UserSession).filter_by(user_id=member.id).count() == 0
    assert accounts.user_for_api_token(db, token) is None  # tokens made while the old password was known
    with pytest.raises(NotFound) as spent:
        password_resets.reset_password(db, raw, "Teh-Petir-Kereta-31")
    assert "sudah dipakai" in spent.value.message
    entry = db.query(ModerationLog).filter_by(action="password_reset").one()
    assert entry.details == {"username": "rina.lupa"} and entry.reason == "diminta lewat email dinas"


def test_only_admins_make_links_and_never_for_themselves(db):
    admin, moderator, member = f.user(db, role="admin"), f.user(db, role="moderator"), f.user(db)
    with pytest.raises(NotAuthenticated):
        password_resets.issue_password_reset(db, actor=None, member=member)
    for actor in (member, moderator):
        with pytest.raises(PermissionDenied):
            password_resets.issue_password_reset(db, actor=actor, member=member)
    with pytest.raises(ValidationFailed):
        password_resets.issue_password_reset(db, actor=admin, member=admin)


def test_a_newer_link_voids_the_older_one_and_a_day_old_link_no_longer_works(db):
    admin, member = f.user(db, role="admin"), f.user(db)
    old, _ = password_resets.issue_password_reset(db, actor=admin, member=member)
    new, reset = password_resets.issue_password_reset(db, actor=admin, member=member)
    with pytest.raises(NotFound):
        password_resets.find_password_reset(db, old)
    reset.expires_at = reset.created_at - timedelta(seconds=1)
    with pytest.raises(NotFound):
        password_resets.find_password_reset(db, new)


def test_a_weak_password_is_refused_and_the_link_stays_usable(db):
    admin, member = f.user(db, role="admin"), f.user(db, username="budi.santoso")
    raw, _ = password_resets.issue_password_reset(db, actor=admin, member=member)
    for weak, reason in (("pendek1", "minimal 10"), ("budi.santoso-2025", "terlalu lemah"), ("Indonesia2025", "mudah ditebak")):
        with pytest.raises(ValidationFailed) as refused:
            password_resets.reset_password(db, raw, weak)
        assert reason in refused.value.message
    assert password_resets.reset_password(db, raw, NEW) is member


def test_links_for_a_deactivated_member_or_garbage_tokens_are_refused_in_indonesian(db):
    admin, member = f.user(db, role="admin"), f.user(db)
    raw, _ = password_resets.issue_password_reset(db, actor=admin, member=member)
    member.is_active = False
    for token in (raw, "", None, "x" * 5, "x" * 500, "\x00" * 40):
        with pytest.raises(NotFound) as refused:
            password_resets.find_password_reset(db, token)
        assert "Minta admin membuat tautan baru" in refused.value.message
    with pytest.raises(ValidationFailed):
        password_resets.issue_password_reset(db, actor=admin, member=member)


def test_a_link_stops_working_once_the_member_changes_their_password_themselves(db):
    admin, member = f.user(db, role="admin"), f.user(db)
    raw, _ = password_resets.issue_password_reset(db, actor=admin, member=member)
    accounts.change_password(db, member, current=f.PASSWORD, new=NEW, keep_token=None)
    with pytest.raises(NotFound):
        password_resets.find_password_reset(db, raw)
