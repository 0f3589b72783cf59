"""Unify a lead into a member outside an import: when a booted lead logs in (R-U3), and when a
manager verifies a lead's contact (R-C3, R-U1).

The merge itself (who keeps what, R-U5) lives in ``contacts.merging`` so an import and these
services unify the same way.

Decisions:
- R-C3: only a lead's contact is verified from its profile (a member's marks matter for no
  unification). Verifying applies R-U1 at once, as an import of that lead would: the members
  sharing one of the lead's verified contacts are looked up; one member is unified with it at
  once if the lead never booted (R-U2), else when it logs in (R-U3, a pending unification);
  two members are a conflict (R-U6) and nothing is unified.
- ``via`` marks the activity entries of a unification no manager made (a login through the
  API, ``activitylog.services.VIA_API``).
- The conversations of unified leads move in one statement, however many leads a bulk import
  unified.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from activitylog.models import Entry
from activitylog.services import activity_record
from contacts.merging import merge_lead_into_member
from contacts.models import Conversation, Customer, PendingUnification
from contacts.mu_counter import mu_writes_lock
from contacts.services import customer_update

NOT_A_LEAD = "Only a lead can be unified into a member."
NOT_A_MEMBER = "A lead is unified into a member, never into another lead (R-U4)."
OTHER_CHANNEL = "The lead and the member belong to different channels."
VERIFY_NOT_A_LEAD = "Only a lead's email or mobile number is verified here."
VERIFY_NOTHING = "This lead has no {key} to verify."
VERIFY_KEYS = ("email", "mobileNumber")


class UnificationError(ValueError):
    """A refused unification; the message says why."""


def conversations_move(moves: dict[int, int]) -> None:
    """Hand the conversations of unified leads (lead id -> member id) to their members (R-U5)."""
    if not moves:
        return
    Conversation.objects.filter(customer_id__in=list(moves)).update(
        customer_id=Case(
            *(When(customer_id=lead, then=Value(member)) for lead, member in moves.items())
        )
    )


@transaction.atomic
def customer_unify(
    *, lead: Customer, member: Customer, by=None, via: str | None = None
) -> Customer:
    """Merge the lead into the member, move its conversations, delete it and log it (R-U5)."""
    if lead.member_id is not None:
        raise UnificationError(NOT_A_LEAD)
    if member.member_id is None:
        raise UnificationError(NOT_A_MEMBER)
    if lead.channel_id != member.channel_id:
        raise UnificationError(OTHER_CHANNEL)
    mu_writes_lock(member.channel_id)
    changed = merge_lead_into_member(member, lead)
    conversations_move({lead.pk: member.pk})
    lead_id, label = lead.pk, lead.display_name
    PendingUnification.objects.filter(lead_id=lead_id).delete()
    lead.delete()
    if changed:
        member.updated_at = timezone.now()
        member.save()
    details = {"leadId": lead_id, "leadLabel": label, "keys": sorted(changed)}
    if via:
        details["via"] = via
    activity_record(
        channel=member.channel,
        actor=by,
        category=Entry.Category.UNIFICATION,
        action=f"Lead {label} unified into member {member.display_name}",
        customer=member,
        details=details,
    )
    return member


@dataclass(frozen=True)
class Verification:
    """What verifying a lead's contact led to: a unification now, one pending, or a conflict."""

    member: Customer | None = None  # unified into (R-U2) or waiting for (R-U3)
    is_pending: bool = False
    conflict: tuple[Customer, Customer] | None = None  # R-U6: the two members it reaches


def unification_partners(lead: Customer) -> list[Customer]:
    """The members sharing one of the lead's verified contacts (R-U1), most recently seen first."""
    match = Q(pk__in=[])
    if lead.email is not None and lead.email_verified:
        match |= Q(email=lead.email)
    if lead.mobile_number is not None and lead.mobile_verified:
        match |= Q(mobile_number=lead.mobile_number)
    members = Customer.objects.filter(match, channel_id=lead.channel_id, member_id__isnull=False)
    return list(members.order_by(F("last_seen_at").desc(nulls_last=True), "-id")[:2])


@transaction.atomic
def lead_contact_verify(*, lead: Customer, by, key: str) -> Verification:
    """R-C3: a manager verifies a lead's email or mobile number; then R-U1..R-U3, R-U6."""
    if lead.member_id is not None or key not in VERIFY_KEYS:
        raise UnificationError(VERIFY_NOT_A_LEAD)
    if (lead.email if key == "email" else lead.mobile_number) is None:
        raise UnificationError(VERIFY_NOTHING.format(key=key))
    marks = {"email_verified": True} if key == "email" else {"mobile_verified": True}
    customer_update(customer=lead, by=by, changes={}, **marks)
    members = unification_partners(lead)
    if len(members) > 1:
        return Verification(conflict=(members[0], members[1]))
    if not members:
        return Verification()
    (member,) = members
    if not lead.has_booted:
        return Verification(member=customer_unify(lead=lead, member=member, by=by))
    _, created = PendingUnification.objects.get_or_create(
        channel_id=lead.channel_id, lead=lead, member=member
    )
    if created:
        activity_record(
            channel=member.channel,
            actor=by,
            category=Entry.Category.UNIFICATION,
            action=f"Lead {lead.display_name} unified into member {member.display_name} "
            "when it logs in",
            customer=lead,
            details={"memberId": member.member_id, "pending": True},
        )
    return Verification(member=member, is_pending=True)
