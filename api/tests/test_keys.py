"""A channel's API keys (R-D2): the owner's settings page, the operator's command."""

import json
import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from activitylog.models import Entry
from api.management.commands import channel_api_keys
from api.services import api_keys_ensure, api_secret_regenerate, secret_hash
from contacts.models import ChannelApiKeys

SETTINGS = reverse("contacts:settings", args=["acme"])
REGENERATE = reverse("api_keys:regenerate", args=["acme"])


def test_keys_are_made_once_without_a_secret(channel):
    keys = api_keys_ensure(channel=channel)
    assert keys.plugin_key.startswith("pk_") and keys.access_key.startswith("ak_")
    assert not keys.has_secret
    assert api_keys_ensure(channel=channel) == keys
    assert Entry.objects.filter(channel=channel, action="API keys created").count() == 1


def test_the_secret_is_stored_hashed_and_a_new_one_replaces_it(channel, owner):
    keys, first = api_secret_regenerate(channel=channel, by=owner)
    assert keys.secret_hash == secret_hash(first) and first not in keys.secret_hash
    keys, second = api_secret_regenerate(channel=channel, by=owner)
    assert second != first
    assert ChannelApiKeys.objects.get(channel=channel).secret_hash == secret_hash(second)
    actions = list(
        Entry.objects.filter(channel=channel, actor=owner).values_list("action", flat=True)
    )
    assert "API access secret created" in actions and "API access secret regenerated" in actions


def test_the_owner_sees_the_keys_on_the_settings_page(client, channel, owner):
    keys = api_keys_ensure(channel=channel)
    client.force_login(owner)
    page = client.get(SETTINGS).content.decode()
    assert keys.plugin_key in page and keys.access_key in page
    assert "Generate secret" in page


def test_the_owner_regenerates_the_secret_and_sees_it_once(client, channel, owner):
    client.force_login(owner)
    response = client.post(REGENERATE)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    secret = response.context["secret"]
    keys = ChannelApiKeys.objects.get(channel=channel)
    assert keys.secret_hash == secret_hash(secret)
    assert secret in response.content.decode()
    page = client.get(SETTINGS).content.decode()
    assert secret not in page and "Regenerate secret" in page


@pytest.mark.parametrize("who", ["editor", "viewer"])
def test_only_the_owner_regenerates(client, channel, owner, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.post(REGENERATE).status_code == 403
    assert not ChannelApiKeys.objects.exists()


def test_another_channels_owner_gets_404(client, channel, outsider):
    client.force_login(outsider)
    assert client.post(REGENERATE).status_code == 404


def test_regenerate_is_a_post(client, channel, owner):
    client.force_login(owner)
    assert client.get(REGENERATE).status_code == 405


def last_json(capsys) -> dict:
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_command_prints_the_keys_without_the_secret(channel, capsys):
    call_command("channel_api_keys", "acme")
    keys = ChannelApiKeys.objects.get(channel=channel)
    out = last_json(capsys)
    assert out == {"pluginKey": keys.plugin_key, "accessKey": keys.access_key, "accessSecret": None}


def test_command_regenerate_prints_a_new_secret_once(channel, capsys):
    call_command("channel_api_keys", "acme", "--regenerate")
    first = last_json(capsys)["accessSecret"]
    keys = ChannelApiKeys.objects.get(channel=channel)
    assert keys.secret_hash == secret_hash(first)
    call_command("channel_api_keys", "acme")
    assert last_json(capsys)["accessSecret"] is None
    call_command("channel_api_keys", "acme", "--regenerate")
    assert last_json(capsys)["accessSecret"] not in (None, first)


def test_command_refuses_an_unknown_channel(db):
    refusal = channel_api_keys.UNKNOWN_CHANNEL.format(slug="nope")
    with pytest.raises(CommandError, match=re.escape(refusal)):
        call_command("channel_api_keys", "nope")
