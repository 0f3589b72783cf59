"""The test suite's settings: the app's own, with a key of the suite's when none is set.

The suite runs with DEBUG off, as production does, where the settings refuse to start without
a key. The key goes into the environment so that the manage.py processes some tests start
(workers, commands) share it.
"""

import os
import secrets

os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))

from config.settings import *  # noqa: F403
