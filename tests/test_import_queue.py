"""Imports through real processes on a committed PostgreSQL database (R-I16, R-I14).

A django-q2 worker killed mid-import and finished by the sweep, on either broker; two import
commands for one channel at once; the Redis broker. The test database is shared with the child
processes, so these tests need PostgreSQL (SQLite's test database lives in this process's
memory).
"""

import json
import os
import re
import signal
from datetime import UTC

import pytest
from django.core.files import File
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from activitylog.models import Entry
from contacts.models import Customer, ProfileKey
from contacts.services import profile_key_add
from imports import lifecycle, recovery, refusals, running, selectors
from imports.management.commands._foreground import ACTIVE_HINT
from imports.management.commands.import_customers import one_line
from imports.models import Import, ImportFailure, Notification
from tests.factories import ChannelFactory, MembershipFactory, UserFactory
from tests.queue_support import (
    CUSTOM_KEYS,
    Process,
    content,
    database_url,
    process_env,
    wait_for,
    write_customers_csv,
)

pytestmark = [pytest.mark.queue, pytest.mark.django_db(transaction=True)]

# The killed import: big enough that a kill lands between two of its many small chunks, small
# enough that the new worker finishes well inside the task timeout.
KILL_ROWS = 24_000
KILL_CHUNK_ROWS = 400
# django-q2's ORM broker hands a task out again only `retry` seconds after a worker took it
# and did not acknowledge it (the default, an hour: never within these tests); its Redis
# broker never. The sweep queues the import again once its heartbeat is `STALE` seconds old;
# it runs when a worker starts and as a schedule django-q2 looks at every 30 s.
Q_TIMEOUT = 300
Q_RETRY = 3700
STALE = 5
RACE_ROWS = 20_000
CLUSTER_WAIT = 180
COMMAND_WAIT = 240
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def database():
    if connection.vendor != "postgresql":
        pytest.skip(
            "Needs PostgreSQL: the SQLite test database is in this process's memory, so worker "
            "and command processes cannot share it. Set DATABASE_URL=postgres://..."
        )
    return database_url(connection.settings_dict)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def processes(tmp_path):
    """Start manage.py commands in their own process groups; every group dies at teardown."""
    started: list[Process] = []

    def start(args, *, env, name):
        process = Process([str(a) for a in args], env=env, logs=tmp_path / "logs", name=name)
        started.append(process)
        return process

    yield start
    for process in reversed(started):
        process.stop(timeout=15)


def make_channel(slug: str, *, logs_import_edits: bool = False):
    """A channel, its owner and the generated file's custom keys."""
    channel = ChannelFactory(
        slug=slug,
        name=slug.title(),
        plan="enterprise" if logs_import_edits else "free",
        has_security_package=logs_import_edits,
    )
    assert channel.logs_import_edits == logs_import_edits
    owner = UserFactory(email=f"owner@{slug}.example.com")
    MembershipFactory(channel=channel, user=owner, role="owner")
    for name, type_name in CUSTOM_KEYS.items():
        profile_key_add(channel=channel, by=owner, name=name, type=type_name)
    return channel, owner


def state(import_id: int) -> dict:
    return Import.objects.values("status", "rows_done", "total_rows").get(pk=import_id)


def exported(slug: str, tmp_path) -> list[str]:
    path = tmp_path / f"{slug}.jsonl"
    call_command("export_customers", slug, output=str(path))
    return path.read_text(encoding="utf-8").splitlines()


def outcome(imp: Import) -> dict:
    """Everything an import leaves behind that does not depend on ids or the clock."""
    return {
        "status": imp.status,
        "error": imp.error_message,
        "rows": (imp.rows_done, imp.total_rows, imp.last_row_number),
        "summary": running.import_summary(imp),
        "failures": list(
            ImportFailure.objects.filter(import_run=imp)
            .order_by("row_number")
            .values_list("row_number", "error_columns", "error_reasons", "values")
        ),
        # Every detail but who started it (each channel has its own owner).
        "activity": sorted(
            (category, action, label, json.dumps(details | {"by": None}, sort_keys=True))
            for category, action, label, details in Entry.objects.filter(
                import_id=imp.pk
            ).values_list("category", "action", "customer_label", "details")
        ),  # "by" names each channel's own owner
        "notifications": Notification.objects.filter(import_run=imp).count(),
        "has_failures_file": bool(imp.failures_file),
    }


