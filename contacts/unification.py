"""Unify a lead into a member outside an import, e.g. when a booted lead logs in (R-U3).

The merge itself (who keeps what, R-U5) lives in ``imports.engine.unifying`` so an import and
this service unify the same way.
"""

from django.db import transaction
from django.db.models import Case, Value, When
from django.utils import timezone

from activitylog.models import Entry
from activitylog.services import activity_record
from contacts.models import Conversation, Customer, PendingUnification
from imports.engine.unifying import merge_lead_into_member

NOT_A_LEAD = "Only a lead can be unified into a member."
NOT_A_MEMBER = "A lead is unified into a member, never into another lead (R-U4)."
OTHER_CHANNEL = "The lead and the member belong to different channels."


class UnificationError(ValueError):
    """A refused unification; the message says why."""


def conversations_move(moves: dict[int, int]) -> None:
    """Hand the conversations of unified leads to their members (R-U5): lead id -> member id,
    in one statement however many leads a bulk import unified."""
    if not moves:
        return
    Conversation.objects.filter(customer_id__in=list(moves)).update(
        customer_id=Case(
            *(When(customer_id=lead, then=Value(member)) for lead, member in moves.items())
        )
    )


@transaction.atomic
def customer_unify(*, lead: Customer, member: Customer, by=None) -> Customer:
    """Merge the lead into the member, move its conversations, delete it and log it (R-U5)."""
    if lead.member_id is not None:
        raise UnificationError(NOT_A_LEAD)
    if member.member_id is None:
        raise UnificationError(NOT_A_MEMBER)
    if lead.channel_id != member.channel_id:
        raise UnificationError(OTHER_CHANNEL)
    changed = merge_lead_into_member(member, lead)
    conversations_move({lead.pk: member.pk})
    lead_id, label = lead.pk, lead.display_name
    PendingUnification.objects.filter(lead_id=lead_id).delete()
    lead.delete()
    if changed:
        member.updated_at = timezone.now()
        member.save()
    activity_record(
        channel=member.channel,
        actor=by,
        category=Entry.Category.UNIFICATION,
        action=f"Lead {label} unified into member {member.display_name}",
        customer=member,
        details={"leadId": lead_id, "leadLabel": label, "keys": sorted(changed)},
    )
    return member


def pending_unification_apply(*, lead: Customer, by=None) -> Customer | None:
    """R-U3: a booted lead that logs in is unified with the member it waits for (the oldest
    pending one); returns that member, or None when nothing waits."""
    pending = (
        PendingUnification.objects.select_related("member").filter(lead=lead).order_by("id").first()
    )
    if pending is None:
        return None
    return customer_unify(lead=lead, member=pending.member, by=by)
