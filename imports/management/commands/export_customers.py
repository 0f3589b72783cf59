"""Export a channel's customers as JSON lines, one customer per line, ordered by id.

Hidden and blocked customers are included. Absent values are null; timestamps are ISO 8601 in
UTC with milliseconds ("2025-05-04T09:00:00.000Z"); custom keys keep their typed JSON values,
sorted by name so the output is the same on every database. Streamed: constant memory.
"""

import json
import os
import sys
from datetime import UTC

from django.core.management.base import BaseCommand, CommandError

from contacts.models import Channel, Customer

from .import_customers import UNKNOWN_CHANNEL

FORMAT_UNKNOWN = 'The only export format is "jsonl".'
_FIELDS = (
    "id",
    "member_id",
    "name",
    "email",
    "mobile_number",
    "landline_number",
    "email_verified",
    "mobile_verified",
    "unsubscribe_email",
    "unsubscribe_texting",
    "import_tags",
    "created_at",
    "updated_at",
    "last_seen_at",
    "is_hidden",
    "is_blocked",
    "profile",
)


def _when(moment):
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def customer_line(row: tuple) -> str:
    """One exported customer as a JSON object on one line."""
    (pk, member_id, name, email, mobile, landline, email_verified, mobile_verified,
     unsubscribe_email, unsubscribe_texting, tags, created, updated, seen, hidden, blocked,
     profile) = row  # fmt: skip
    return json.dumps(
        {
            "id": pk,
            "type": "member" if member_id is not None else "lead",
            "memberId": member_id,
            "name": name or None,
            "email": email,
            "mobileNumber": mobile,
            "landlineNumber": landline,
            "emailVerified": email_verified,
            "mobileVerified": mobile_verified,
            "unsubscribeEmail": unsubscribe_email,
            "unsubscribeTexting": unsubscribe_texting,
            "userImportTag": list(tags or []),
            "createdAt": _when(created),
            "updatedAt": _when(updated),
            "lastSeenAt": _when(seen),
            "isHidden": hidden,
            "isBlocked": blocked,
            "profile": {key: (profile or {})[key] for key in sorted(profile or {})},
        },
        ensure_ascii=False,
    )


class Command(BaseCommand):
    help = "Export a channel's customers, hidden and blocked ones included, as JSON lines."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--format", default="jsonl")
        parser.add_argument("--output", metavar="PATH", help="Default: standard output.")

    def handle(self, *args, slug, **options):
        if options["format"] != "jsonl":
            raise CommandError(FORMAT_UNKNOWN)
        channel = Channel.objects.filter(slug=slug).first()
        if channel is None:
            raise CommandError(UNKNOWN_CHANNEL.format(slug=slug))
        rows = (
            Customer.objects.filter(channel=channel)
            .order_by("id")
            .values_list(*_FIELDS)
            .iterator(chunk_size=2000)
        )
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as out:
                for row in rows:
                    out.write(customer_line(row) + "\n")
        else:
            out = self.stdout._out if hasattr(self.stdout, "_out") else sys.stdout
            try:
                for row in rows:
                    out.write(customer_line(row) + "\n")
                out.flush()
            except BrokenPipeError:
                # The reader stopped early (`| head`): end quietly, as command-line tools do.
                # Standard output goes to /dev/null so that the flush at exit fails no more.
                os.dup2(os.open(os.devnull, os.O_WRONLY), out.fileno())
