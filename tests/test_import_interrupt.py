"""Ctrl-C or SIGTERM on an import run in a command's foreground (R-I16).

The real command gets a real SIGINT, sent to its process group as a terminal's Ctrl-C is: it
stops after the chunk in flight, says how to resume, exits 130 without a traceback; the channel
refuses another import naming this one; ``run_import`` finishes it with the counts of an import
never interrupted. The child processes use the test's PostgreSQL database, or on SQLite a
database file of their own.
"""

import os
import signal
import sqlite3

import pytest
from django.core.files import File
from django.db import connection

from contacts.models import ProfileKey
from contacts.services import profile_key_add
from imports import lifecycle, refusals, running
from imports.management.commands import _foreground as foreground
from imports.management.commands.import_customers import one_line
from imports.models import Import
from tests.factories import MembershipFactory, UserFactory
from tests.queue_support import (
    CUSTOM_KEYS,
    Process,
    database_url,
    process_env,
    wait_for,
    write_customers_csv,
)

pytestmark = pytest.mark.django_db(transaction=True)

ROWS = 6_000
CHUNK_ROWS = 200
COMMAND_WAIT = 240
NEW_KEYS = [arg for name, kind in CUSTOM_KEYS.items() for arg in ("--new-key", f"{name}:{kind}")]


class Children:
    """manage.py commands on one database, and the rows they leave in it."""

    def __init__(self, tmp_path):
        self.tmp_path = tmp_path
        self.started: list[Process] = []
        self.sqlite = None
        if connection.vendor == "postgresql":
            url = database_url(connection.settings_dict)
        else:
            self.sqlite = tmp_path / "children.sqlite3"
            url = f"sqlite:///{self.sqlite}"
        self.env = process_env(url, tmp_path / "media", IMPORT_CHUNK_ROWS=CHUNK_ROWS)
        if self.sqlite is not None:
            self.finish(["migrate", "--verbosity", "0"], name="migrate")

    def start(self, args, *, name: str) -> Process:
        process = Process([str(a) for a in args], env=self.env, logs=self.tmp_path, name=name)
        self.started.append(process)
        return process

    def finish(self, args, *, name: str, code: int = 0) -> Process:
        process = self.start(args, name=name)
        assert process.wait(COMMAND_WAIT) == code, process.stderr
        return process

    def rows(self, sql: str, params=()) -> list[tuple]:
        if self.sqlite is None:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()
        with sqlite3.connect(self.sqlite) as db:
            return db.execute(sql.replace("%s", "?"), params).fetchall()

    def state(self, import_id: int) -> tuple:
        return self.rows(
            "SELECT status, rows_done, total_rows, heartbeat_at FROM imports_import WHERE id = %s",
            [import_id],
        )[0]

    def stop_all(self) -> None:
        for process in reversed(self.started):
            process.stop(timeout=15)


@pytest.fixture
def children(tmp_path):
    started = Children(tmp_path)
    yield started
    started.stop_all()


