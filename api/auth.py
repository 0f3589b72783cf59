"""Who calls the API: the plugin key (a site's pages, boot) or the access key and secret (the
site's backend, the customer API); and how often each key may call (R-D2).

Decisions:
- A missing or wrong key answers 401 before the body is read; a caller is rate limited per key,
  in fixed windows counted in Django's cache (``API_RATE_WINDOW_SECONDS``). With the default
  local-memory cache each web process counts on its own; with ``REDIS_URL`` every process
  shares one count per key.
- A wrong secret with a known access key counts against that key's limit, so guessing secrets
  is throttled too.
"""

import hmac
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from ninja.security import APIKeyHeader
from ninja.throttling import BaseThrottle

from api.errors import (
    ACCESS_REFUSED,
    PLUGIN_KEY_REFUSED,
    RATE_LIMITED,
    RATE_LIMITED_MESSAGE,
    UNAUTHORIZED,
    ApiError,
)
from api.services import secret_hash
from contacts.models import Channel, ChannelApiKeys


@dataclass(frozen=True, slots=True)
class ApiCaller:
    """An authenticated caller: its channel, the key it used and that key's rate limit."""

    channel: Channel
    key: str
    rate_limit: int


def _rate_counted(key: str, limit: int) -> bool:
    """Count one call of ``key`` in the current window; False once past ``limit``."""
    window = settings.API_RATE_WINDOW_SECONDS
    name = f"api-rate:{key}:{int(time.time() // window)}"
    cache.add(name, 0, timeout=window + 1)
    try:
        count = cache.incr(name)
    except ValueError:  # the window's entry expired between add and incr
        cache.set(name, 1, timeout=window + 1)
        count = 1
    return count <= limit


def _keys(refusal: str, **lookup) -> ChannelApiKeys:
    """The keys holding the given key, else 401 with ``refusal``."""
    keys = None
    if all(lookup.values()):
        keys = ChannelApiKeys.objects.select_related("channel").filter(**lookup).first()
    if keys is None:
        raise ApiError(401, UNAUTHORIZED, refusal)
    return keys


class PluginKeyAuth(APIKeyHeader):
    """The channel's public plugin key in X-Plugin-Key (boot)."""

    param_name = "X-Plugin-Key"

    def authenticate(self, request, key: str | None) -> ApiCaller:
        keys = _keys(PLUGIN_KEY_REFUSED, plugin_key=key)
        return ApiCaller(keys.channel, key, settings.API_PLUGIN_KEY_RATE_LIMIT)


class AccessKeyAuth(APIKeyHeader):
    """The channel's access key in X-Access-Key, with its secret in X-Access-Secret."""

    param_name = "X-Access-Key"
    SECRET_HEADER = "X-Access-Secret"

    def authenticate(self, request, key: str | None) -> ApiCaller:
        keys = _keys(ACCESS_REFUSED, access_key=key)
        caller = ApiCaller(keys.channel, key, settings.API_ACCESS_KEY_RATE_LIMIT)
        secret = request.headers.get(self.SECRET_HEADER) or ""
        if not keys.secret_hash or not hmac.compare_digest(secret_hash(secret), keys.secret_hash):
            if not _rate_counted(key, caller.rate_limit):
                raise rate_limited(caller)
            raise ApiError(401, UNAUTHORIZED, ACCESS_REFUSED)
        return caller


def _wait() -> int:
    """Whole seconds until the current window ends."""
    window = settings.API_RATE_WINDOW_SECONDS
    return max(1, math.ceil(window - time.time() % window))


def rate_limited(caller: ApiCaller) -> ApiError:
    """429 for a caller past its key's limit, with the seconds to wait."""
    message = RATE_LIMITED_MESSAGE.format(
        limit=caller.rate_limit, window=settings.API_RATE_WINDOW_SECONDS
    )
    return ApiError(429, RATE_LIMITED, message, retry_after=_wait())


class KeyRateLimit(BaseThrottle):
    """A fixed window per key: at most the key's rate limit of calls per window."""

    def allow_request(self, request) -> bool:
        caller: ApiCaller = request.auth
        return _rate_counted(caller.key, caller.rate_limit)

    def wait(self) -> float:
        return _wait()