def import_in_process(channel, owner, path) -> Import:
    """The same file, uninterrupted, through the services in this process."""
    with path.open("rb") as handle:
        imp = lifecycle.import_upload(
            channel=channel, by=owner, file=File(handle, name=path.name), file_name=path.name
        )
    lifecycle.import_configure(imp=imp, by=owner, kind="member")
    lifecycle.import_start(imp=imp, by=owner, enqueue=False)
    return running.import_run(import_id=imp.pk)


def _kill_worker(cluster: Process) -> None:
    """SIGKILL a cluster's one worker (Q_WORKERS=1), busy with the import; the cluster lives on."""
    # Its sentinel starts another. Not an idle worker: one killed while it waits on the
    # cluster's task queue may hold that queue's lock, and the cluster then takes no task.
    (pid,) = re.findall(r"ready for work at (\d+)", cluster.stderr)
    os.kill(int(pid), signal.SIGKILL)


@pytest.fixture
def broker(request):
    """The broker's settings for a child process, and a check that it lost the killed task."""
    if request.param == "database":
        from django_q.models import OrmQ

        yield {}, lambda: OrmQ.objects.count() == 1  # held for Q_RETRY by the dead worker
        return
    client = _redis()
    name = f"cc-test-kill-{os.getpid()}"
    try:
        yield (
            {"REDIS_URL": REDIS_URL, "Q_CLUSTER_NAME": name},
            lambda: client.llen(f"django_q:{name}:q") == 0,  # handed out, gone with the worker
        )
    finally:
        for key in client.scan_iter(f"django_q:{name}:*"):
            client.delete(key)
        client.close()


