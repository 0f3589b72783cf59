import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from activitylog.models import Entry
from contacts import profile_types as pt
from contacts.channels import ALREADY_MANAGER, CHANNEL_SLUG_TAKEN
from contacts.management.commands.demo_setup import DEMO_BLOCKED, DEMO_CUSTOMERS, DEMO_EMAIL
from contacts.models import Channel, Conversation, Customer, Membership, ProfileKey
from tests.factories import ChannelFactory

pytestmark = pytest.mark.django_db


def run(*args, **options) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


# channel_create


def test_channel_create_makes_an_owner_with_every_permission(client):
    output = run(
        "channel_create",
        "shop",
        "--name=Shop",
        "--owner-email=Boss@Example.com",
        "--password=long-enough-pw",
        "--plan=enterprise",
        "--security-package",
        "--mu-limit=1000",
    )

    channel = Channel.objects.get(slug="shop")
    assert (channel.name, channel.plan, channel.has_security_package, channel.mu_limit) == (
        "Shop",
        "enterprise",
        True,
        1000,
    )
    owner = Membership.objects.get(channel=channel)
    assert owner.is_owner and owner.may_edit and owner.may_delete
    assert owner.user.email == "boss@example.com"
    assert "Created channel 'shop'" in output
    assert client.login(username="boss@example.com", password="long-enough-pw")


@pytest.mark.parametrize("password", ["password", "12345678", "short", "boss@example"])
def test_channel_create_refuses_a_weak_password(password):
    with pytest.raises(CommandError) as caught:
        run("channel_create", "shop", "--owner-email=boss@example.com", f"--password={password}")

    assert caught.value.returncode == 1
    assert not Channel.objects.filter(slug="shop").exists()


def test_channel_create_refuses_a_taken_slug_with_exit_1(channel):
    with pytest.raises(CommandError, match=re.escape(CHANNEL_SLUG_TAKEN)) as caught:
        run("channel_create", channel.slug, "--owner-email=new@example.com")

    assert caught.value.returncode == 1
    assert Channel.objects.filter(slug=channel.slug).count() == 1


def test_channel_create_exits_1_from_the_command_line(channel, capsys):
    with pytest.raises(SystemExit) as exited:
        from django.core.management import execute_from_command_line

        execute_from_command_line(
            ["manage.py", "channel_create", channel.slug, "--owner-email=x@example.com"]
        )

    assert exited.value.code == 1
    assert CHANNEL_SLUG_TAKEN in capsys.readouterr().err


def test_channel_create_defaults_to_free_without_limit():
    run("channel_create", "tiny", "--owner-email=tiny@example.com")

    channel = Channel.objects.get(slug="tiny")
    assert (channel.name, channel.plan, channel.has_security_package, channel.mu_limit) == (
        "tiny",
        "free",
        False,
        None,
    )


# manager_add


def test_manager_add_gives_the_permissions_asked_for(channel, owner, client):
    output = run(
        "manager_add", "acme", "helper@example.com", "--can-edit", "--password=long-enough-pw"
    )

    seat = Membership.objects.get(channel=channel, user__email="helper@example.com")
    assert (seat.role, seat.may_edit, seat.may_delete) == ("manager", True, False)
    assert "helper@example.com" in output
    assert client.login(username="helper@example.com", password="long-enough-pw")


def test_manager_add_refuses_a_manager_twice(channel, editor):
    with pytest.raises(CommandError, match=re.escape(ALREADY_MANAGER)):
        run("manager_add", "acme", editor.email)


@pytest.mark.parametrize("password", ["1", "password", "12345678", "helper@example.com"])
def test_manager_add_refuses_a_weak_password(channel, password):
    with pytest.raises(CommandError):
        run("manager_add", "acme", "helper@example.com", f"--password={password}")

    assert not Membership.objects.filter(user__email="helper@example.com").exists()


def test_manager_add_never_gives_an_existing_account_a_weak_password(channel, outsider):
    with pytest.raises(CommandError, match="too common"):
        run("manager_add", "acme", outsider.email, "--password=password")

    outsider.refresh_from_db()
    assert outsider.check_password("pw-for-tests")


def test_manager_add_refuses_an_unknown_channel(db):
    with pytest.raises(CommandError, match="No channel with the slug 'nope'"):
        run("manager_add", "nope", "someone@example.com")


# demo_data


def test_demo_data_adds_the_asked_number_of_realistic_customers(channel):
    output = run("demo_data", "acme", "--customers=400", "--seed=7")

    customers = Customer.objects.filter(channel=channel)
    assert customers.count() == 400
    assert "Added 400 customers" in output
    members = customers.filter(member_id__isnull=False)
    leads = customers.filter(member_id__isnull=True)
    assert 150 < members.count() < 330
    assert leads.count() > 70
    # Every lead is identified by an email or a mobile number (R-C1).
    assert not leads.filter(email__isnull=True, mobile_number__isnull=True).exists()
    mobiles = list(customers.exclude(mobile_number=None).values_list("mobile_number", flat=True))
    landlines = list(
        customers.exclude(landline_number=None).values_list("landline_number", flat=True)
    )
    assert all(m.startswith("+8210") for m in mobiles)
    # Stored phone numbers are valid E.164 (R-T1), so the profile edit form accepts them.
    assert all(pt.parse(pt.PHONE, n) == n for n in mobiles + landlines)
    assert customers.filter(is_hidden=False, is_blocked=False).count() == 400
    assert customers.filter(import_tags__icontains="newsletter-2024").exists()
    assert Conversation.objects.filter(channel=channel).count() >= 2


