"""Login lockout with django-axes, on /login/ and /admin/login/ alike (settings: AXES_*).

Decisions:
- Failures count per account and per client address, each on its own: past the limit either
  one refuses every login, the right password included, until the cool-off has passed since
  the last failure (a failure during the lockout starts it again). A success does not clear
  the count: one account of one's own must not wipe the count of an address that guesses
  another's password.
- The account is the typed email, trimmed and lowercased, as accounts are stored: case
  variants count as one. An email with no account counts like any other, so the lockout says
  nothing about which accounts exist.
- The client address is REMOTE_ADDR, or behind ``TRUSTED_PROXY_COUNT`` reverse proxies the
  address the outermost one saw, read from the right of X-Forwarded-For (what a client writes
  to the left of it is never trusted).
- ``authenticate()`` without a request (the shell, the test client's ``login()``) is no login
  over the network: the lockout backend lets it through to the model backend.
"""

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.shortcuts import render

LOGIN_LOCKED = (
    "Too many failed logins for this account or from this address. Try again in {minutes} minutes."
)


class LoginLockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check, for logins that come with a request."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def username_of(request, credentials) -> str | None:
    """The account a login attempt names, as accounts are stored."""
    username = (credentials or {}).get("username") or request.POST.get("username")
    return username.strip().lower() if username else None


def client_ip(request) -> str:
    """The address a login comes from, past the trusted reverse proxies."""
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [h for h in hops if h]
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR", "")


def lockout_response(request, original_response=None, credentials=None):
    """The login page again, with the lockout message, status 429."""
    minutes = round(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    context = {
        "lockout_message": LOGIN_LOCKED.format(minutes=minutes),
        "username": username_of(request, credentials) or "",
        "next": request.POST.get("next", request.GET.get("next", "")),
    }
    return render(request, "registration/login.html", context, status=429)
