"""Refuse an API body over its limit before anything reads it (R-D2: 413).

Decisions:
- The Content-Length header alone bounds what the API parses: Django reads no more of a body
  than it says (none without one).
"""

from django.conf import settings
from django.http import JsonResponse

from api.errors import BODY_TOO_LARGE, BODY_TOO_LARGE_MESSAGE

API_PREFIX = "/api/"


class ApiBodyLimitMiddleware:
    """413 for a request to the API whose Content-Length passes API_MAX_BODY_BYTES."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(API_PREFIX):
            limit = settings.API_MAX_BODY_BYTES
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit:
                return JsonResponse(
                    {"code": BODY_TOO_LARGE, "message": BODY_TOO_LARGE_MESSAGE.format(limit=limit)},
                    status=413,
                )
        return self.get_response(request)
