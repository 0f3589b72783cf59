"""Login lockout (django-axes): per account and per address, with a cool-off, on both logins."""

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from config.login_lockout import LOGIN_LOCKED, client_ip
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")
ADMIN_LOGIN = reverse("admin:login")
PASSWORD = "pw-for-tests"
LOCKED = LOGIN_LOCKED.format(minutes=15)


@pytest.fixture(autouse=True)
def limits(settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


def log_in(client, email, password, *, url=LOGIN, address="10.0.0.1"):
    return client.post(url, {"username": email, "password": password}, REMOTE_ADDR=address)


def fail(client, email, times, **where):
    for attempt in range(times):
        response = log_in(client, email, f"wrong-{attempt}", **where)
        assert response.status_code in (200, 429)


def test_past_the_limit_even_the_right_password_is_refused(client):
    user = UserFactory(email="person@example.com")
    fail(client, user.email, 4)
    assert log_in(client, user.email, PASSWORD).status_code == 302
    client.logout()
    fail(client, user.email, 1)

    response = log_in(client, user.email, PASSWORD)

    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_account_is_locked_whatever_the_address_and_the_case(client):
    user = UserFactory(email="person@example.com")
    for number in range(5):
        log_in(client, "Person@Example.com ", "wrong", address=f"10.0.1.{number}")

    response = log_in(client, user.email, PASSWORD, address="10.0.2.1")

    assert response.status_code == 429
    assert log_in(client, "other@example.com", "wrong", address="10.0.2.1").status_code == 200


def test_an_address_is_locked_whatever_the_account(client):
    user = UserFactory(email="person@example.com")
    for number in range(5):
        log_in(client, f"guess{number}@example.com", "wrong", address="10.0.3.1")

    assert log_in(client, user.email, PASSWORD, address="10.0.3.1").status_code == 429
    assert log_in(client, user.email, PASSWORD, address="10.0.3.2").status_code == 302


def test_an_email_without_an_account_locks_like_any_other(client):
    fail(client, "nobody@example.com", 5)
    response = log_in(client, "nobody@example.com", "wrong", address="10.0.4.1")
    assert response.status_code == 429
    assert LOCKED in response.content.decode()


def test_the_admin_login_is_locked_too(client):
    admin = UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)
    fail(client, admin.email, 5, url=ADMIN_LOGIN)

    response = log_in(client, admin.email, PASSWORD, url=ADMIN_LOGIN)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_after_the_cool_off_the_right_password_logs_in(client):
    user = UserFactory(email="person@example.com")
    fail(client, user.email, 5)
    assert log_in(client, user.email, PASSWORD).status_code == 429

    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))

    assert log_in(client, user.email, PASSWORD).status_code == 302


def test_the_limit_is_configurable(client, settings):
    settings.AXES_FAILURE_LIMIT = 2
    user = UserFactory(email="person@example.com")
    fail(client, user.email, 2)
    assert log_in(client, user.email, PASSWORD).status_code == 429


def test_the_limits_come_from_the_environment():
    code = "from django.conf import settings as s; print(s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME)"
    result = subprocess.run(
        [sys.executable, str(settings.BASE_DIR / "manage.py"), "shell", "--no-imports", "-c", code],
        env=os.environ | {"LOGIN_FAILURE_LIMIT": "7", "LOGIN_COOLOFF_MINUTES": "30"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.split() == ["7", "0:30:00"], result.stderr


def test_the_client_address_is_read_past_the_trusted_proxies(settings):
    request = RequestFactory().post(
        LOGIN, REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR="6.6.6.6, 1.2.3.4, 10.8.8.8"
    )
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.9.9.9"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "10.8.8.8"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request) == "1.2.3.4"
    settings.TRUSTED_PROXY_COUNT = 4
    assert client_ip(request) == "10.9.9.9"


def test_force_login_and_the_test_clients_login_are_not_counted(client):
    user = UserFactory(email="person@example.com")
    assert not client.login(username=user.email, password="wrong")
    assert client.login(username=user.email, password=PASSWORD)
    assert not AccessAttempt.objects.exists()
