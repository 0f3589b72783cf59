"""Profile keys: built-in keys (R-C5) and the channel's typed keys (R-T1)."""

import pytest
from django.urls import reverse

from activitylog.models import Entry
from contacts import profile_types, services
from contacts.models import ProfileKey
from tests.factories import ChannelFactory, CustomerFactory

LIST = reverse("contacts:keys", args=["acme"])
ADD = reverse("contacts:key_add", args=["acme"])


def edit_url(key):
    return reverse("contacts:key_edit", args=["acme", key.pk])


def test_anonymous_is_sent_to_login(client, channel):
    for url in (LIST, ADD):
        assert client.get(url)["Location"].startswith(reverse("login"))


def test_another_channels_manager_gets_404(client, channel, outsider):
    key = ProfileKey.objects.create(channel=channel, name="points", label="P", type="number")
    client.force_login(outsider)
    for url in (LIST, ADD, edit_url(key)):
        assert client.get(url).status_code == 404


def test_the_list_shows_built_in_and_custom_keys_R_C5(client, channel, viewer):
    """R-C5: system keys are marked not editable."""
    ProfileKey.objects.create(channel=channel, name="points", label="Points", type="number")
    ProfileKey.objects.create(channel=ChannelFactory(), name="secret", label="S", type="string")
    client.force_login(viewer)
    response = client.get(LIST)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<code>lastSeenAt</code>" in html and "not editable" in html
    assert "<code>points</code>" in html and "secret" not in html
    assert ADD not in html


def test_manager_without_edit_permission_gets_403(client, channel, viewer, deleter):
    key = ProfileKey.objects.create(channel=channel, name="points", label="P", type="number")
    for user in (viewer, deleter):
        client.force_login(user)
        assert client.get(ADD).status_code == 403
        assert client.post(ADD, {"name": "x", "type": "string"}).status_code == 403
        assert client.post(edit_url(key), {"label": "Q", "type": "string"}).status_code == 403
    assert ProfileKey.objects.count() == 1


def test_add_a_key(client, channel, editor):
    client.force_login(editor)
    response = client.post(ADD, {"name": "visitCount", "label": "Visits", "type": "number"})
    assert response.status_code == 302
    key = ProfileKey.objects.get()
    assert (key.name, key.label, key.type, key.created_by) == (
        "visitCount",
        "Visits",
        "number",
        editor,
    )
    entry = Entry.objects.get(category=Entry.Category.PROFILE_KEY)
    assert entry.details == {"name": "visitCount", "type": "number"}


def test_every_type_is_offered(client, channel, editor):
    client.force_login(editor)
    choices = [value for value, _ in client.get(ADD).context["form"].fields["type"].choices]
    assert tuple(choices) == profile_types.TYPES


@pytest.mark.parametrize("name", ["1st", "has space", "dash-ed", "é", "x" * 65, "_lead"])
def test_bad_names_are_refused(client, channel, editor, name):
    client.force_login(editor)
    response = client.post(ADD, {"name": name, "type": "string"})
    assert response.status_code == 200
    errors = response.context["form"].errors["name"]
    assert errors == [profile_types.REASON_KEY_NAME] or "at most 64" in errors[0]
    assert not ProfileKey.objects.exists()


@pytest.mark.parametrize("name", ["email", "Email", "MEMBERID", "lastSeenAt", "userimporttag"])
def test_built_in_names_are_refused_R_C5(client, channel, editor, name):
    """R-C5: a custom key never shadows a built-in key."""
    client.force_login(editor)
    response = client.post(ADD, {"name": name, "type": "string"})
    assert response.context["form"].errors["name"] == [services.KEY_NAME_BUILTIN]


def test_duplicate_names_are_refused_ignoring_case(client, channel, editor):
    ProfileKey.objects.create(channel=channel, name="points", label="P", type="number")
    ProfileKey.objects.create(channel=ChannelFactory(), name="level", label="L", type="number")
    client.force_login(editor)
    response = client.post(ADD, {"name": "Points", "type": "string"})
    assert response.context["form"].errors["name"] == [services.KEY_NAME_TAKEN]
    assert client.post(ADD, {"name": "level", "type": "string"}).status_code == 302


def test_edit_label_and_type_while_no_customer_holds_a_value(client, channel, editor):
    key = ProfileKey.objects.create(channel=channel, name="points", label="P", type="number")
    CustomerFactory(channel=channel, profile={"other": 1})
    client.force_login(editor)
    response = client.post(edit_url(key), {"label": "Points", "type": "string"})
    assert response.status_code == 302
    key.refresh_from_db()
    assert (key.label, key.type) == ("Points", "string")
    assert Entry.objects.get(category=Entry.Category.PROFILE_KEY).details["previousType"] == (
        "number"
    )


def test_type_change_is_refused_once_values_exist(client, channel, editor):
    """R-T1: a key's type cannot change under the values it holds."""
    key = ProfileKey.objects.create(channel=channel, name="points", label="P", type="number")
    CustomerFactory(channel=channel, profile={"points": 3})
    client.force_login(editor)
    assert client.get(edit_url(key)).context["has_values"] is True
    response = client.post(edit_url(key), {"label": "P", "type": "string"})
    assert response.context["form"].errors["type"] == [services.KEY_TYPE_LOCKED]
    assert client.post(edit_url(key), {"label": "Points", "type": "number"}).status_code == 302
    key.refresh_from_db()
    assert (key.label, key.type) == ("Points", "number")


def test_values_in_another_channel_do_not_lock_the_type(client, channel, editor):
    key = ProfileKey.objects.create(channel=channel, name="points", label="P", type="number")
    CustomerFactory(channel=ChannelFactory(), profile={"points": 3})
    client.force_login(editor)
    assert client.post(edit_url(key), {"label": "P", "type": "string"}).status_code == 302


def test_another_channels_key_is_404(client, channel, editor):
    key = ProfileKey.objects.create(channel=ChannelFactory(), name="p", label="P", type="number")
    client.force_login(editor)
    assert client.get(edit_url(key)).status_code == 404
