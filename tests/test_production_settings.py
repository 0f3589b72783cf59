"""Production settings: the secret key and HTTPS, each read from the environment."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from config.secret_key import (
    DEVELOPMENT_KEY,
    KEY_FILE_UNREADABLE,
    KEY_IS_DEVELOPMENT,
    KEY_MISSING,
    secret_key_choose,
)

A_KEY = "k" * 20 + "production-key-of-its-own" + "9" * 20
HTTPS_ENV = {
    "SECURE_COOKIES": "true",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "SECURE_HSTS_PRELOAD": "true",
    "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
}


def manage(*args: str, unset=(), **env: str) -> subprocess.CompletedProcess:
    """Run manage.py with the app's own settings and the given environment on top."""
    environ = os.environ | {"DJANGO_SETTINGS_MODULE": "config.settings", **env}
    # The browser tests' switch (tests/browser/conftest.py), which check --deploy rightly refuses.
    for name in ("DJANGO_ALLOW_ASYNC_UNSAFE", *unset):
        environ.pop(name, None)
    return subprocess.run(
        [sys.executable, str(settings.BASE_DIR / "manage.py"), *args],
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


# The secret key


def test_without_a_key_and_without_debug_the_app_refuses_to_start(tmp_path):
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY is not set"):
        secret_key_choose(key="", key_file="", local_key_file=tmp_path / "none", debug=False)
    assert "SECRET_KEY_FILE" in KEY_MISSING


def test_the_development_key_is_refused_without_debug(tmp_path):
    local = tmp_path / "local"
    local.write_text(A_KEY)
    with pytest.raises(ImproperlyConfigured) as caught:
        secret_key_choose(key=DEVELOPMENT_KEY, key_file="", local_key_file=local, debug=False)
    assert str(caught.value) == KEY_IS_DEVELOPMENT


def test_manage_py_refuses_the_development_key_without_debug():
    result = manage("check", DEBUG="false", SECRET_KEY=DEVELOPMENT_KEY)
    assert result.returncode != 0
    assert KEY_IS_DEVELOPMENT in result.stderr


def test_debug_runs_on_the_development_key_when_none_is_given(tmp_path):
    missing = tmp_path / "none"
    assert secret_key_choose(key="", key_file="", local_key_file=missing, debug=True) == (
        DEVELOPMENT_KEY
    )


def test_the_key_comes_from_the_variable_then_the_key_file_then_the_local_key(tmp_path):
    key_file, local = tmp_path / "mounted", tmp_path / "local"
    key_file.write_text("from-the-file\n")
    local.write_text("from-the-local-file\n")
    choose = secret_key_choose
    assert choose(key=A_KEY, key_file=str(key_file), local_key_file=local, debug=False) == A_KEY
    assert choose(key="", key_file=str(key_file), local_key_file=local, debug=False) == (
        "from-the-file"
    )
    assert choose(key="", key_file="", local_key_file=local, debug=False) == ("from-the-local-file")


def test_a_key_file_that_cannot_be_read_is_refused(tmp_path):
    missing = tmp_path / "missing"
    with pytest.raises(ImproperlyConfigured) as caught:
        secret_key_choose(key="", key_file=str(missing), local_key_file=missing, debug=False)
    assert str(caught.value) == KEY_FILE_UNREADABLE.format(
        path=missing, error="No such file or directory"
    )


def test_manage_py_runs_on_a_key_file_without_debug(tmp_path):
    key_file = tmp_path / "key"
    key_file.write_text(A_KEY)
    result = manage("check", DEBUG="false", SECRET_KEY="", SECRET_KEY_FILE=str(key_file))
    assert result.returncode == 0, result.stderr


# HTTPS


def test_check_deploy_is_clean_in_a_production_like_environment():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY=A_KEY,
        ALLOWED_HOSTS="contacts.example.com",
        **HTTPS_ENV,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_https_settings_come_from_the_environment():
    """Without the HTTPS variables check --deploy names each missing setting."""
    result = manage("check", "--deploy", unset=HTTPS_ENV, DEBUG="false", SECRET_KEY=A_KEY)
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr


def test_the_proxy_ssl_header_is_a_header_and_its_value():
    result = manage("check", DEBUG="false", SECRET_KEY=A_KEY, SECURE_PROXY_SSL_HEADER="https")
    assert result.returncode != 0
    assert "SECURE_PROXY_SSL_HEADER is a header and its value" in result.stderr