@pytest.mark.parametrize(
    ("broker", "death"),
    [("redis", "the cluster, then a new one started"), ("database", "its worker")],
    indirect=["broker"],
)
def test_R_I16_a_killed_worker_s_import_is_resumed_by_the_sweep_like_an_uninterrupted_one(
    database, media, processes, settings, tmp_path, broker, death
):
    """A worker SIGKILLed mid-import: the sweep resumes it; all ends as if imported in one go."""
    broker_env, lost = broker
    channel, owner = make_channel("killed", logs_import_edits=True)
    reference_channel, reference_owner = make_channel("reference", logs_import_edits=True)
    path = write_customers_csv(tmp_path / "customers.csv", KILL_ROWS, seed=11)
    env = process_env(
        database,
        media,
        **{
            "IMPORT_CHUNK_ROWS": KILL_CHUNK_ROWS,
            "IMPORT_STALE_SECONDS": STALE,
            "Q_CLUSTER_NAME": "cc-test-kill",
            "Q_TIMEOUT": Q_TIMEOUT,
            "Q_RETRY": Q_RETRY,
            "Q_WORKERS": 1 if death == "its worker" else 2,
            "LOG_LEVEL": "INFO",
        }
        | broker_env,
    )
    enqueue = processes(
        ["import_customers", channel.slug, path, "--kind", "member", "--queue"],
        env=env,
        name="enqueue",
    )
    assert enqueue.wait(COMMAND_WAIT) == 0, enqueue.stderr
    queued = enqueue.summary()
    assert queued["status"] == "queued"
    import_id = queued["import"]

    first = processes(["qcluster"], env=env, name="cluster-1")
    wait_for(
        lambda: (
            (s := state(import_id))["status"] == "running"
            and s["rows_done"] >= s["total_rows"] // 3 > 0
        ),
        timeout=CLUSTER_WAIT,
        what=f"the first worker to import a third of the file ({first.stderr_path})",
        interval=0.01,
    )
    if death == "its worker":
        _kill_worker(first)
        second = first
    else:
        first.kill()
    at_kill = state(import_id)
    assert at_kill["status"] == "running", "The import ended before the kill: use more rows."
    assert 0 < at_kill["rows_done"] < at_kill["total_rows"]
    # No broker gives the task back (Redis dropped it, the database broker holds it for an
    # hour): the sweep queues it again once its heartbeat is stale.
    assert lost()
    if death != "its worker":
        # Restarted once the heartbeat is stale: the sweep at worker start resumes it.
        settings.IMPORT_STALE_SECONDS = STALE
        stranded = Import.objects.filter(pk=import_id)
        wait_for(
            lambda: stranded.filter(selectors.heartbeat_stale(timezone.now())).exists(),
            timeout=STALE + 10,
            what="the heartbeat to go stale",
        )
        second = processes(["qcluster"], env=env, name="cluster-2")

    wait_for(
        lambda: state(import_id)["status"] in ("succeeded", "failed"),
        timeout=CLUSTER_WAIT,
        what=f"the sweep and a worker to finish the import ({second.stderr_path})",
        interval=0.2,
    )
    from django_q.models import Task

    tasks = Task.objects.filter(name=f"import-{import_id}")
    wait_for(tasks.exists, timeout=30, what="the cluster to save the task's result")
    second.stop()
    assert all(task.success for task in tasks), [task.result for task in tasks]
    # Queued again by the sweep: at the new cluster's start, or by the schedule of the one
    # whose worker died (its new worker started while the heartbeat was still fresh).
    log = second.stderr
    scheduled = log.find(f"from schedule [{recovery.SWEEP_SCHEDULE}]")
    queued_again = log.find(f"Import {import_id} (running) has given no sign of life")
    assert queued_again >= 0, log
    if death == "its worker":
        assert 0 <= scheduled < queued_again, log
    else:
        assert scheduled < 0 or queued_again < scheduled, log

    # Resumed after the last committed chunk: customers, counters, failed rows and activity
    # entries (one per customer edit, R-I15) equal those of the file imported in one go.
    settings.IMPORT_CHUNK_ROWS = KILL_CHUNK_ROWS
    reference = import_in_process(reference_channel, reference_owner, path)
    killed = Import.objects.get(pk=import_id)
    assert killed.rows_done > at_kill["rows_done"]
    assert outcome(killed) == outcome(reference)
    assert killed.status == Import.Status.SUCCEEDED
    assert killed.rows_done == killed.total_rows == KILL_ROWS
    assert killed.created_count > 0 and killed.failed_count > 0
    edits = Entry.objects.filter(import_id=import_id, category=Entry.Category.CUSTOMER_EDIT)
    assert edits.count() >= killed.created_count
    customers = exported("killed", tmp_path)
    assert len(customers) == killed.created_count
    assert content(customers) == content(exported("reference", tmp_path))


def _words(template: str) -> str:
    """A pattern of a message template, any rows and time in its placeholders."""
    pattern = re.escape(template)
    for name in ("done", "total", "beat"):
        pattern = pattern.replace(re.escape("{" + name + "}"), ".+?")
    return pattern


def _refused_by(winner: Import, stderr: str) -> bool:
    """Whether ``stderr`` is the loser's one-line refusal, the winner queued or running (R-I16)."""
    running = (refusals.ACTIVE_PROGRESS, refusals.ACTIVE_STALLED, refusals.ACTIVE_INTERRUPTED)
    progress = {"queued": "", "running": "|".join(_words(words) for words in running)}
    for status, when in (("queued", winner.created_at), ("running", winner.started_at)):
        if when is None:
            continue
        message = refusals.IMPORT_ALREADY_ACTIVE.format(
            status=status,
            id=winner.pk,
            file=winner.file_name,
            who=winner.started_by.email,
            when=when.astimezone(UTC).strftime("%Y-%m-%d %H:%M"),
            progress="\0",
        )
        head, tail = one_line(message).split("\0")
        hint = ACTIVE_HINT.format(id=winner.pk)
        end = re.escape(f"{tail} {hint}")
        if re.fullmatch(f"CommandError: {re.escape(head)}(?:{progress[status]}){end}\n", stderr):
            return True
    return False


