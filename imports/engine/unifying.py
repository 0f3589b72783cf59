"""Merge a lead into a member (R-U5). Pure: works on any objects with the Customer field names.

Used by the import planner on its in-memory records and by ``contacts.unification`` on model
instances, so both unify the same way.

Decisions (R-U5 says the member keeps its values and nothing is lost):
- A built-in key empty on the member takes the lead's value; a set one stays the member's.
- A contact (email, mobile) the member lacks is taken with the lead's verified mark; the same
  contact on both keeps the mark if either had it; a different one keeps the member's mark.
- Custom keys: a key the member lacks is taken; list values (list, listOfNumber, tag) are merged,
  the member's items first, without duplicates, within the 200-item limit.
- Import tags: the member's, then the lead's it lacks; the 30 newest (the last ones) are kept.
- The member stays hidden only if the lead was hidden too: a visible lead hands its place under
  the MU limit to the member, so unifying never hides someone who was shown (R-M3) and never
  raises the MU count.
- System timestamps, memberId and blocking stay the member's; has_booted is true if either booted.
"""

from contacts.keys import BUILTIN_BY_NAME, OPT_OUT_KEYS
from contacts.profile_types import MAX_LIST_ITEMS

from .outcome import ChunkOutcome
from .records import Record, RecordIndex, recency

MAX_IMPORT_TAGS = 30

_SCALARS = (
    ("name", "name"),
    ("landline_number", "landlineNumber"),
    ("unsubscribe_email", "unsubscribeEmail"),
    ("unsubscribe_texting", "unsubscribeTexting"),
)
_CONTACTS = (
    ("email", "email_verified", "email", "emailVerified"),
    ("mobile_number", "mobile_verified", "mobileNumber", "mobileVerified"),
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


_OPT_OUT_FIELDS = {key: BUILTIN_BY_NAME[key].field for key in OPT_OUT_KEYS}


class Unifier:
    """Unification (R-U1..U6) among a chunk's records, as the planner applies its rows."""

    def __init__(
        self, index: RecordIndex, outcome: ChunkOutcome, *, import_id: int | None, members: bool
    ) -> None:
        """``members``: the rows are members (a member import), else leads."""
        self.index = index
        self.outcome = outcome
        self.import_id = import_id
        self.is_member_import = members
        self.pending_seen: set[tuple[int, int]] = set()

    def _members_of(self, lead: Record) -> tuple[list[Record], list[Record]]:
        """Members sharing the lead's verified email, and its verified mobile number."""
        by_email: list[Record] = []
        by_mobile: list[Record] = []
        if lead.email is not None and lead.email_verified:
            by_email = [
                r
                for r in self.index.by_email.get(lead.email, ())
                if r.member_id is not None and not r.is_deleted
            ]
        if lead.mobile_number is not None and lead.mobile_verified:
            by_mobile = [
                r
                for r in self.index.by_mobile.get(lead.mobile_number, ())
                if r.member_id is not None and not r.is_deleted
            ]
        return by_email, by_mobile

    def _leads_of(self, member: Record) -> list[Record]:
        """Verified leads sharing the member's email or mobile number, oldest id first."""
        found: dict[int, Record] = {}
        if member.email is not None:
            for r in self.index.by_email.get(member.email, ()):
                if r.member_id is None and r.email_verified and not r.is_deleted:
                    found[id(r)] = r
        if member.mobile_number is not None:
            for r in self.index.by_mobile.get(member.mobile_number, ()):
                if r.member_id is None and r.mobile_verified and not r.is_deleted:
                    found[id(r)] = r
        return sorted(found.values(), key=lambda r: (r.id is None, r.id or r.seq))

    def unify(self, number: int, record: Record) -> None:
        """R-U1: unify the customer a row created or matched with its partners, if any."""
        if self.is_member_import:
            if not (record.email is None and record.mobile_number is None):
                for lead in self._leads_of(record):
                    self._unify_pair(number, lead, record)
        elif record.member_id is None and not (
            record.email is None and record.mobile_number is None
        ):
            self._unify_pair(number, record, None)

    def _unify_pair(self, number: int, lead: Record, member: Record | None) -> None:
        """Unify the lead with its one member (R-U2), or wait for its login (R-U3); or conflict."""
        by_email, by_mobile = self._members_of(lead)
        members = list({id(r): r for r in (*by_email, *by_mobile)}.values())
        if not members:
            return
        if len(members) > 1:
            first = max(by_email, key=recency) if by_email else None
            second = max(by_mobile, key=recency) if by_mobile else None
            if first is None or second is None or first is second:
                first, second = sorted(members, key=recency, reverse=True)[:2]
            self.outcome.conflicts.append((number, lead, first, second))
            return
        (partner,) = members
        if member is not None and partner is not member:
            return
        if lead.is_new or not lead.has_booted:
            self._merge(lead, partner)
        else:
            pair = (id(lead), id(partner))
            if pair not in self.pending_seen:
                self.pending_seen.add(pair)
                self.outcome.pending.append((lead, partner))

    def _merge(self, lead: Record, member: Record) -> None:
        """Merge the lead into the member now (R-U5); a new lead is never inserted."""
        if lead.is_new and lead.chosen:
            for key in lead.chosen:
                setattr(lead, _OPT_OUT_FIELDS[key], None)
        elif member.is_new and member.chosen:
            for key in member.chosen:
                if getattr(lead, _OPT_OUT_FIELDS[key]) is not None:
                    setattr(member, _OPT_OUT_FIELDS[key], None)
            member.chosen = [
                k for k in member.chosen if getattr(member, _OPT_OUT_FIELDS[k]) is not None
            ]
        old_email, old_mobile = member.email, member.mobile_number
        changed = merge_lead_into_member(member, lead)
        for field_name, old in (("email", old_email), ("mobile_number", old_mobile)):
            new = getattr(member, field_name)
            if new != old:
                setattr(member, field_name, old)
                self.index.set_contact(member, field_name, new)
        member.changed |= changed
        member.size_bound += lead.size_bound
        self.index.remove(lead)
        self.outcome.unified.append((None if lead.is_new else lead, lead.label, member))
        if lead.is_new:
            # The row's lead never reaches the database: the row matched the member.
            self.outcome.created_count -= 1
            if not member.is_new and member.last_import_id != self.import_id:
                member.last_import_id = self.import_id
                member.stamped = True
                self.outcome.updated_count += 1
