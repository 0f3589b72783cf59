"""An import chunk's planned outcome written to the database, by the writer for the connection.

Two writers give the same results: the portable ORM writer (``imports.orm_writer``: SQLite,
the embedded default) and the PostgreSQL writer (``imports.pg_writer``: array lookups, COPY,
one set-based UPDATE). The columns they load and COPY are listed in ``imports.writer_columns``.

Decisions:
- The customers a chunk creates or changes, and R-I15's entry for each of them, are as many
  rows as the chunk's customers: they go through the writer. Everything else an outcome holds
  (unifications, pending unifications, conflicts, failed rows, the unification entries) is
  small and written through the ORM.
- New customers get ids only where the chunk needs them: for its unifications, pending
  unifications, conflicts or per-customer entries.
- The unification entries are written before the edit entries: a chunk's entries keep its
  order by id.
- A pending unification already stored (from an earlier import or chunk) is not stored again,
  and not counted again (R-I14).
"""

from django.db import connection

from activitylog.models import Entry
from activitylog.services import activity_record_many
from contacts.models import Customer, PendingUnification
from contacts.unification import conversations_move
from imports.engine.outcome import ChunkOutcome
from imports.engine.records import Record
from imports.models import Import, ImportConflict, ImportFailure
from imports.orm_writer import OrmWriter
from imports.pg_writer import PostgresWriter


def writer_for_connection(prefer_orm: bool = False) -> OrmWriter:
    """The PostgreSQL writer on PostgreSQL, the ORM writer elsewhere (or when asked)."""
    if connection.vendor == "postgresql" and not prefer_orm:
        return PostgresWriter()
    return OrmWriter()


def outcome_write(imp: Import, outcome: ChunkOutcome, writer: OrmWriter, logs_edits: bool) -> int:
    """Write a planned chunk of the import; return how many pending unifications were new."""
    channel_id = imp.channel_id
    need_ids = logs_edits or bool(outcome.unified or outcome.pending or outcome.conflicts)
    writer.insert(channel_id=channel_id, records=outcome.created, need_ids=need_ids)
    writer.update(channel_id=channel_id, records=outcome.updated, import_id=imp.id)
    conversations_move({lead.id: member.id for lead, _, member in outcome.unified if lead})
    if outcome.deleted:
        Customer.objects.filter(id__in=[r.id for r in outcome.deleted]).delete()
    pending = _pending_write(imp, outcome.pending)
    if outcome.conflicts:
        ImportConflict.objects.bulk_create(
            ImportConflict(
                import_run_id=imp.id,
                row_number=number,
                lead_id=lead.id,
                email_member_id=first.id,
                mobile_member_id=second.id,
            )
            for number, lead, first, second in outcome.conflicts
        )
    if outcome.failures:
        ImportFailure.objects.bulk_create(
            (
                ImportFailure(
                    import_run_id=imp.id,
                    row_number=f.row_number,
                    error_columns=f.columns,
                    error_reasons=f.reasons,
                    errors=[list(error) for error in f.errors],
                    values=f.values,
                )
                for f in outcome.failures
            ),
            batch_size=2000,
        )
    if outcome.unified:
        activity_record_many(_unification_entries(imp, outcome.unified))
    if logs_edits:  # after the unification entries (see Decisions)
        writer.log_edits(
            channel_id=channel_id,
            actor_id=imp.started_by_id,
            import_id=imp.id,
            records=outcome.edited,
        )
    return pending


def _pending_write(imp: Import, pairs: list[tuple[Record, Record]]) -> int:
    """Store the (lead, member) pending unifications not stored yet; return how many."""
    if not pairs:
        return 0
    existing = set(
        PendingUnification.objects.filter(lead_id__in=[lead.id for lead, _ in pairs]).values_list(
            "lead_id", "member_id"
        )
    )
    fresh = [
        PendingUnification(
            channel_id=imp.channel_id, lead_id=lead.id, member_id=member.id, import_id=imp.id
        )
        for lead, member in pairs
        if (lead.id, member.id) not in existing
    ]
    PendingUnification.objects.bulk_create(fresh)
    return len(fresh)


def _unification_entries(imp: Import, unified: list) -> list[Entry]:
    """The activity entry of each lead the chunk unified into a member (R-I15)."""
    return [
        Entry(
            channel_id=imp.channel_id,
            actor=imp.started_by,
            category=Entry.Category.UNIFICATION,
            action=f"Lead {label} unified into member {member.label}",
            customer_id=member.id,
            customer_label=member.label,
            import_id=imp.id,
            details={"leadId": lead.id if lead is not None else None, "leadLabel": label},
        )
        for lead, label, member in unified
    ]
