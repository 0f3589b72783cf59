"""Run, or resume after its last committed row, a queued or running import in the foreground.

A running import is resumed once its runner is gone (its heartbeat stale, or cleared by an
interrupted command); while another process runs it, the command is refused. Ctrl-C or SIGTERM
stops it after the chunk in flight, as for ``import_customers``.
"""

from django.core.management.base import BaseCommand, CommandError

from imports.models import Import

from ._foreground import Interrupts, interrupted, run_in_foreground
from .import_customers import one_line, summary_line

UNKNOWN_IMPORT = "There is no import #{id}."


class Command(BaseCommand):
    help = "Run or resume an import by its id; the last line is its JSON summary."

    def add_arguments(self, parser):
        parser.add_argument("import_id", type=int)

    def handle(self, *args, import_id, **options):
        if not Import.objects.filter(pk=import_id).exists():
            raise CommandError(UNKNOWN_IMPORT.format(id=import_id))
        with Interrupts() as interrupts:
            try:
                imp = run_in_foreground(self, import_id, interrupts)
            except KeyboardInterrupt:
                interrupted(self, Import.objects.get(pk=import_id), interrupts)
        if imp.error_message:
            self.stderr.write(one_line(imp.error_message))
        self.stdout.write(summary_line(imp))