def test_demo_data_never_repeats_contacts_on_a_second_run(channel, other_channel):
    run("demo_data", "acme", "--customers=300", "--seed=1")
    run("demo_data", "acme", "--customers=300", "--seed=1")
    run("demo_data", "globex", "--customers=50", "--seed=1")

    customers = Customer.objects.filter(channel=channel)
    assert customers.count() == 600
    for field in ("member_id", "email", "mobile_number"):
        values = [v for v in customers.values_list(field, flat=True) if v is not None]
        assert len(values) == len(set(values)), field


def test_demo_data_fills_custom_profile_keys(channel):
    ProfileKey.objects.create(channel=channel, name="city", label="City", type="string")
    ProfileKey.objects.create(channel=channel, name="points", label="Points", type="number")

    run("demo_data", "acme", "--customers=50", "--seed=3")

    profiles = list(Customer.objects.filter(channel=channel).values_list("profile", flat=True))
    assert any(isinstance(p.get("city"), str) for p in profiles)
    assert any(isinstance(p.get("points"), int) for p in profiles)
    assert all(set(p) <= {"city", "points"} for p in profiles)


def test_demo_data_respects_the_mu_limit_R_M2(db):
    channel = ChannelFactory(slug="limited", mu_limit=100)

    run("demo_data", "limited", "--customers=150", "--seed=2")

    assert Customer.objects.filter(channel=channel, is_hidden=False).count() == 100


def test_demo_data_refuses_an_unknown_channel(db):
    with pytest.raises(CommandError, match="No channel with the slug 'nope'"):
        run("demo_data", "nope", "--customers=5")


# demo_setup


def _printed_password(output: str) -> str:
    return re.search(r"Password:\s+(\S+)", output).group(1)


def test_demo_setup_creates_the_demo_channel_and_prints_a_working_login(client, monkeypatch):
    monkeypatch.setenv("PORT", "8123")

    output = run("demo_setup")

    channel = Channel.objects.get(slug="demo")
    assert (channel.plan, channel.has_security_package) == ("enterprise", True)
    assert Customer.objects.filter(channel=channel).count() == DEMO_CUSTOMERS
    assert Customer.objects.filter(channel=channel, is_blocked=True).count() == DEMO_BLOCKED
    assert Conversation.objects.filter(channel=channel).exists()
    assert "http://127.0.0.1:8123/" in output
    assert DEMO_EMAIL in output
    response = client.post(
        reverse("login"), {"username": DEMO_EMAIL, "password": _printed_password(output)}
    )
    assert response.status_code == 302
    assert client.get(reverse("blocking:list", args=["demo"])).status_code == 200


def test_demo_setup_twice_adds_nothing_and_the_new_password_works(client):
    first = run("demo_setup")
    entries = Entry.objects.count()

    second = run("demo_setup")

    assert Channel.objects.filter(slug="demo").count() == 1
    assert Customer.objects.count() == DEMO_CUSTOMERS
    assert Entry.objects.count() == entries
    assert not client.login(username=DEMO_EMAIL, password=_printed_password(first))
    assert client.login(username=DEMO_EMAIL, password=_printed_password(second))


def test_demo_setup_refuses_a_weak_password_and_keeps_the_working_one(client):
    run("demo_setup", "--password=demo-pass-123")

    with pytest.raises(CommandError, match="entirely numeric"):
        run("demo_setup", "--password=12345678901")
    with pytest.raises(CommandError, match="too common"):
        run("demo_setup", "--password=password")

    assert client.login(username=DEMO_EMAIL, password="demo-pass-123")


def test_demo_setup_takes_a_fixed_password(client):
    run("demo_setup", "--password=demo-pass-123")

    assert client.login(username=DEMO_EMAIL, password="demo-pass-123")


# serve


def test_serve_stops_the_other_process_when_one_dies(monkeypatch):
    import subprocess
    import sys

    from contacts.management.commands import serve

    started = []

    def fake_start(self, argv):
        code = "import sys; sys.exit(3)" if "qcluster" in argv else "import time; time.sleep(60)"
        process = subprocess.Popen([sys.executable, "-c", code])
        started.append(process)
        return process

    monkeypatch.setattr(serve.Command, "_start", fake_start)

    with pytest.raises(CommandError, match="django-q2 worker exited with code 3") as caught:
        run("serve", "--port=8765")

    assert caught.value.returncode == 3
    assert [p.poll() is not None for p in started] == [True, True]
