"""Delete failed-rows files past their 30 days and the uploads of imports ended 30 days ago."""

from django.core.management.base import BaseCommand

from imports.lifecycle import import_files_purge


class Command(BaseCommand):
    help = "Delete expired failed-rows files and old uploaded import files (R-I14)."

    def handle(self, *args, **options):
        failures, sources = import_files_purge()
        self.stdout.write(f"Deleted {failures} failed-rows files and {sources} uploaded files.")
