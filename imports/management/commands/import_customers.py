"""Import customers from a CSV or .xlsx file into a channel, like the web import does.

The last line on standard output is one JSON object with the import's id, status and counters.
Exit 0 when the import ran or was checked (failed rows included); exit 1 with a one-line reason
on standard error when it is refused, or when it stops with an error (after its summary).
Ctrl-C or SIGTERM stops it after the chunk in flight and leaves it resumable (``run_import``),
exit 128 + the signal's number (``_foreground``).
"""

import json
import shutil
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from contacts import profile_types
from contacts.models import Channel
from imports import checking, failed_rows, lifecycle, refusals, selectors
from imports.engine.counts import Counts
from imports.engine.failures import FailuresWorkbook
from imports.models import Import

from ._foreground import ACTIVE_HINT, Interrupts, interrupted, run_in_foreground
from ._progress import ProgressBar

UNKNOWN_CHANNEL = 'There is no channel with the slug "{slug}".'
UNKNOWN_MANAGER = 'There is no manager with the email "{email}".'
NO_OWNER = "The channel has no owner; name the manager with --by."
FILE_NOT_FOUND = "The file {path} does not exist."
BAD_MAP = 'Write --map as "HEADER=key", not "{value}".'
BAD_NEW_KEY = 'Write --new-key as "key:type", not "{value}".'
BAD_OPT_OUT = 'Write --{flag} as true or false, not "{value}".'


def summary_line(imp: Import) -> str:
    """The command's last line: the import's id, status and counters as JSON."""
    return _line(imp.pk, imp.status, imp.counts)


def _line(import_id: int | None, status: str, counts: Counts) -> str:
    return json.dumps({"import": import_id, "status": status} | counts.as_json())


def one_line(message: str) -> str:
    return " ".join(message.split())


def _rows_word(count: int) -> str:
    return "row" if count == 1 else "rows"


def user_by_email(email: str):
    """The user with this login or email (CommandError if none)."""
    User = get_user_model()
    user = (
        User.objects.filter(username__iexact=email).first()
        or User.objects.filter(email__iexact=email).first()
    )
    if user is None:
        raise CommandError(UNKNOWN_MANAGER.format(email=email))
    return user


