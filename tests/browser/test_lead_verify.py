"""A manager verifies a lead's email on its profile page (R-C3), in a real browser."""

from playwright.sync_api import expect

from contacts import views
from contacts.models import Customer, PendingUnification
from tests.factories import CustomerFactory


def test_verify_a_leads_email_on_its_profile_R_C3(log_in, channel, editor, shoot):
    lead = CustomerFactory(
        channel=channel, name="Chat Kim", email="kim@example.com", email_verified=False,
        has_booted=True,
    )  # fmt: skip
    member = CustomerFactory(
        channel=channel, member_id="M1", name="Kim Minsu", email="kim@example.com"
    )
    page = log_in(editor)
    page.get_by_role("link", name="Chat Kim").click()
    keys = page.locator("#builtin-keys")
    expect(keys).to_contain_text("unverified")
    shoot("unverified")
    page.get_by_role("button", name="Verify email").click()
    expect(page.get_by_role("status")).to_have_text(
        views.VERIFIED_PENDING.format(key="Email", member="Kim Minsu")
    )
    expect(keys).not_to_contain_text("unverified")
    expect(keys.get_by_role("button", name="Verify email")).to_have_count(0)
    expect(page.locator("#pending-unification")).to_contain_text("Kim Minsu")
    shoot("verified")
    assert Customer.objects.get(pk=lead.pk).email_verified
    assert PendingUnification.objects.filter(lead=lead, member=member).exists()