def test_R_I16_ctrl_c_stops_an_import_after_the_chunk_in_flight_and_run_import_resumes_it(
    children, tmp_path
):
    for slug in ("acme", "reference"):
        children.finish(
            ["channel_create", slug, "--name", slug, "--owner-email", f"owner@{slug}.example.com"],
            name=f"channel-{slug}",
        )
    path = write_customers_csv(tmp_path / "customers.csv", ROWS, seed=21)
    importing = children.start(
        ["import_customers", "acme", path, "--kind", "member", *NEW_KEYS], name="import"
    )
    import_id = wait_for(
        lambda: children.rows("SELECT id FROM imports_import WHERE status = 'running'"),
        timeout=COMMAND_WAIT,
        what=f"the import to start ({importing.stderr_path})",
    )[0][0]
    wait_for(
        lambda: (s := children.state(import_id))[1] >= s[2] // 4 > 0,
        timeout=COMMAND_WAIT,
        what="a quarter of the file",
        interval=0.01,
    )
    before = children.state(import_id)[1]
    importing._signal_group(signal.SIGINT)

    assert importing.wait(COMMAND_WAIT) == 128 + signal.SIGINT
    status, done, total, heartbeat = children.state(import_id)
    assert status == "running", "The import ended before the signal: use more rows."
    assert heartbeat is None  # let go of: resumable at once
    assert before <= done < total == ROWS and done % CHUNK_ROWS == 0
    assert "Traceback" not in importing.stderr
    assert importing.stderr.splitlines() == [
        foreground.INTERRUPTED.format(id=import_id, done=f"{done:,}", total=f"{total:,}"),
        foreground.RESUME.format(id=import_id),
    ]
    summary = importing.summary()
    assert (summary["import"], summary["status"]) == (import_id, "running")

    other = write_customers_csv(tmp_path / "other.csv", 50, seed=22, prefix="O")
    refused = children.finish(
        ["import_customers", "acme", other, "--kind", "member"], name="refused", code=1
    )
    message = refusals.IMPORT_ALREADY_ACTIVE.format(
        status="running",
        id=import_id,
        file="customers.csv",
        who="owner@acme.example.com",
        when="\0",
        progress=refusals.ACTIVE_INTERRUPTED.format(done=f"{done:,}", total=f"{total:,}"),
    )
    head, tail = one_line(message).split("\0")
    line = refused.stderr.strip()
    assert line.startswith(f"CommandError: {head}") and line.endswith(
        f"{tail} {foreground.ACTIVE_HINT.format(id=import_id)}"
    )

    resumed = children.finish(["run_import", import_id], name="resume")
    reference = children.finish(
        ["import_customers", "reference", path, "--kind", "member", *NEW_KEYS], name="reference"
    )
    assert resumed.summary() == reference.summary() | {"import": import_id}
    assert resumed.summary()["status"] == "succeeded"
    assert children.state(import_id)[1:3] == (ROWS, ROWS)


def test_the_first_signal_asks_the_run_to_stop_and_a_second_stops_it_at_once():
    """SIGTERM as the first signal here, SIGINT as the second: both are caught the same way."""
    previous = signal.getsignal(signal.SIGTERM)
    with foreground.Interrupts() as interrupts:
        interrupts.graceful = True
        os.kill(os.getpid(), signal.SIGTERM)
        wait_for(interrupts, timeout=5, what="the handler")
        assert interrupts.exit_code == 128 + signal.SIGTERM
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)
            wait_for(lambda: False, timeout=5, what="KeyboardInterrupt")
    assert signal.getsignal(signal.SIGTERM) is previous
    with foreground.Interrupts(), pytest.raises(KeyboardInterrupt):  # before the run: at once
        os.kill(os.getpid(), signal.SIGTERM)
        wait_for(lambda: False, timeout=5, what="KeyboardInterrupt")


@pytest.mark.parametrize("how", ["after the chunk", "at once"])
def test_an_interrupted_run_lets_go_of_the_import_and_resumes_exactly(
    how, channel, owner, other_channel, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMPORT_CHUNK_ROWS = 50
    path = write_customers_csv(tmp_path / "customers.csv", 400, seed=23)
    chunks = []

    def interrupted():
        if len(chunks) == 3:
            if how == "at once":
                raise KeyboardInterrupt
            return True
        chunks.append(1)
        return False

    imp = _started(channel, owner, path)
    if how == "at once":
        with pytest.raises(KeyboardInterrupt):
            running.import_run(import_id=imp.pk, interrupted=interrupted)
    else:
        running.import_run(import_id=imp.pk, interrupted=interrupted)
    imp.refresh_from_db()
    assert (imp.status, imp.rows_done, imp.heartbeat_at) == (Import.Status.RUNNING, 150, None)

    resumed = running.import_run(import_id=imp.pk)
    other_owner = UserFactory(email="o2@example.com")
    MembershipFactory(channel=other_channel, user=other_owner, role="owner")
    whole = running.import_run(import_id=_started(other_channel, other_owner, path).pk)
    assert resumed.status == Import.Status.SUCCEEDED
    assert running.import_summary(resumed) == running.import_summary(whole)
    assert resumed.rows_done == whole.rows_done == 400


def _started(channel, by, path) -> Import:
    for name, kind in CUSTOM_KEYS.items():
        if not ProfileKey.objects.filter(channel=channel, name=name).exists():
            profile_key_add(channel=channel, by=by, name=name, type=kind)
    with path.open("rb") as handle:
        imp = lifecycle.import_upload(
            channel=channel, by=by, file=File(handle, name=path.name), file_name=path.name
        )
    lifecycle.import_configure(imp=imp, by=by, kind="member")
    return lifecycle.import_start(imp=imp, by=by, enqueue=False)
