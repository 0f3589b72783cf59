from typing import Any

from activitylog.models import Entry

# details["via"] of what the site's API calls did, with no manager as the actor (R-D2).
VIA_API = "api"


def activity_record(
    *,
    channel,
    actor,
    category: str,
    action: str,
    customer=None,
    import_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> Entry:
    """Record one activity-log entry inside the caller's transaction."""
    return Entry.objects.create(
        channel=channel,
        actor=actor,
        category=category,
        action=action,
        customer_id=customer.pk if customer is not None else None,
        customer_label=customer.display_name if customer is not None else "",
        import_id=import_id,
        details=details or {},
    )


def activity_record_many(entries: list[Entry]) -> None:
    """Record many prepared entries at once (an import's per-customer edits, R-I15)."""
    Entry.objects.bulk_create(entries, batch_size=2000)
