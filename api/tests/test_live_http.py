"""The API over real HTTP against a running server (R-D2, R-C4): a site's backend and pages."""

import json
import urllib.error
import urllib.request

from api import errors
from api.services import api_secret_regenerate
from contacts.models import Customer
from tests.factories import ChannelFactory


def call(url: str, method: str, headers: dict, body: dict | None = None):
    """(status, JSON answer or None) of one HTTP request."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read()
            return response.status, json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_R_D2_a_sites_backend_and_pages_over_http(live_server, transactional_db):
    channel = ChannelFactory(slug="acme")
    keys, secret = api_secret_regenerate(channel=channel)
    api = f"{live_server.url}/api/v1"
    backend = {"X-Access-Key": keys.access_key, "X-Access-Secret": secret}
    pages = {"X-Plugin-Key": keys.plugin_key}

    profile = {"name": "Kim", "unsubscribeEmail": False, "unsubscribeTexting": False}
    status, member = call(f"{api}/members/M1", "PUT", backend, {"profile": profile})
    assert (status, member["memberId"], member["name"]) == (201, "M1", "Kim")
    status, again = call(f"{api}/members/M1", "PUT", backend, {"profile": {"name": "Kim M"}})
    assert (status, again["id"], again["name"]) == (200, member["id"], "Kim M")

    status, booted = call(f"{api}/boot", "POST", pages, {"veilId": "v1", "memberId": "M1"})
    assert status == 200
    expected = {"customerId": member["id"], "type": "member", "blocked": False, "hidden": False}
    assert booted == expected

    status, read = call(f"{api}/customers/{member['id']}", "GET", backend)
    assert (status, read["lastSeenAt"] is not None) == (200, True)

    status, refused = call(f"{api}/members/M1", "GET", {**backend, "X-Access-Secret": "nope"})
    assert (status, refused["code"]) == (401, errors.UNAUTHORIZED)

    assert call(f"{api}/members/M1", "DELETE", backend) == (204, None)
    assert not Customer.objects.filter(channel=channel).exists()
    status, missing = call(f"{api}/members/M1", "GET", backend)
    assert (status, missing["code"]) == (404, errors.NOT_FOUND)
