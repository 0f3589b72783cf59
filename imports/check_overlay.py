"""What earlier chunks of an import's check would have written, so later chunks see it (R-I11).

Decisions:
- Rows for the same customer are simulated across the whole file: one created at row 5 and
  matched at row 900 counts once, as created. The overlay keeps it small: a hash of each
  created customer's identifier (8 bytes a customer; a collision, about 1 in 10^7 for a million
  rows, only moves one row between created and updated), the ids counted as updated, the leads
  unified away and the pending unifications found.
- A customer an earlier chunk created is given to later chunks as a phantom record (a negative
  id) holding only its identifier, verified, and the import's tag.
- A channel without customers is not looked up at all: its rows all create, and an import's
  own customers (all members, or all leads) never unify with each other. Contacts matter only
  where a unification partner may exist (R-U1, R-U4).
"""

from contacts.models import Customer, PendingUnification
from imports.chunks import partners_exist
from imports.engine import mapping as mapping_engine
from imports.engine.light_check import list_keys
from imports.engine.lookups import IDENTIFIER_FIELDS
from imports.engine.outcome import ChunkOutcome
from imports.engine.records import Record
from imports.models import Import


class CheckOverlay:
    """What earlier chunks of a check would have written, kept small (see Decisions)."""

    def __init__(self, imp: Import, mapping: mapping_engine.ImportMapping) -> None:
        self.import_id = imp.id
        self.tag = imp.tag
        customers = Customer.objects.filter(channel_id=imp.channel_id)
        self.channel_was_empty = not customers.exists()
        self.has_partners = not self.channel_was_empty and partners_exist(imp.channel_id, mapping)
        self.identifier_field = IDENTIFIER_FIELDS[mapping.identifier_key]
        self.id_position = next(
            i for i, c in enumerate(mapping.columns) if c.key == mapping.identifier_key
        )
        self.list_keys = list_keys(mapping)
        positions = {c.key: i for i, c in enumerate(mapping.columns)}
        self._list_positions = [positions[key] for key in self.list_keys]
        self.created: set[int] = set()
        self.counted: set[int] = set()
        self.unified: set[int] = set()
        self.pending: set[tuple[int, int]] = set()
        self._phantom_ids = 0

    def appends(self, rows: list) -> list[int]:
        """For each list key, the most items one of the rows appends."""
        longest = []
        for position in self._list_positions:
            lengths = [len(v) for row in rows if type(v := row[1][position]) is list]
            longest.append(max(lengths, default=0))
        return longest

    def apply(self, records: list[Record], rows: list, now) -> list[Record]:
        """Add the customers earlier chunks created; mark those they counted or unified."""
        records = [r for r in records if r.id not in self.unified]
        for record in records:
            if record.id in self.counted:
                record.last_import_id = self.import_id
        if self.created:
            present = {getattr(r, self.identifier_field) for r in records}
            for row in rows:
                value = row[1][self.id_position]
                if value in present or hash(value) not in self.created:
                    continue
                present.add(value)
                records.append(self._phantom(value, now))
        return records

    def _phantom(self, value: str, now) -> Record:
        self._phantom_ids -= 1
        record = Record(
            id=self._phantom_ids,
            unsubscribe_email=False,
            unsubscribe_texting=False,
            import_tags=[self.tag],
            seen=now.timestamp(),
            last_import_id=self.import_id,
        )
        setattr(record, self.identifier_field, value)
        if self.identifier_field == "email":
            record.email_verified = True
        elif self.identifier_field == "mobile_number":
            record.mobile_verified = True
        return record

    def remember(self, outcome: ChunkOutcome) -> int:
        """Keep what later chunks must see; return the new pending unifications."""
        for record in outcome.created:
            self.created.add(hash(getattr(record, self.identifier_field)))
        for record in outcome.updated:
            if record.id is not None and record.id > 0:
                self.counted.add(record.id)
        for record in outcome.deleted:
            self.unified.add(record.id)
        fresh = 0
        pairs = [(lead.id, member.id) for lead, member in outcome.pending]
        if pairs:
            existing = set(
                PendingUnification.objects.filter(
                    lead_id__in=[lead for lead, _ in pairs]
                ).values_list("lead_id", "member_id")
            )
            for pair in pairs:
                if pair not in existing and pair not in self.pending:
                    self.pending.add(pair)
                    fresh += 1
        return fresh
