"""Who calls the API: the plugin key (a site's pages, boot) or the access key and secret (the
site's backend, the customer API); and how often each key may call (R-D2).

Decisions:
- A missing or wrong key answers 401 before the body is read; a caller is rate limited per key,
  in fixed windows counted in Django's cache (``API_RATE_WINDOW_SECONDS``). With the default
  local-memory cache each web process counts on its own; with ``REDIS_URL`` every process
  shares one count per key.
- A wrong secret with a known access key counts against that key's limit, so guessing secrets
  is throttled too.
- A plugin key never changes, so the channel it names is kept in the cache for a minute: a
  boot, the call a site makes most, does not look its key up. The access key is looked up on
  every call, so a regenerated secret stops the old one at once.
- A boot's caller carries its channel's id alone; the customer API's caller the loaded channel.
"""

import hashlib
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

PLUGIN_KEY_CACHE_SECONDS = 60


@dataclass(frozen=True, slots=True)
class ApiCaller:
    """An authenticated caller: its channel, the key it used and that key's rate limit."""

    channel_id: int
    key: str
    rate_limit: int
    channel: Channel | None = None


def _rate_counted(key: str, limit: int) -> bool:
    """Count one call of ``key`` in the current window; False once past ``limit``."""
    window = settings.API_RATE_WINDOW_SECONDS
    name = f"api-rate:{_digest(key)}:{int(time.time() // window)}"
    cache.add(name, 0, timeout=window + 1)
    try:
        count = cache.incr(name)
    except ValueError:  # the window's entry expired between add and incr
        cache.set(name, 1, timeout=window + 1)
        count = 1
    return count <= limit


def _digest(key: str) -> str:
    """A cache-safe name for whatever a caller sent as a key."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


class PluginKeyAuth(APIKeyHeader):
    """The channel's public plugin key in X-Plugin-Key (boot)."""

    param_name = "X-Plugin-Key"

    def authenticate(self, request, key: str | None) -> ApiCaller:
        name = f"api-plugin-key:{_digest(key or '')}"
        channel_id = cache.get(name) if key else None
        if channel_id is None and key:
            found = ChannelApiKeys.objects.filter(plugin_key=key).values_list("channel_id")
            channel_id = next((row[0] for row in found[:1]), None)
            if channel_id is not None:
                cache.set(name, channel_id, PLUGIN_KEY_CACHE_SECONDS)
        if channel_id is None:
            raise ApiError(401, UNAUTHORIZED, PLUGIN_KEY_REFUSED)
        return ApiCaller(channel_id, key, settings.API_PLUGIN_KEY_RATE_LIMIT)


class AccessKeyAuth(APIKeyHeader):
    """The channel's access key in X-Access-Key, with its secret in X-Access-Secret."""

    param_name = "X-Access-Key"
    SECRET_HEADER = "X-Access-Secret"

    def authenticate(self, request, key: str | None) -> ApiCaller:
        keys = None
        if key:
            keys = ChannelApiKeys.objects.select_related("channel").filter(access_key=key).first()
        if keys is None:
            raise ApiError(401, UNAUTHORIZED, ACCESS_REFUSED)
        limit = settings.API_ACCESS_KEY_RATE_LIMIT
        caller = ApiCaller(keys.channel_id, key, limit, channel=keys.channel)
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
