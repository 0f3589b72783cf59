"""The SECRET_KEY the app runs with, chosen before Django starts (config/settings.py calls it).

Decisions:
- The key comes from ``SECRET_KEY``; else from the file ``SECRET_KEY_FILE`` names (a secret the
  platform mounts); else from this checkout's local key file, which ``make serve`` and
  ``make test`` make once with a random key (never committed).
- With ``DEBUG`` off, no key or the development key refuses to start (ImproperlyConfigured):
  with a key anyone can read, sessions and signed values can be forged.
- With ``DEBUG`` on and no key, the development key, so a fresh checkout runs with no setup.
"""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

DEVELOPMENT_KEY = "dev-only-insecure-key-change-me"
LOCAL_KEY_FILE_NAME = ".local-secret-key"
KEY_MISSING = (
    "SECRET_KEY is not set and DEBUG is off. Set SECRET_KEY (or SECRET_KEY_FILE, a file that "
    "holds it) to a long random value, e.g. the output of "
    "python -c 'import secrets; print(secrets.token_urlsafe(50))'. For local use, `make serve` "
    f"makes a key of this checkout's own in {LOCAL_KEY_FILE_NAME}."
)
KEY_IS_DEVELOPMENT = (
    "SECRET_KEY is the public development key and DEBUG is off. Set a long random value."
)
KEY_FILE_UNREADABLE = "SECRET_KEY_FILE {path} cannot be read: {error}"


def secret_key_choose(*, key: str, key_file: str, local_key_file: Path, debug: bool) -> str:
    """The key from SECRET_KEY, its file or the local file; the dev key in debug; else refuse."""
    key = key.strip()
    if not key and key_file:
        try:
            key = Path(key_file).read_text().strip()
        except OSError as error:
            raise ImproperlyConfigured(
                KEY_FILE_UNREADABLE.format(path=key_file, error=error.strerror)
            ) from None
    if not key and local_key_file.is_file():
        key = local_key_file.read_text().strip()
    if debug:
        return key or DEVELOPMENT_KEY
    if not key:
        raise ImproperlyConfigured(KEY_MISSING)
    if key == DEVELOPMENT_KEY:
        raise ImproperlyConfigured(KEY_IS_DEVELOPMENT)
    return key
