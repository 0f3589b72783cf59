"""A customer as JSON: the one shape that `export_customers --format jsonl` writes and the
customer API answers with (R-E1, R-D2).

Absent values are null; timestamps are ISO 8601 in UTC with milliseconds
("2025-05-04T09:00:00.000Z"); custom keys keep their typed JSON values, sorted by name so the
output is the same on every database.
"""

from datetime import UTC

from contacts.keys import customer_type

# The Customer fields read, in the order customer_json takes them.
CUSTOMER_FIELDS = (
    "id",
    "member_id",
    "name",
    "email",
    "mobile_number",
    "landline_number",
    "email_verified",
    "mobile_verified",
    "unsubscribe_email",
    "unsubscribe_texting",
    "import_tags",
    "created_at",
    "updated_at",
    "last_seen_at",
    "is_hidden",
    "is_blocked",
    "profile",
)


def _when(moment):
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def customer_json(row: tuple) -> dict:
    """A customer read as a tuple of CUSTOMER_FIELDS, as a JSON-ready dict."""
    (pk, member_id, name, email, mobile, landline, email_verified, mobile_verified,
     unsubscribe_email, unsubscribe_texting, tags, created, updated, seen, hidden, blocked,
     profile) = row  # fmt: skip
    return {
        "id": pk,
        "type": customer_type(member_id, email, mobile),
        "memberId": member_id,
        "name": name or None,
        "email": email,
        "mobileNumber": mobile,
        "landlineNumber": landline,
        "emailVerified": email_verified,
        "mobileVerified": mobile_verified,
        "unsubscribeEmail": unsubscribe_email,
        "unsubscribeTexting": unsubscribe_texting,
        "userImportTag": list(tags or []),
        "createdAt": _when(created),
        "updatedAt": _when(updated),
        "lastSeenAt": _when(seen),
        "isHidden": hidden,
        "isBlocked": blocked,
        "profile": {key: (profile or {})[key] for key in sorted(profile or {})},
    }


def customer_row(customer) -> tuple:
    """A Customer instance as the tuple customer_json reads."""
    return tuple(getattr(customer, name) for name in CUSTOMER_FIELDS)