def test_R_I16_two_import_commands_started_at_once_one_runs_the_other_is_refused(
    database, media, processes, tmp_path
):
    channel, owner = make_channel("race")
    files = {
        "spring": write_customers_csv(tmp_path / "spring.csv", RACE_ROWS, seed=1, prefix="S"),
        "autumn": write_customers_csv(tmp_path / "autumn.csv", RACE_ROWS, seed=2, prefix="A"),
    }
    env = process_env(database, media)
    commands = {
        name: processes(
            ["import_customers", channel.slug, path, "--kind", "member"], env=env, name=name
        )
        for name, path in files.items()
    }
    codes = {name: command.wait(COMMAND_WAIT) for name, command in commands.items()}

    assert sorted(codes.values()) == [0, 1], {n: c.stderr for n, c in commands.items()}
    winner_name = next(name for name, code in codes.items() if code == 0)
    loser_name = next(name for name, code in codes.items() if code == 1)
    winner = Import.objects.select_related("started_by").get(channel=channel)
    summary = commands[winner_name].summary()
    assert summary["import"] == winner.pk
    assert summary["status"] == winner.status == Import.Status.SUCCEEDED
    assert winner.file_name == f"{winner_name}.csv"
    assert _refused_by(winner, commands[loser_name].stderr), commands[loser_name].stderr
    assert commands[loser_name].stdout == ""
    prefix = {"spring": "S", "autumn": "A"}
    members = Customer.objects.filter(channel=channel)
    assert members.count() == winner.created_count > 0
    assert not members.filter(member_id__startswith=prefix[loser_name]).exists()


def test_R_I16_an_import_command_is_refused_while_another_is_queued_then_runs(
    database, media, processes, tmp_path
):
    channel, owner = make_channel("queued")
    first_path = write_customers_csv(tmp_path / "first.csv", 500, seed=3, prefix="F")
    second_path = write_customers_csv(tmp_path / "second.csv", 500, seed=4, prefix="S")
    with first_path.open("rb") as handle:
        first = lifecycle.import_upload(
            channel=channel, by=owner, file=File(handle, name="first.csv"), file_name="first.csv"
        )
    lifecycle.import_configure(imp=first, by=owner, kind="member")
    lifecycle.import_start(imp=first, by=owner, enqueue=False)
    env = process_env(database, media)
    second_args = ["import_customers", channel.slug, second_path, "--kind", "member"]

    refused = processes(second_args, env=env, name="refused")
    assert refused.wait(COMMAND_WAIT) == 1
    first.refresh_from_db()
    assert first.status == Import.Status.QUEUED
    expected = refusals.IMPORT_ALREADY_ACTIVE.format(
        status="queued",
        id=first.pk,
        file="first.csv",
        who=owner.email,
        when=first.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M"),
        progress="",
    )
    hint = ACTIVE_HINT.format(id=first.pk)
    assert refused.stderr == f"CommandError: {one_line(expected)} {hint}\n"
    assert list(Import.objects.filter(channel=channel)) == [first]

    run = processes(["run_import", first.pk], env=env, name="run")
    assert run.wait(COMMAND_WAIT) == 0, run.stderr
    assert run.summary()["status"] == "succeeded"
    again = processes(second_args, env=env, name="again")
    assert again.wait(COMMAND_WAIT) == 0, again.stderr
    assert again.summary()["status"] == "succeeded"
    assert Customer.objects.filter(channel=channel, member_id__startswith="S").exists()


def _waiting_for_locks(database_name: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'",
            [database_name],
        )
        return cursor.fetchone()[0]


