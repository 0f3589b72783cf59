"""Export a channel's customers as JSON lines, one customer per line, ordered by id.

Hidden and blocked customers are included, each in the shape of contacts.customer_json (the
customer API's too). Streamed: constant memory.
"""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from contacts.customer_json import CUSTOMER_FIELDS, customer_json
from contacts.models import Channel, Customer

from .import_customers import UNKNOWN_CHANNEL

FORMAT_UNKNOWN = 'The only export format is "jsonl".'


def customer_line(row: tuple) -> str:
    """One exported customer as a JSON object on one line."""
    return json.dumps(customer_json(row), ensure_ascii=False)


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
            .values_list(*CUSTOMER_FIELDS)
            .iterator(chunk_size=2000)
        )
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as out:
                for row in rows:
                    out.write(customer_line(row) + "\n")
        else:
            out = self.stdout._out if hasattr(self.stdout, "_out") else sys.stdout
            for row in rows:
                out.write(customer_line(row) + "\n")
