"""Stop a queued or running import, as its page's Stop button does; what was imported stays.

A queued import, or a running one whose runner is gone (a dead worker, an interrupted
command), ends at once; one that runs stops after the chunk in flight. The last line on
standard output is the import's JSON summary.
"""

from django.core.management.base import BaseCommand, CommandError

from imports import refusals, running, selectors
from imports.models import Import

from .import_customers import one_line, summary_line, user_by_email
from .run_import import UNKNOWN_IMPORT

STOPPING = "Import #{id} stops after the chunk in flight."
STOPPED = "Import #{id} is stopped: {done} of {total} rows were imported."


class Command(BaseCommand):
    help = "Stop an import by its id; the last line is its JSON summary."

    def add_arguments(self, parser):
        parser.add_argument("import_id", type=int)
        parser.add_argument(
            "--by", metavar="EMAIL", help="The manager; default: who started it, else the owner."
        )

    def handle(self, *args, import_id, by, **options):
        imp = Import.objects.select_related("channel", "started_by").filter(pk=import_id).first()
        if imp is None:
            raise CommandError(UNKNOWN_IMPORT.format(id=import_id))
        manager = user_by_email(by) if by else imp.started_by
        manager = manager or selectors.channel_owner(imp.channel)
        try:
            imp = running.import_stop(imp=imp, by=manager)
        except refusals.ImportRefused as refusal:
            raise CommandError(one_line(refusal.message)) from None
        if imp.is_active:
            self.stderr.write(STOPPING.format(id=imp.pk))
        else:
            self.stderr.write(
                STOPPED.format(id=imp.pk, done=f"{imp.rows_done:,}", total=f"{imp.total_rows:,}")
            )
        self.stdout.write(summary_line(imp))
