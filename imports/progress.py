"""How an import's progress and outcome read to a manager: percent, speed, time left, words."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from imports.models import Import
from imports.selectors import import_is_stalled

OUTCOMES = {
    Import.Status.QUEUED: "Queued: waiting for a worker",
    Import.Status.RUNNING: "Running",
    Import.Status.SUCCEEDED: "Succeeded",
    Import.Status.STOPPED: "Stopped",
}


@dataclass(frozen=True)
class Progress:
    percent: int
    rate: int  # rows a second since the run started; 0 before any row is done
    left: str  # time left in words, "" while unknown
    is_stalled: bool = False  # running, but its worker has given no sign of life (resuming)


def import_progress(imp: Import, now: datetime) -> Progress:
    """Percent done, rows a second and time left of a queued or running import."""
    total, done = imp.total_rows, imp.rows_done
    elapsed = (now - imp.started_at).total_seconds() if imp.started_at else 0
    rate = int(done / elapsed) if elapsed > 0 and done else 0
    left = _duration((total - done) / rate) if rate and total > done else ""
    stalled = import_is_stalled(imp, now)
    return Progress(
        percent=percent(done, total), rate=rate, left="" if stalled else left, is_stalled=stalled
    )


def _duration(seconds: float) -> str:
    seconds = max(1, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    text = str(timedelta(seconds=seconds))
    minutes, secs = divmod(seconds, 60)
    return f"{minutes} min {secs:02d} s" if seconds < 3600 else text


def outcome_words(imp: Import) -> str:
    """The import's status in words: "Succeeded", "Failed: <why>", "Stopped", ..."""
    if imp.status == Import.Status.FAILED:
        return f"Failed: {imp.error_message}" if imp.error_message else "Failed"
    return OUTCOMES.get(imp.status, imp.get_status_display())


def percent(done: int, total: int) -> int:
    """How much of ``total`` is done, in whole percent."""
    return min(100, int(100 * done / total)) if total else 0
