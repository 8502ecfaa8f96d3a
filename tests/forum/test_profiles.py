"""A member's own profile through the domain verb: name, bio and home agency."""
import pytest

from forum import profiles
from forum.errors import NotAuthenticated, ValidationFailed
from tests import factories as f
from tests.web.helpers import fast_hashing  # noqa: F401

pytestmark = pytest.mark.usefixtures("fast_hashing")


def test_a_member_who_moves_agency_changes_it_and_their_earlier_threads_keep_their_tag(db):
    f.agency(db, "pemkot-bandung", "Pemerintah Kota Bandung", "kabupaten-kota")
    member = f.user(db, agency_slug="bkn")
    asked = f.thread(db, member, agency_slug="bkn")
    profiles.update_profile(db, member, display_name="  Rina   Wulandari ", bio="Analis SDM aparatur.",
                            agency="pemkot-bandung")
    assert (member.display_name, member.bio, member.agency.slug) == ("Rina Wulandari", "Analis SDM aparatur.",
                                                                     "pemkot-bandung")
    assert asked.agency.slug == "bkn"
    profiles.update_profile(db, member, display_name="Rina Wulandari", bio="   ", agency="pemkot-bandung")
    assert member.bio == ""
    profiles.update_profile(db, member, display_name="Rina Wulandari", agency="pemkot-bandung",
                            bio="Analis SDM  aparatur.\r\n\r\n\r\nMenangani kenaikan pangkat.")
    assert member.bio == "Analis SDM aparatur.\n\nMenangani kenaikan pangkat."  # paragraphs kept, spaces tidied


def test_every_invalid_field_is_reported_at_once_and_nothing_changes(db):
    member = f.user(db)
    before = (member.display_name, member.bio, member.agency_id)
    with pytest.raises(ValidationFailed) as refused:
        profiles.update_profile(db, member, display_name="R", bio="x" * 501, agency="badan-rahasia")
    assert set(refused.value.fields) == {"display_name", "bio", "agency"}
    assert "Instansi tidak dikenal" in refused.value.fields["agency"]
    assert (member.display_name, member.bio, member.agency_id) == before
    with pytest.raises(NotAuthenticated):
        profiles.update_profile(db, None, display_name="Rina", bio="", agency="bkn")
