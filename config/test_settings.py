"""The test suite's settings: the app's own, with a key of the suite's when none is set.

The suite runs with DEBUG off, as production does, where the settings refuse to start without
a key. The key goes into the environment so that the manage.py processes some tests start
(workers, commands) share it. Passwords hash fast: the suite logs in hundreds of times, and
what it tests is who may log in, not the hash's cost.
"""

import os
import secrets

os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
