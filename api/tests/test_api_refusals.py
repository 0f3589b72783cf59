"""What every API call may be refused with (R-D2): 401, 413, 429 and 400 for a bad body."""

from types import SimpleNamespace

from api import auth, errors
from api.services import api_keys_ensure, api_secret_regenerate
from contacts.models import Customer
from tests.factories import ChannelFactory, CustomerFactory


def test_missing_or_wrong_access_key_or_secret_answers_401(site, channel):
    CustomerFactory(channel=channel, member_id="M1")
    refused = {"code": errors.UNAUTHORIZED, "message": errors.ACCESS_REFUSED}
    response = site.client.get("/api/v1/members/M1")
    assert (response.status_code, response.json()) == (401, refused)
    response = site.call("get", "/members/M1", secret="sk_wrong")
    assert (response.status_code, response.json()) == (401, refused)
    site.keys.access = "ak_unknown"
    assert site.call("get", "/members/M1").status_code == 401


def test_a_channel_without_a_secret_refuses_every_customer_call(site, channel):
    other = ChannelFactory()
    keys = api_keys_ensure(channel=other)
    site.keys.access = keys.access_key
    assert site.call("get", "/customers/1", secret=" ").status_code == 401


def test_a_regenerated_secret_stops_the_old_one_at_once(site, channel):
    CustomerFactory(channel=channel, member_id="M1")
    old = site.keys.secret
    _, new = api_secret_regenerate(channel=channel)
    assert site.call("get", "/members/M1", secret=old).status_code == 401
    assert site.call("get", "/members/M1", secret=new).status_code == 200


def test_a_body_over_64_kb_answers_413_before_it_is_read(site, channel):
    body = '{"profile": {"name": "' + "x" * (64 * 1024) + '"}}'
    response = site.call("put", "/members/M1", body)
    assert response.status_code == 413
    assert response.json() == {
        "code": errors.BODY_TOO_LARGE,
        "message": errors.BODY_TOO_LARGE_MESSAGE.format(limit=64 * 1024),
    }
    assert not Customer.objects.exists()


def test_a_key_past_its_rate_limit_answers_429_with_retry_after(
    site, channel, settings, monkeypatch
):
    # Every call in one window: 1,000,000 s is 40 s into a 60 s window.
    monkeypatch.setattr(auth, "time", SimpleNamespace(time=lambda: 1_000_000.0))
    settings.API_ACCESS_KEY_RATE_LIMIT = 2
    settings.API_PLUGIN_KEY_RATE_LIMIT = 1
    CustomerFactory(channel=channel, member_id="M1")
    assert [site.call("get", "/members/M1").status_code for _ in range(2)] == [200, 200]
    response = site.call("get", "/members/M1")
    assert response.status_code == 429
    assert response.json() == {
        "code": errors.RATE_LIMITED,
        "message": errors.RATE_LIMITED_MESSAGE.format(limit=2, window=60),
    }
    assert response["Retry-After"] == "20"
    # Wrong secrets count against the key too: guessing is throttled.
    assert site.call("get", "/members/M1", secret="sk_guess").status_code == 429
    assert site.boot("veil-1").status_code == 200
    assert site.boot("veil-2").status_code == 429
    assert Customer.objects.filter(veil_id="veil-2").count() == 0


def test_a_body_that_is_not_json_or_not_the_schema_answers_400(site, channel):
    response = site.call("put", "/members/M1", "{not json")
    assert (response.status_code, response.json()["code"]) == (400, errors.BAD_REQUEST)
    response = site.call("put", "/members/M1", {"name": "Kim"})
    assert (response.status_code, response.json()["code"]) == (400, errors.BAD_REQUEST)
    assert "profile" in response.json()["message"]
