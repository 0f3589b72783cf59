"""An import run in a command's foreground: its progress bar, Ctrl-C and SIGTERM (R-I16).

Decisions:
- The first SIGINT or SIGTERM once the run has started asks it to stop after the chunk in
  flight; the import stays running, its heartbeat cleared, so ``run_import`` (or a worker's
  sweep) resumes it at once. A second one, or one before the run started, stops at once: the
  chunk in flight rolls back, nothing half-written. Either way the command explains itself on
  standard error and exits 128 + the signal's number, without a traceback.
- An import another process runs is refused with its progress (CommandError): the command
  neither waits for it nor runs it twice.
- The parsing child of a big file ignores both signals: the command decides, and ends it.
"""

import signal
import threading
from datetime import UTC

from django.conf import settings
from django.core.management.base import CommandError

from imports import running
from imports.models import Import

from ._progress import ProgressBar

INTERRUPTED = (
    "Interrupted: import #{id} stopped after row {done} of {total}; the rows before are "
    "imported. A running worker resumes it by itself; to end it instead: manage.py "
    "stop_import {id}"
)
RESUME = "resume with: manage.py run_import {id}"
INTERRUPTED_BEFORE_START = "Interrupted before the import started: nothing was imported."
RUNNING_ELSEWHERE = (
    "Import #{id} is running in another process: row {done} of {total}, last progress "
    "{beat} UTC. If that process has died, a worker resumes the import by itself, and this "
    "command can once it has made no progress for {stale} seconds."
)
# Added to an R-I16 refusal on the command line.
ACTIVE_HINT = (
    "From the shell: manage.py run_import {id} resumes it once its runner is gone, "
    "manage.py stop_import {id} stops it."
)


class Interrupts:
    """SIGINT and SIGTERM while a command runs; call it to know whether one came."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self.received: int | None = None
        self.graceful = False  # set once the run started: the first signal only asks it to stop
        self._previous: dict = {}

    def __enter__(self) -> "Interrupts":
        if threading.current_thread() is threading.main_thread():  # signals go to it alone
            for signum in self.SIGNALS:
                self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc_info) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)

    def _handle(self, signum, frame) -> None:
        first = self.received is None
        self.received = self.received or signum
        if not (first and self.graceful):
            raise KeyboardInterrupt

    def __call__(self) -> bool:
        return self.received is not None

    @property
    def exit_code(self) -> int:
        return 128 + (self.received or signal.SIGINT)


def run_in_foreground(command, import_id: int, interrupts: Interrupts) -> Import:
    """Run or resume the import with a progress bar (SystemExit on a signal, see Decisions)."""
    bar = ProgressBar(command.stderr._out)
    interrupts.graceful = True
    try:
        imp = running.import_run(import_id=import_id, progress=bar, interrupted=interrupts)
    finally:
        bar.close()
    if imp.is_active:
        if interrupts():
            interrupted(command, imp, interrupts)
        beat = imp.heartbeat_at or imp.started_at or imp.created_at
        raise CommandError(
            RUNNING_ELSEWHERE.format(
                id=imp.pk,
                done=f"{imp.rows_done:,}",
                total=f"{imp.total_rows:,}",
                beat=beat.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
                stale=settings.IMPORT_STALE_SECONDS,
            )
        )
    return imp


def interrupted(command, imp: Import | None, interrupts: Interrupts) -> None:
    """Say where an interrupted command left the import, then exit 128 + the signal."""
    from .import_customers import summary_line

    if imp is None:
        command.stderr.write(INTERRUPTED_BEFORE_START)
    else:
        imp.refresh_from_db()
        if imp.is_active:
            command.stderr.write(
                INTERRUPTED.format(
                    id=imp.pk, done=f"{imp.rows_done:,}", total=f"{imp.total_rows:,}"
                )
            )
            command.stderr.write(RESUME.format(id=imp.pk))
        command.stdout.write(summary_line(imp))
    raise SystemExit(interrupts.exit_code)
