"""Stopping an import: after the chunk in flight, what was committed stays, the log says so."""

import pytest
from django.urls import reverse

from activitylog.models import Entry
from contacts.models import Customer
from imports import refusals, running, views
from imports.models import Import, Notification
from tests.factories import MembershipFactory, UserFactory


def test_a_running_import_stops_after_the_chunk_in_flight_and_keeps_it(queued, editor):
    def stop_after_first_chunk(done, total):
        if done == 2:
            running.import_stop(imp=queued, by=editor)

    imp = running.import_run(import_id=queued.pk, progress=stop_after_first_chunk)
    assert imp.status == Import.Status.STOPPED
    assert (imp.rows_done, imp.created_count, imp.last_row_number) == (2, 2, 3)
    assert set(Customer.objects.values_list("member_id", flat=True)) == {"M0", "M1"}
    assert Entry.objects.filter(action="Bulk import of six.csv stopped by a manager").exists()
    assert Notification.objects.filter(import_run=imp).count() == 2  # the starter and the owner


def test_a_queued_import_stops_at_once_and_never_runs(queued, owner):
    imp = running.import_stop(imp=queued, by=owner)
    assert imp.status == Import.Status.STOPPED and imp.finished_at is not None
    assert running.import_run(import_id=imp.pk).status == Import.Status.STOPPED
    assert not Customer.objects.exists()


def test_only_the_starter_or_the_owner_may_stop(queued, channel):
    other = UserFactory(email="other@example.com")
    MembershipFactory(channel=channel, user=other, can_edit_customers=True)
    with pytest.raises(refusals.ImportRefused) as refusal:
        running.import_stop(imp=queued, by=other)
    assert refusal.value.message == running.STOP_NOT_ALLOWED
    assert Import.objects.get().stop_requested_at is None


def test_an_ended_import_cannot_be_stopped(queued, editor):
    running.import_run(import_id=queued.pk)
    with pytest.raises(refusals.ImportRefused) as refusal:
        running.import_stop(imp=queued, by=editor)
    assert refusal.value.message == running.IMPORT_NOT_ACTIVE


def test_the_stop_button_is_for_the_starter_and_the_owner(client, queued, channel, owner):
    other = UserFactory(email="other@example.com")
    MembershipFactory(channel=channel, user=other, can_edit_customers=True)
    url = reverse("imports:stop", args=["acme", queued.pk])
    client.force_login(other)
    page = client.get(reverse("imports:detail", args=["acme", queued.pk])).content.decode()
    assert "Stop import" not in page
    assert client.post(url).status_code == 403
    client.force_login(owner)
    response = client.post(url, follow=True)
    assert views.STOPPED_BEFORE_START in response.content.decode()
    assert Import.objects.get().status == Import.Status.STOPPED


def test_the_stop_view_of_another_channel_is_404(client, queued, outsider):
    client.force_login(outsider)
    assert client.post(reverse("imports:stop", args=["acme", queued.pk])).status_code == 404
