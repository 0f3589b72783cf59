"""The customer API's writes (R-D2): create or update a member as one import row would.

``member_put`` maps the body's profile keys like an import's columns, parses every value with
the import's cell parsers and plans the row with the import planner, so the same rules hold:
the opt-outs a new member needs (R-I7), list keys appending (R-I9), the timestamps (R-I19),
the MU limit's room for a new member (R-M3), unification with verified leads (R-U1..R-U3,
R-U6) and the profile limits (R-C6).

Decisions where the rules leave room:
- A JSON value is read as the cell an import would read: a string as it is, true/false,
  numbers as written, a list as its JSON text; an object is refused.
- A key the body names with null or "" is cleared (R-I8's clear policy, the opt-outs never);
  a key the body leaves out keeps its value.
- The API is no import: it adds no import tag (R-I10) and leaves the import bookkeeping
  (``last_import_id``) alone. A conflict (R-U6) is recorded in the activity entry's details.
"""

import json

from django.db import IntegrityError, transaction
from django.utils import timezone

from activitylog.models import Entry
from activitylog.services import VIA_API, activity_record_many
from api.errors import (
    BAD_VALUE,
    KEY_NOT_WRITABLE,
    KEY_UNKNOWN,
    MEMBER_ID_MISMATCH,
    VALUE_OBJECT,
    ApiError,
    value_error,
)
from contacts.models import Channel, Customer, PendingUnification
from contacts.selectors import mu_room
from contacts.unification import conversations_move
from imports import selectors as import_selectors
from imports.chunks import customers_load
from imports.engine.lookups import lookup_values
from imports.engine.mapping import MEMBER, MEMBER_ID, Column, ImportMapping, available_keys
from imports.engine.outcome import ChunkOutcome, Failure
from imports.engine.parsing import RowParser
from imports.engine.planner import ChunkPlanner
from imports.engine.records import INSERT_FIELDS, UPDATE_FIELDS
from imports.orm_writer import OrmWriter

# What the API writes of a changed customer: an import's fields but its bookkeeping.
_UPDATE_FIELDS = tuple(name for name in UPDATE_FIELDS if name != "last_import_id")


def _cell(key: str, value) -> str:
    """The JSON value as the cell text an import would read."""
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float | list):
        return json.dumps(value, ensure_ascii=False)
    raise ApiError(400, BAD_VALUE, VALUE_OBJECT.format(key=key))


def _mapping(channel: Channel, member_id: str, profile: dict) -> tuple[ImportMapping, list]:
    """The body's keys as a one-row member import's columns, and the row's cells."""
    keys = {k.name: k for k in available_keys(import_selectors.custom_keys(channel), {})}
    member = keys[MEMBER_ID]
    columns = [Column(0, MEMBER_ID, MEMBER_ID, member.type, member.field)]
    cells = [member_id]
    for name, value in profile.items():
        if name == MEMBER_ID:
            if value != member_id:
                raise ApiError(400, BAD_VALUE, MEMBER_ID_MISMATCH.format(given=value))
            continue
        key = keys.get(name)
        if key is None:
            raise ApiError(400, BAD_VALUE, KEY_UNKNOWN.format(key=name))
        if key.is_system or not key.is_mappable:
            raise ApiError(400, BAD_VALUE, KEY_NOT_WRITABLE.format(key=name))
        columns.append(Column(len(columns), name, name, key.type, key.field))
        cells.append(_cell(name, value))
    mapping = ImportMapping(
        kind=MEMBER, identifier_key=MEMBER_ID, columns=tuple(columns), skipped=(), new_keys={}
    )
    return mapping, cells


def _refusal(failure: Failure) -> ApiError:
    key, reason = failure.errors[0]
    return value_error(key, reason)


def member_put(*, channel: Channel, member_id: str, profile: dict) -> tuple[Customer, bool]:
    """Create or update member ``member_id`` from the body's profile; returns (member, created)."""
    mapping, cells = _mapping(channel, member_id, profile)
    item = RowParser(mapping).parse((1, cells, None))
    if isinstance(item, Failure):
        raise _refusal(item)
    try:
        created = _plan_and_write(channel, mapping, item)
    except IntegrityError:  # the same new member created by another call meanwhile
        created = _plan_and_write(channel, mapping, item)
    return Customer.objects.get(channel=channel, member_id=item[1][0]), created


@transaction.atomic
def _plan_and_write(channel: Channel, mapping: ImportMapping, item) -> bool:
    loaded = customers_load(
        OrmWriter(), channel_id=channel.pk, lookups=lookup_values(mapping, [item]), lock=True
    )
    planner = ChunkPlanner(
        mapping,
        import_id=None,
        tag=None,
        clear_empty=True,
        now=timezone.now(),
        mu_room=mu_room(channel),
    )
    outcome = planner.plan([item], loaded)
    if outcome.failures:
        raise _refusal(outcome.failures[0])
    _write(channel, outcome)
    return bool(outcome.created)


def _write(channel: Channel, outcome: ChunkOutcome) -> None:
    """Write one planned row and record it as the API's (R-D2)."""
    for record in outcome.created:
        record.id = Customer.objects.create(channel=channel, **record.as_dict(INSERT_FIELDS)).pk
    for record in outcome.updated:
        if record.changed:
            fields = record.as_dict(_UPDATE_FIELDS)
            Customer.objects.filter(pk=record.id).update(**fields)
    conversations_move({lead.id: member.id for lead, _, member in outcome.unified if lead})
    if outcome.deleted:
        Customer.objects.filter(id__in=[r.id for r in outcome.deleted]).delete()
    PendingUnification.objects.bulk_create(
        [
            PendingUnification(channel=channel, lead_id=lead.id, member_id=member.id)
            for lead, member in outcome.pending
        ],
        ignore_conflicts=True,
    )
    entries = [
        Entry(
            channel=channel,
            category=Entry.Category.UNIFICATION,
            action=f"Lead {label} unified into member {member.label}",
            customer_id=member.id,
            customer_label=member.label,
            details={"via": VIA_API, "leadId": lead.id if lead else None, "leadLabel": label},
        )
        for lead, label, member in outcome.unified
    ]
    for record in outcome.edited:
        details = {"via": VIA_API, "keys": sorted(record.changed - {"created"})}
        if outcome.pending:
            details["pendingUnification"] = [lead.label for lead, _ in outcome.pending]
        if outcome.conflicts:
            details["conflicts"] = [
                {"lead": lead.label, "members": [first.label, second.label]}
                for _, lead, first, second in outcome.conflicts
            ]
        entries.append(
            Entry(
                channel=channel,
                category=(
                    Entry.Category.CUSTOMER_ADD if record.is_new else Entry.Category.CUSTOMER_EDIT
                ),
                action="Member added through the API"
                if record.is_new
                else "Customer info edited through the API",
                customer_id=record.id,
                customer_label=record.label,
                details=details,
            )
        )
    activity_record_many(entries)
