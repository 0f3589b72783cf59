"""The built-in profile keys of every channel (R-C5), from ``contacts.columns``. Pure.

Decisions:
- Emails are compared case-insensitively everywhere (adding a lead, matching an import row), so
  they are stored lowercased.
"""

import re
from dataclasses import dataclass

from contacts.columns import KEY_COLUMNS


@dataclass(frozen=True, slots=True)
class BuiltinKey:
    name: str
    label: str
    type: str
    field: str  # the Customer model field that holds it
    is_system: bool = False  # written by the system alone; never edited or mapped (R-C5, R-I5)
    is_mappable: bool = True  # may take an import column


BUILTIN_KEYS: tuple[BuiltinKey, ...] = tuple(
    BuiltinKey(
        name=c.name,
        label=c.label,
        type=c.type,
        field=c.field,
        is_system=c.system,
        is_mappable=c.editable,
    )
    for c in KEY_COLUMNS
)
BUILTIN_BY_NAME: dict[str, BuiltinKey] = {k.name: k for k in BUILTIN_KEYS}
OPT_OUT_KEYS = ("unsubscribeEmail", "unsubscribeTexting")


def customer_type(member_id, email, mobile_number) -> str:
    """R-C1: "member" with a memberId, "lead" with an email or mobile, else "visitor" (R-C4)."""
    if member_id is not None:
        return "member"
    return "visitor" if email is None and mobile_number is None else "lead"


EMAIL_INVALID = "Enter an email address like name@example.com"
EMAIL_TOO_LONG = "An email address has at most 254 characters"

# RFC 5322's characters of a local part (letters and digits in any script, as RFC 6531 allows,
# and !#$%&'*+/=?^_`{|}~.-); a domain of labels of letters, digits and hyphens with a dot.
_EMAIL_RE = re.compile(r"[\w!#$%&'*+/=?^`{|}~.-]+@[\w-]+(?:\.[\w-]+)*\.[\w-]+")


def normalize_email(text: str) -> str:
    """Trim and lowercase an email address, or raise ValueError with a reason for the manager."""
    value = text.strip().lower()
    if len(value) > 254:
        raise ValueError(EMAIL_TOO_LONG)
    if not _EMAIL_RE.fullmatch(value):
        raise ValueError(EMAIL_INVALID)
    return value


def key_matches_header(key_name: str, label: str, header: str) -> bool:
    """A header maps by itself to a key equal to its name or label, ignoring case, spaces and _."""
    wanted = _fold(header)
    return wanted == _fold(key_name) or wanted == _fold(label)


def _fold(text: str) -> str:
    return text.replace(" ", "").replace("_", "").casefold()
