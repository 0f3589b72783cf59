"""Support staff's admin: every page opens, and it reads rather than writes."""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from activitylog.services import activity_record
from config.admin_support import EstimatedCountPaginator
from contacts.models import Customer, PendingUnification, ProfileKey
from imports.models import Import, ImportConflict, ImportFailure
from tests.factories import ConversationFactory, CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    user = get_user_model().objects.create_superuser("support@example.com", "s@example.com", "x")
    client.force_login(user)
    return client


@pytest.fixture
def objects(channel, owner):
    member = CustomerFactory(channel=channel, member_id="M1", email="kim@example.com")
    lead = CustomerFactory(channel=channel, email="lee@example.com")
    ConversationFactory(customer=lead)
    ProfileKey.objects.create(channel=channel, name="city", label="City", type="string")
    PendingUnification.objects.create(channel=channel, lead=lead, member=member)
    run = Import.objects.create(
        channel=channel, started_by=owner, kind="member", file_name="a.csv", tag="a.csv"
    )
    ImportFailure.objects.create(import_run=run, row_number=2, error_reasons=["bad"])
    ImportConflict.objects.create(
        import_run=run, row_number=3, email_member_id=member.pk, mobile_member_id=lead.pk
    )
    activity_record(
        channel=channel, actor=owner, category="customer_edit", action="Edited", customer=member
    )
    return {"member": member, "lead": lead, "import": run}


def test_every_model_has_a_working_changelist_and_change_page(staff_client, objects):
    for model in admin.site._registry:
        if model._meta.app_label not in {"contacts", "imports", "activitylog"}:
            continue
        app, name = info = (model._meta.app_label, model._meta.model_name)
        changelist = staff_client.get(reverse(f"admin:{app}_{name}_changelist"))
        assert changelist.status_code == 200, info
        obj = model.objects.first()
        change = staff_client.get(reverse(f"admin:{app}_{name}_change", args=[obj.pk]))
        assert change.status_code == 200, info
        search = staff_client.get(reverse(f"admin:{app}_{name}_changelist"), {"q": "1"})
        assert search.status_code == 200, info


def test_customers_are_found_by_exact_contact_and_never_added(staff_client, objects):
    url = reverse("admin:contacts_customer_changelist")

    response = staff_client.get(url, {"q": "kim@example.com"})

    assert list(response.context["cl"].result_list) == [objects["member"]]
    assert staff_client.get(reverse("admin:contacts_customer_add")).status_code == 403
    change = reverse("admin:contacts_customer_change", args=[objects["member"].pk])
    staff_client.post(change, {"name": "Changed"})
    objects["member"].refresh_from_db()
    assert objects["member"].name != "Changed"


def test_import_failures_are_found_by_import_id(staff_client, objects):
    url = reverse("admin:imports_importfailure_changelist")

    found = staff_client.get(url, {"q": str(objects["import"].pk)})
    missing = staff_client.get(url, {"q": str(objects["import"].pk + 1)})

    assert len(found.context["cl"].result_list) == 1
    assert len(missing.context["cl"].result_list) == 0


def test_estimated_paginator_counts_small_results_exactly(channel):
    for _ in range(3):
        CustomerFactory(channel=channel, created_at=timezone.now())

    paginator = EstimatedCountPaginator(Customer.objects.order_by("id"), 2)

    assert paginator.count == 3
    assert paginator.num_pages == 2


def test_estimated_paginator_asks_the_planner_for_big_results_on_postgresql(channel, monkeypatch):
    from django.db import connection

    from config import admin_support

    if connection.vendor != "postgresql":
        pytest.skip("the planner estimate is PostgreSQL's")
    for _ in range(3):
        CustomerFactory(channel=channel)
    monkeypatch.setattr(admin_support, "ESTIMATE_THRESHOLD", -1)
    calls = []
    real = admin_support._planner_rows
    monkeypatch.setattr(admin_support, "_planner_rows", lambda *a: calls.append(a) or real(*a))

    customers = Customer.objects.filter(channel=channel).order_by("id")
    count = EstimatedCountPaginator(customers, 50).count

    assert calls
    assert isinstance(count, int)


def test_support_staff_see_hidden_customers_most_recently_seen_first_R_M2(
    staff_client, channel, other_channel
):
    now = timezone.now()
    never = CustomerFactory(channel=channel, is_hidden=True, last_seen_at=None)
    old = CustomerFactory(channel=channel, is_hidden=True, last_seen_at=now - timedelta(days=2))
    recent = CustomerFactory(channel=channel, is_hidden=True, last_seen_at=now)
    elsewhere = CustomerFactory(channel=other_channel, is_hidden=True, last_seen_at=now)
    CustomerFactory(channel=channel)
    CustomerFactory(channel=channel, is_hidden=True, is_blocked=True)
    url = reverse("admin:contacts_customer_changelist")

    everywhere = staff_client.get(url, {"mu": "hidden"})
    in_channel = staff_client.get(url, {"mu": "hidden", "channel__id__exact": channel.pk})

    assert list(everywhere.context["cl"].result_list) == [elsewhere, recent, old, never]
    assert list(in_channel.context["cl"].result_list) == [recent, old, never]
    channel_page = staff_client.get(reverse("admin:contacts_channel_change", args=[channel.pk]))
    assert f"channel__id__exact={channel.pk}&amp;mu=hidden" in channel_page.content.decode()
    assert "3 customer(s)" in channel_page.content.decode()


def test_R_E1_support_downloads_a_channels_editable_data_from_the_customer_admin(
    staff_client, channel
):
    from imports.tests.export_support import MEMBER_HEADERS, awkward_channel, file_rows

    awkward_channel(channel)
    changelist = staff_client.get(
        reverse("admin:contacts_customer_changelist"), {"channel__id__exact": channel.pk}
    )
    url = reverse("admin:contacts_customer_export")
    assert f'href="{url}?channel={channel.pk}"' in changelist.content.decode()
    assert staff_client.get(url, {"channel": channel.pk}).context["form"]["channel"].value() == str(
        channel.pk
    )

    response = staff_client.get(
        url, {"channel": channel.pk, "kind": "member", "format": "csv", "tag": ""}
    )

    rows = file_rows(b"".join(response.streaming_content))
    assert rows[0] == MEMBER_HEADERS
    # Support sees every customer, hidden and blocked ones too.
    assert [row[0] for row in rows[1:]] == ["M1", "M2", "@home", "-007", "M-hidden", "M-blocked"]


def test_R_E1_the_admin_exports_but_never_imports(client, channel):
    """An import in the admin would bypass the import's rules (R-I1..R-I22)."""
    from django.urls import NoReverseMatch

    with pytest.raises(NoReverseMatch):
        reverse("admin:contacts_customer_import")
    client.force_login(get_user_model().objects.create_user("nobody@example.com", is_staff=True))
    assert client.get(reverse("admin:contacts_customer_export")).status_code == 403
