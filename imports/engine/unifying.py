"""Unification among an import chunk's records (R-U1..U6), as the planner applies its rows. Pure.

Decisions where the rules leave room:
- Unification runs after each row on the customer the row created or matched: a member import
  looks for verified leads sharing the member's email or mobile; a lead import looks, for a
  lead, for members sharing its verified contacts. A lead the row creates and that unifies at
  once is never inserted: its values go to the member as a unification would give them
  (``contacts.merging``), the member counts as updated and the unification as unified.
- R-U6: a lead whose verified contacts reach more than one member is a conflict (the
  email-side and mobile-side members are named; two members sharing one contact are named in
  recency order); nothing is unified.
- R-I7a: the import's opt-out choice is only for customers it creates: a new lead unified at
  once into an existing member gives the member its row's opt-outs, never the chosen ones; a
  new member absorbing a lead (R-U1) takes the lead's opt-out over the chosen one (the lead's
  may be the customer's own wish, the choice is a default).
"""

from contacts.keys import BUILTIN_BY_NAME, OPT_OUT_KEYS
from contacts.merging import merge_lead_into_member

from .outcome import ChunkOutcome
from .records import Record, RecordIndex, recency

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
