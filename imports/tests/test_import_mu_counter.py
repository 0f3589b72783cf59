"""An import's chunks move customers in and out of MU by the thousand (R-M1, R-M3, R-U2,
R-U3): the MU counter follows the bulk writes of both writers."""

import pytest
from django.core.files.base import ContentFile

from contacts.models import Customer, PendingUnification
from imports import lifecycle, running
from tests.factories import CustomerFactory
from tests.mu_support import mu_checked

ROWS = 20_000
LIMIT = 15_000


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _import(channel, by, text: str):
    imp = lifecycle.import_upload(
        channel=channel, by=by, file=ContentFile(text.encode(), name="m.csv"), file_name="m.csv"
    )
    lifecycle.import_configure(imp=imp, by=by, kind="member")
    lifecycle.import_start(imp=imp, by=by, enqueue=False)
    return running.import_run(import_id=imp.id)


def _members(name: str, numbers=range(ROWS)) -> str:
    """Members N0, N1…; the 6th shares a verified lead's email, the 8th a booted lead's."""
    emails = {5: "waits-not@example.com", 7: "booted@example.com"}
    lines = ["memberId,name,email,unsubscribeEmail,unsubscribeTexting"]
    lines += [f"N{n},{name} {n},{emails.get(n, '')},false,false" for n in numbers]
    return "\n".join(lines) + "\n"


def test_R_M1_an_import_of_20000_rows_with_hidden_ones_and_unifications(channel, owner):
    channel.mu_limit = LIMIT
    channel.save()
    CustomerFactory.create_batch(10, channel=channel)
    lead = CustomerFactory(channel=channel, email="waits-not@example.com", has_booted=False)
    booted = CustomerFactory(channel=channel, email="booted@example.com", has_booted=True)
    assert mu_checked(channel) == 12

    imp = _import(channel, owner, _members("Kim"))
    assert (imp.created_count, imp.unified_count, imp.pending_unification_count) == (ROWS, 1, 1)
    # 11 stay of the 12 (the unified lead goes), the new members fill the room left (R-M3).
    assert imp.created_hidden_count == ROWS - (LIMIT - 11)
    assert not Customer.objects.filter(pk=lead.pk).exists()
    assert PendingUnification.objects.filter(lead=booted).exists()
    assert mu_checked(channel) == LIMIT

    # Changed members, hidden and visible, written as changes: none moves in or out of MU.
    again = _import(channel, owner, _members("Lee", range(LIMIT - 200, LIMIT + 200)))
    assert again.updated_count == 400
    assert mu_checked(channel) == LIMIT
