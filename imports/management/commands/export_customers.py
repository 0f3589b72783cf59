"""Export a channel's customers: JSON lines, or editable data as CSV or .xlsx (R-E1).

``--format jsonl`` (the default) writes every customer, hidden and blocked ones included, one
JSON object a line, ordered by id, each in the shape of contacts.customer_json (the customer
API's too).

``--format csv|xlsx --editable`` writes the editable data of one kind (``--kind member``, the
default, or ``lead`` with ``--identifier email|mobile``), optionally only the customers with
one import tag, hidden and blocked ones included: the file imports back as it is with the same
kind (``imports.exports``). With ``--output`` the last line on standard output is JSON
``{"format", "kind", "identifier", "rows", "output"}``.

Both stream: constant memory.
"""

import json
import os
import sys

from django.core.management.base import BaseCommand, CommandError

from contacts.customer_json import CUSTOMER_FIELDS, customer_json
from contacts.models import Channel, Customer
from imports.engine.export_files import FORMATS
from imports.exports import editable_export

from .import_customers import UNKNOWN_CHANNEL

JSONL = "jsonl"
FORMAT_UNKNOWN = "Choose the export format: jsonl, csv or xlsx."
EDITABLE_NEEDED = "CSV and xlsx exports hold editable data only: add --editable (R-E1)."
EDITABLE_OPTIONS = "--editable, --kind, --identifier and --tag go with --format csv or xlsx."


def customer_line(row: tuple) -> str:
    """One exported customer as a JSON object on one line."""
    return json.dumps(customer_json(row), ensure_ascii=False)


class Command(BaseCommand):
    help = "Export a channel's customers as JSON lines, or their editable data as CSV or xlsx."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--format", default=JSONL, help="jsonl (default), csv or xlsx.")
        parser.add_argument(
            "--editable", action="store_true", help="Editable data only (csv and xlsx, R-E1)."
        )
        parser.add_argument("--kind", default="member", help="member (default) or lead.")
        parser.add_argument("--identifier", help="For leads: email (default) or mobile.")
        parser.add_argument("--tag", help="Only the customers with this import tag.")
        parser.add_argument("--output", metavar="PATH", help="Default: standard output.")

    def handle(self, *args, slug, **options):
        file_format = options["format"]
        if file_format != JSONL and file_format not in FORMATS:
            raise CommandError(FORMAT_UNKNOWN)
        channel = Channel.objects.filter(slug=slug).first()
        if channel is None:
            raise CommandError(UNKNOWN_CHANNEL.format(slug=slug))
        if file_format == JSONL:
            if options["editable"] or options["identifier"] or options["tag"]:
                raise CommandError(EDITABLE_OPTIONS)
            self._json_lines(channel, options["output"])
        elif not options["editable"]:
            raise CommandError(EDITABLE_NEEDED)
        else:
            self._editable(channel, file_format, options)

    def _json_lines(self, channel: Channel, output: str | None) -> None:
        rows = (
            Customer.objects.filter(channel=channel)
            .order_by("id")
            .values_list(*CUSTOMER_FIELDS)
            .iterator(chunk_size=2000)
        )
        if output:
            with open(output, "w", encoding="utf-8") as out:
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

    def _editable(self, channel: Channel, file_format: str, options: dict) -> None:
        try:
            export = editable_export(
                channel=channel,
                kind=options["kind"],
                identifier=options["identifier"],
                file_format=file_format,
                tag=options["tag"] or "",
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        output = options["output"]
        if output:
            with open(output, "wb") as out:
                for chunk in export.chunks:
                    out.write(chunk)
            summary = {
                "format": file_format,
                "kind": export.kind,
                "identifier": export.identifier,
                "rows": export.row_count,
                "output": output,
            }
            self.stdout.write(json.dumps(summary))
        else:
            stream = self.stdout._out if hasattr(self.stdout, "_out") else sys.stdout
            out = getattr(stream, "buffer", stream)
            for chunk in export.chunks:
                out.write(chunk)
            out.flush()