def test_R_I16_two_imports_creating_the_same_new_key_at_once_one_is_refused(
    database, media, processes, tmp_path
):
    """Both commands create the same custom keys on the spot (--new-key) at the same moment."""
    import psycopg

    channel, owner = make_channel("newkey")
    ProfileKey.objects.filter(channel=channel).delete()
    files = [
        write_customers_csv(tmp_path / f"{name}.csv", 2_000, seed=seed, prefix=name[0].upper())
        for seed, name in enumerate(["north", "south"])
    ]
    new_keys = [arg for name, t in CUSTOM_KEYS.items() for arg in ("--new-key", f"{name}:{t}")]
    env = process_env(database, media)
    # A third connection holds uncommitted rows with those key names, so each command stops at
    # its first key until both are inside import_start; then it rolls back and lets them race.
    with psycopg.connect(database) as holder:
        for name, type_name in CUSTOM_KEYS.items():
            holder.execute(
                "INSERT INTO contacts_profilekey (channel_id, name, label, type, created_at) "
                "VALUES (%s, %s, %s, %s, now())",
                [channel.pk, name, name, type_name],
            )
        commands = [
            processes(
                ["import_customers", channel.slug, path, "--kind", "member", *new_keys],
                env=env,
                name=path.stem,
            )
            for path in files
        ]
        wait_for(
            lambda: (
                _waiting_for_locks(connection.settings_dict["NAME"]) >= 2
                or any(c.popen.poll() is not None for c in commands)
            ),
            timeout=COMMAND_WAIT,
            what="both commands to wait inside import_start",
        )
        holder.rollback()
    codes = [command.wait(COMMAND_WAIT) for command in commands]

    assert sorted(codes) == [0, 1], [c.stderr for c in commands]
    winner = Import.objects.select_related("started_by").get(channel=channel)
    loser = commands[codes.index(1)]
    assert _refused_by(winner, loser.stderr), loser.stderr
    assert sorted(ProfileKey.objects.filter(channel=channel).values_list("name", "type")) == (
        sorted(CUSTOM_KEYS.items())
    )


def _redis():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError as error:
        if os.environ.get("CI"):
            pytest.fail(f"Redis at {REDIS_URL} is unreachable on CI: {error}")
        pytest.skip(f"Redis at {REDIS_URL} is unreachable: {error}")
    return client


def test_an_import_runs_through_the_redis_broker(database, media, processes, tmp_path):
    redis_client = _redis()
    name = f"cc-test-redis-{os.getpid()}"
    queue_key = f"django_q:{name}:q"
    redis_client.delete(queue_key)
    try:
        channel, _ = make_channel("redis")
        path = write_customers_csv(tmp_path / "redis.csv", 300, seed=5)
        env = process_env(
            database, media, REDIS_URL=REDIS_URL, Q_CLUSTER_NAME=name, LOG_LEVEL="INFO"
        )
        enqueue = processes(
            ["import_customers", channel.slug, path, "--kind", "member", "--queue"],
            env=env,
            name="enqueue",
        )
        assert enqueue.wait(COMMAND_WAIT) == 0, enqueue.stderr
        import_id = enqueue.summary()["import"]
        # import_start's on_commit put the task on the Redis list, not in the database queue.
        assert redis_client.llen(queue_key) == 1
        from django_q.models import OrmQ

        assert not OrmQ.objects.exists()

        cluster = processes(["qcluster"], env=env, name="cluster")
        wait_for(
            lambda: state(import_id)["status"] in ("succeeded", "failed"),
            timeout=CLUSTER_WAIT,
            what=f"the Redis cluster to run the import ({cluster.stderr_path})",
            interval=0.2,
        )
        cluster.stop()
        imp = Import.objects.get(pk=import_id)
        assert imp.status == Import.Status.SUCCEEDED, imp.error_message
        assert imp.rows_done == imp.total_rows == 300
        assert Customer.objects.filter(channel=channel).count() == imp.created_count > 0
        assert redis_client.llen(queue_key) == 0
    finally:
        for key in redis_client.scan_iter(f"django_q:{name}:*"):
            redis_client.delete(key)
        redis_client.close()


def test_generated_file_is_the_same_for_the_same_seed(tmp_path):
    first = write_customers_csv(tmp_path / "a.csv", 200, seed=9)
    second = write_customers_csv(tmp_path / "b.csv", 200, seed=9)
    changed = write_customers_csv(tmp_path / "c.csv", 200, seed=9, values_seed=10)
    assert first.read_bytes() == second.read_bytes() != changed.read_bytes()
    ids = [line.split(",")[0] for line in first.read_text(encoding="utf-8").splitlines()]
    assert ids == [line.split(",")[0] for line in changed.read_text().splitlines()]
    assert len(set(ids[1:])) < len(ids) - 1  # duplicates: the last row wins
