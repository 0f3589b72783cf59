"""What of an import chunk's rows reaches existing customers, for the loader's queries. Pure.

Decisions:
- A chunk loads the customers its rows' memberIds, emails and mobile numbers reach, then (where
  something in the channel can unify with the rows) those their contacts reach, two hops:
  member -> lead (R-U1) -> the lead's other member (R-U6). Where nothing can unify, matching
  needs only the import's identifier (``identifier_only``).
"""

from collections.abc import Iterable

from contacts.keys import BUILTIN_BY_NAME
from contacts.profile_types import EMPTY

from .mapping import MEMBER_ID, ImportMapping
from .parsing import ParsedRow
from .records import Record

# The keys that reach existing customers, in the order of lookup_values, and their fields.
LOOKUP_KEYS = (MEMBER_ID, "email", "mobileNumber")
IDENTIFIER_FIELDS = {key: BUILTIN_BY_NAME[key].field for key in LOOKUP_KEYS}


def lookup_values(
    mapping: ImportMapping, rows: Iterable[ParsedRow], *, identifier_only: bool = False
) -> tuple[set[str], set[str], set[str]]:
    """The memberIds, emails and mobile numbers of the rows (``identifier_only``: the first)."""
    positions = {c.key: i for i, c in enumerate(mapping.columns)}
    found: list[set[str]] = [set(), set(), set()]
    for slot, key in enumerate(LOOKUP_KEYS):
        position = positions.get(key)
        if position is None or (identifier_only and key != mapping.identifier_key):
            continue
        bucket = found[slot]
        for row in rows:
            value = row[1][position]
            if value is not EMPTY:
                bucket.add(value)
    return found[0], found[1], found[2]


def contact_closure(
    records: Iterable[Record], emails: set[str], mobiles: set[str]
) -> tuple[set[str], set[str]]:
    """Contacts of loaded customers not looked up yet: they may reach unification partners."""
    more_emails = {r.email for r in records if r.email is not None} - emails
    more_mobiles = {r.mobile_number for r in records if r.mobile_number is not None} - mobiles
    return more_emails, more_mobiles
