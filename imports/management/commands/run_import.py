"""Run, or resume after its last committed row, a queued or running import in the foreground."""

from django.core.management.base import BaseCommand, CommandError

from imports import services
from imports.models import Import

from ._progress import ProgressBar
from .import_customers import one_line, summary_line

UNKNOWN_IMPORT = "There is no import #{id}."


class Command(BaseCommand):
    help = "Run or resume an import by its id; the last line is its JSON summary."

    def add_arguments(self, parser):
        parser.add_argument("import_id", type=int)

    def handle(self, *args, import_id, **options):
        if not Import.objects.filter(pk=import_id).exists():
            raise CommandError(UNKNOWN_IMPORT.format(id=import_id))
        bar = ProgressBar(self.stderr._out)
        try:
            imp = services.import_run(import_id=import_id, progress=bar)
        finally:
            bar.close()
        if imp.error_message:
            self.stderr.write(one_line(imp.error_message))
        self.stdout.write(summary_line(imp))
