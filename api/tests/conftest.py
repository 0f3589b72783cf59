"""A channel's site calling its API through Django's test client."""

import json
from types import SimpleNamespace

import pytest

from api.services import api_secret_regenerate

BASE = "/api/v1"


@pytest.fixture
def keys(channel):
    """The channel's plugin key, access key and a fresh access secret."""
    api_keys, secret = api_secret_regenerate(channel=channel)
    return SimpleNamespace(plugin=api_keys.plugin_key, access=api_keys.access_key, secret=secret)


class Site:
    """The company's site: its pages boot, its backend calls the customer API."""

    def __init__(self, client, keys):
        self.client = client
        self.keys = keys

    def boot(self, veil_id, member_id=None, profile=None, plugin_key=None):
        body = {"veilId": veil_id}
        if member_id is not None:
            body["memberId"] = member_id
        if profile is not None:
            body["profile"] = profile
        return self.client.post(
            f"{BASE}/boot",
            json.dumps(body),
            content_type="application/json",
            headers={"X-Plugin-Key": plugin_key or self.keys.plugin},
        )

    def call(self, method, path, body=None, secret=None):
        headers = {"X-Access-Key": self.keys.access, "X-Access-Secret": secret or self.keys.secret}
        send = getattr(self.client, method)
        if body is None:
            return send(f"{BASE}{path}", headers=headers)
        data = body if isinstance(body, str | bytes) else json.dumps(body)
        return send(f"{BASE}{path}", data, content_type="application/json", headers=headers)

    def put_member(self, member_id, profile, **options):
        return self.call("put", f"/members/{member_id}", {"profile": profile}, **options)


@pytest.fixture
def site(client, keys):
    return Site(client, keys)