class Command(BaseCommand):
    help = "Import customers from a CSV or .xlsx file into a channel."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The channel's slug.")
        parser.add_argument("file", help="The CSV or .xlsx file.")
        parser.add_argument("--kind", required=True, help="member or lead (R-I1).")
        parser.add_argument("--identifier", help="For leads: email or mobile.")
        parser.add_argument(
            "--map", action="append", default=[], metavar="HEADER=key", help="Map a column."
        )
        parser.add_argument(
            "--skip", action="append", default=[], metavar="HEADER", help="Do not import a column."
        )
        parser.add_argument(
            "--new-key",
            action="append",
            default=[],
            metavar="key:type",
            help="Create a custom profile key for the mapping.",
        )
        parser.add_argument("--empty-cells", default="keep", help="keep or clear (R-I8).")
        parser.add_argument("--tag", help="The import tag; default: the file name (R-I10).")
        for flag in ("new-unsubscribe-email", "new-unsubscribe-texting"):
            parser.add_argument(
                f"--{flag}",
                metavar="true|false",
                help="With the other one: the opt-out of new customers whose row has none (R-I7a).",
            )
        parser.add_argument("--by", metavar="EMAIL", help="The manager; default: the owner.")
        parser.add_argument("--encoding", help="The file's text encoding, if not detected.")
        parser.add_argument("--dry-run", action="store_true", help="Check only (R-I11).")
        parser.add_argument("--failures-out", metavar="PATH", help="Write the failed rows here.")
        parser.add_argument("--queue", action="store_true", help="Only enqueue for the worker.")

    def handle(self, *args, **options):
        self.import_id = None
        with Interrupts() as interrupts:
            try:
                return self._import(interrupts, **options)
            except KeyboardInterrupt:
                imp = Import.objects.filter(pk=self.import_id).first() if self.import_id else None
                interrupted(self, imp, interrupts)

    def _import(self, interrupts: Interrupts, **options):
        channel = Channel.objects.filter(slug=options["slug"]).first()
        if channel is None:
            raise CommandError(UNKNOWN_CHANNEL.format(slug=options["slug"]))
        by = self._manager(channel, options["by"])
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(FILE_NOT_FOUND.format(path=path))
        explicit = dict(self._pair(v, "=", BAD_MAP) for v in options["map"])
        new_keys = dict(self._pair(v, ":", BAD_NEW_KEY) for v in options["new_key"])
        new_email = self._boolean(options["new_unsubscribe_email"], "new-unsubscribe-email")
        new_texting = self._boolean(options["new_unsubscribe_texting"], "new-unsubscribe-texting")
        draft = {
            "channel": channel,
            "by": by,
            "path": path,
            "encoding": options["encoding"],
            "choices": {
                "kind": options["kind"],
                "identifier": options["identifier"],
                "mapping": explicit,
                "skip": options["skip"],
                "new_keys": new_keys,
                "empty_cells": options["empty_cells"],
                "tag": options["tag"],
                "new_unsubscribe_email": new_email,
                "new_unsubscribe_texting": new_texting,
            },
            "on_draft": self._remember,
        }
        try:
            if options["dry_run"]:
                return self._check(draft, options["failures_out"])
            imp = lifecycle.import_file_start(enqueue=options["queue"], **draft)
        except refusals.ImportRefused as refusal:
            message = one_line(refusal.message)
            if refusal.active_import_id is not None:
                message += " " + ACTIVE_HINT.format(id=refusal.active_import_id)
            raise CommandError(message) from None
        if options["queue"]:
            self.stdout.write(summary_line(imp))
            return
        imp = run_in_foreground(self, imp.pk, interrupts)
        if options["failures_out"]:
            self._write_failures(imp, options["failures_out"])
        self.stdout.write(summary_line(imp))
        if imp.error_message:
            raise CommandError(one_line(imp.error_message))

    def _remember(self, imp: Import) -> None:
        """Keep the draft's id: an interrupted command reports where it left the import."""
        self.import_id = imp.pk

    @staticmethod
    def _write_failures(imp: Import, path: str) -> None:
        """The failed-rows file the run saved, or one with only its header row."""
        if not imp.failures_file:
            failed_rows.failures_write(imp, path)
            return
        with imp.failures_file.open("rb") as source, open(path, "wb") as target:
            shutil.copyfileobj(source, target)

    def _check(self, draft: dict, failures_out: str | None) -> None:
        book: FailuresWorkbook | None = None

        def start_book(keys: list[str]) -> None:
            nonlocal book
            book = FailuresWorkbook(keys)

        def add_failure(failure) -> None:
            book.add(failure.row_number, failure.columns, failure.reasons, failure.values)

        bar = ProgressBar(self.stderr._out)
        try:
            report = checking.import_file_check(
                on_keys=start_book if failures_out else None,
                on_failure=add_failure if failures_out else None,
                progress=bar if bar.enabled else None,
                **draft,
            )
        finally:
            bar.close()
        if book is not None:
            book.save(failures_out)
        for group in report["reasons"]:
            column = f"{group['column']}: " if group["column"] else ""
            count, rows = group["count"], group["rows"]
            listed = ", ".join(map(str, rows))
            self.stderr.write(
                f"{count} {_rows_word(count)}: {column}{group['reason']} "
                f"({_rows_word(len(rows))} {listed})"
            )
        # A dry run keeps nothing but its report: no import to name.
        self.stdout.write(_line(None, "dry-run", Counts.from_json(report)))

    def _manager(self, channel: Channel, email: str | None):
        if email is None:
            owner = selectors.channel_owner(channel)
            if owner is None:
                raise CommandError(NO_OWNER)
            return owner
        return user_by_email(email)

    @staticmethod
    def _boolean(value: str | None, flag: str) -> bool | None:
        if value is None:
            return None
        try:
            parsed = profile_types.parse(profile_types.BOOLEAN, value)
        except profile_types.ProfileValueError:
            parsed = None
        if type(parsed) is not bool:
            raise CommandError(BAD_OPT_OUT.format(flag=flag, value=value))
        return parsed

    @staticmethod
    def _pair(value: str, separator: str, message: str) -> tuple[str, str]:
        left, found, right = value.rpartition(separator)
        if not found or not left.strip() or not right.strip():
            raise CommandError(message.format(value=value))
        return left.strip(), right.strip()
