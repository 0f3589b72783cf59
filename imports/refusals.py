"""Why an import cannot go ahead: the refusal, who may import, and the channel's active import.

Decisions:
- R-I17: only a manager who may edit customers uploads, maps, checks or starts an import; the
  refusal says whom to ask for that permission.
- R-I16: the refusal of a second active import names the first, who started it and when, and
  its last progress: running, stalled (its worker gave no sign of life: it resumes by itself)
  or interrupted (its command let go of it: it resumes by itself). The command line adds how
  to resume or stop it from the shell (``active_import_id``).
"""

from datetime import UTC

from django.utils import timezone

from contacts.models import Channel, Membership
from imports import selectors
from imports.models import Import

NO_EDIT_PERMISSION = (
    "Only managers allowed to edit customer information can import customers; ask the channel "
    "owner for that permission."
)
NOT_A_MANAGER = "{who} is not a manager of the channel {channel}."
IMPORT_ALREADY_ACTIVE = (
    'Another import is {status} in this channel: #{id} "{file}", started by {who} on {when} UTC'
    "{progress}. Wait until it ends, or stop it on its page, then start this one."
)
# The running import's last progress, in the refusal above.
ACTIVE_PROGRESS = ", at row {done} of {total} (last progress {beat} UTC)"
ACTIVE_STALLED = ", stalled at row {done} of {total} since {beat} UTC: it resumes by itself"
ACTIVE_INTERRUPTED = ", interrupted at row {done} of {total}: it resumes by itself"
IMPORT_NOT_DRAFT = "This import has already been started; upload the file again to import it again."
IMPORT_NOT_CONFIGURED = "Map the file's columns before checking or starting the import."


class ImportRefused(Exception):
    """The import cannot go ahead: ``message`` tells the manager why and what to do."""

    def __init__(self, message: str, active_import_id: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.active_import_id = active_import_id  # the channel's active import that refused it


def editor(channel: Channel, user) -> Membership:
    """The user's seat in the channel, refused unless it may edit customers (R-I17)."""
    membership = Membership.objects.filter(channel=channel, user=user).first() if user else None
    if membership is None:
        raise ImportRefused(NOT_A_MANAGER.format(who=user or "Nobody", channel=channel.slug))
    if not membership.may_edit:
        raise ImportRefused(NO_EDIT_PERMISSION)
    return membership


def active_refusal(active: Import) -> ImportRefused:
    """The refusal of another import while ``active`` is queued or running (R-I16)."""
    who = active.started_by.email or active.started_by.username if active.started_by else "someone"
    when = (active.started_at or active.created_at).astimezone(UTC)
    progress = ""
    if active.status == Import.Status.RUNNING:
        words = ACTIVE_PROGRESS
        if active.heartbeat_at is None:  # its runner let go (an interrupted command)
            words = ACTIVE_INTERRUPTED
        elif selectors.import_is_stalled(active, timezone.now()):
            words = ACTIVE_STALLED
        beat = active.heartbeat_at or active.created_at
        progress = words.format(
            done=f"{active.rows_done:,}",
            total=f"{active.total_rows:,}",
            beat=beat.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
        )
    return ImportRefused(
        IMPORT_ALREADY_ACTIVE.format(
            status=active.status,
            id=active.pk,
            file=active.file_name,
            who=who,
            when=when.strftime("%Y-%m-%d %H:%M"),
            progress=progress,
        ),
        active_import_id=active.pk,
    )
