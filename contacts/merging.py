"""Merge a lead into a member (R-U5). Pure: works on any objects with the Customer field names.

Used by the import planner on its in-memory records (``imports.engine.unifying``) and by
``contacts.unification`` on model instances, so both unify the same way.

Decisions (R-U5 says the member keeps its values and nothing is lost):
- A built-in key empty on the member takes the lead's value; a set one stays the member's.
- A contact (email, mobile) the member lacks is taken with the lead's verified mark; the same
  contact on both keeps the mark if either had it; a different one keeps the member's mark.
- Custom keys: a key the member lacks is taken; list values (list, listOfNumber, tag) are merged,
  the member's items first, without duplicates, within the 200-item limit.
- Import tags: the member's, then the lead's it lacks; the 30 newest (the last ones) are kept
  (R-I10, as an import adds its tag).
- The member stays hidden only if the lead was hidden too: a visible lead hands its place under
  the MU limit to the member, so unifying never hides someone who was shown (R-M3) and never
  raises the MU count.
- System timestamps, memberId and blocking stay the member's; has_booted is true if either booted.
"""

from contacts.columns import BY_FIELD, KEY_COLUMNS
from contacts.profile_types import MAX_LIST_ITEMS

MAX_IMPORT_TAGS = 30

# The contacts a manager edits, with their verified marks: (field, mark field, key, mark key).
_CONTACTS = tuple(
    (c.field, c.verified, c.name, BY_FIELD[c.verified].name)
    for c in KEY_COLUMNS
    if c.editable and c.verified is not None
)
# The other built-in keys a manager edits, as (field, key); memberId stays the member's.
_SCALARS = tuple(
    (c.field, c.name)
    for c in KEY_COLUMNS
    if c.editable and c.verified is None and c.name != "memberId"
)


def merge_tags(tags: list[str], added: list[str]) -> list[str]:
    """Append the tags not yet present; keep the 30 newest (R-I10)."""
    merged = tags + [t for t in added if t not in tags]
    return merged[-MAX_IMPORT_TAGS:] if len(merged) > MAX_IMPORT_TAGS else merged


def merge_lead_into_member(member, lead) -> set[str]:
    """Give the member what the lead holds and it lacks; return the member's changed keys."""
    changed: set[str] = set()
    for field, key in _SCALARS:
        if getattr(member, field) in (None, "") and getattr(lead, field) not in (None, ""):
            setattr(member, field, getattr(lead, field))
            changed.add(key)
    for field, verified, key, verified_key in _CONTACTS:
        mine, theirs = getattr(member, field), getattr(lead, field)
        if theirs is None:
            continue
        if mine is None:
            setattr(member, field, theirs)
            setattr(member, verified, getattr(lead, verified))
            changed.add(key)
        elif mine == theirs and getattr(lead, verified) and not getattr(member, verified):
            setattr(member, verified, True)
            changed.add(verified_key)
    tags = merge_tags(member.import_tags, lead.import_tags)
    if tags != member.import_tags:
        member.import_tags = tags
        changed.add("userImportTag")
    profile = None
    for key, value in lead.profile.items():
        current = member.profile.get(key)
        if current is None:
            merged = value
        elif isinstance(current, list) and isinstance(value, list):
            merged = list(dict.fromkeys([*current, *value]))[:MAX_LIST_ITEMS]
            if merged == current:
                continue
        else:
            continue
        if profile is None:
            profile = dict(member.profile)
        profile[key] = merged
        changed.add(key)
    if profile is not None:
        member.profile = profile
    if member.is_hidden and not lead.is_hidden:
        member.is_hidden = False
        changed.add("isHidden")
    if lead.has_booted and not member.has_booted:
        member.has_booted = True
    return changed
