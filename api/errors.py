"""The API's refusals: a status, a stable code and a message that says what to send instead.

Every error answers JSON ``{"code": "...", "message": "..."}``.
"""

BAD_VALUE = "bad_value"
BAD_REQUEST = "bad_request"
UNAUTHORIZED = "unauthorized"
NOT_FOUND = "not_found"
BODY_TOO_LARGE = "body_too_large"
RATE_LIMITED = "rate_limited"
SERVER_ERROR = "server_error"

PLUGIN_KEY_REFUSED = (
    "Missing or unknown plugin key: send the channel's plugin key in the X-Plugin-Key header."
)
ACCESS_REFUSED = (
    "Missing or wrong access key or secret: send them in the X-Access-Key and X-Access-Secret "
    "headers. The channel owner can regenerate the secret on the channel's settings page."
)
MEMBER_NOT_FOUND = 'This channel has no member with memberId "{member_id}".'
CUSTOMER_NOT_FOUND = "This channel has no customer with id {customer_id}."
BODY_TOO_LARGE_MESSAGE = "The request body is over {limit} bytes (64 KB); send less at once."
RATE_LIMITED_MESSAGE = (
    "Too many requests with this key: at most {limit} every {window} seconds. "
    "Retry after the Retry-After header's seconds."
)
VALUE_INVALID = 'Profile key "{key}": {reason}.'
PROFILE_INVALID = "The profile: {reason}."
KEY_UNKNOWN = (
    'Profile key "{key}" is not a profile key of this channel. Add it on the channel\'s '
    "Profile keys page first, or leave it out."
)
KEY_NOT_WRITABLE = 'Profile key "{key}" is written by the system or by imports alone; leave it out.'
VALUE_OBJECT = (
    'Profile key "{key}": send a string, number, boolean, list or null; no profile key holds '
    "an object."
)
MEMBER_ID_MISMATCH = (
    'profile.memberId "{given}" differs from the memberId in the path; a member\'s memberId '
    "never changes. Leave it out of the profile."
)
BAD_REQUEST_MESSAGE = "{where}: {problem}."
SERVER_ERROR_MESSAGE = "Something went wrong on our side. Try again later."


class ApiError(Exception):
    """A refused call: its HTTP status, code and message."""

    def __init__(
        self, status: int, code: str, message: str, *, retry_after: int | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after


def value_error(key: str, reason: str) -> ApiError:
    """400 for a value that breaks its type or a limit (R-T2): the key and the accepted form."""
    message = (
        PROFILE_INVALID.format(reason=reason)
        if not key
        else VALUE_INVALID.format(key=key, reason=reason)
    )
    return ApiError(400, BAD_VALUE, message)
