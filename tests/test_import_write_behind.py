"""Chunks committed on a second connection while the next one is planned (PostgreSQL).

The run must end exactly as the ordinary one, chunk by chunk: a chunk planned ahead that
reaches the chunk in flight is planned again after its commit; a chunk whose customers changed
after its load runs again under locks; an error in the writer fails the import at that
chunk's first row with nothing of it written.
"""

import threading

import pytest
from django.db import connection

from contacts.models import Channel, Customer
from imports import services
from imports.models import Import
from tests.queue_support import content, write_customers_csv
from tests.test_import_queue import exported, import_in_process, make_channel, outcome

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="chunks are written behind on PostgreSQL only"
    ),
]

ROWS = 600
CHUNK_ROWS = 20


@pytest.fixture
def files(tmp_path):
    # Repeats close together, so that chunks planned ahead often reach the chunk in flight.
    first = write_customers_csv(tmp_path / "c.csv", ROWS, seed=5, duplicate_share=0.25)
    # The same customers, every value changed.
    changed = write_customers_csv(
        tmp_path / "d.csv", ROWS, seed=5, values_seed=6, duplicate_share=0.25
    )
    return first, changed


@pytest.fixture
def imports(settings, tmp_path):
    """Import a file into a channel (made on first use), written behind or in turn."""
    settings.MEDIA_ROOT = tmp_path
    settings.IMPORT_CHUNK_ROWS = CHUNK_ROWS

    def run(slug, path, *, behind: bool, logs_import_edits: bool = False, mu_limit=None):
        settings.IMPORT_WRITE_BEHIND_MIN_BYTES = 0 if behind else 10**12
        channel = Channel.objects.filter(slug=slug).first()
        if channel is None:
            channel, _ = make_channel(slug, logs_import_edits=logs_import_edits)
            channel.mu_limit = mu_limit
            channel.save(update_fields=["mu_limit"])
        owner = channel.memberships.get(role="owner").user
        return import_in_process(channel, owner, path)

    return run


@pytest.fixture
def commits(monkeypatch):
    """The first row of each chunk the writer thread committed, and that thread's name."""
    calls = []
    real = services._commit_planned

    def spy(imp, planned, writer, logs_edits):
        calls.append((planned.chunk.first_row, threading.current_thread().name))
        return real(imp, planned, writer, logs_edits)

    monkeypatch.setattr(services, "_commit_planned", spy)
    return calls


@pytest.mark.parametrize("logs_import_edits", [False, True])
def test_chunks_written_behind_end_like_chunks_written_in_turn(
    imports, files, commits, monkeypatch, tmp_path, logs_import_edits
):
    reached = []
    real = services._Planned.reaches

    def reaches(self, other):
        reached.append(real(self, other))
        return reached[-1]

    monkeypatch.setattr(services._Planned, "reaches", reaches)
    first, changed = files
    options = {"logs_import_edits": logs_import_edits, "mu_limit": 300}
    behind = [imports("behind", path, behind=True, **options) for path in (first, changed)]
    assert len(commits) == 2 * ROWS // CHUNK_ROWS
    assert all(name.startswith("import-writer") for _, name in commits)
    assert any(reached) and not all(reached)  # some chunks reached the one ahead, some not
    in_turn = [imports("in-turn", path, behind=False, **options) for path in (first, changed)]
    assert [outcome(imp) for imp in behind] == [outcome(imp) for imp in in_turn]
    assert behind[0].status == behind[1].status == Import.Status.SUCCEEDED
    assert behind[0].created_hidden_count > 0  # R-M3's room carried from chunk to chunk
    assert behind[1].updated_count > 0
    assert content(exported("behind", tmp_path)) == content(exported("in-turn", tmp_path))


def test_a_chunk_whose_customer_changed_after_its_load_runs_again_under_locks(
    imports, files, commits, monkeypatch, tmp_path
):
    """A manager edits a customer the second chunk updates, after the chunk was loaded and
    before the writer locks it: the writer rolls the chunk back and it runs again the ordinary
    way. The manager's edit and the import's values are both kept."""
    first, changed = files
    imports("behind", first, behind=False)
    imports("in-turn", first, behind=False)
    edited = []
    real_commit = services._commit_planned

    def meanwhile(imp, planned, writer, logs_edits):
        if len(commits) == 1:  # the second chunk, loaded and planned, not locked yet
            member_id = next(r.member_id for r in planned.outcome.updated if r.changed)
            edited.append(member_id)
            # A manager, on a connection of their own.
            thread = threading.Thread(target=_verify_email, args=("behind", member_id))
            thread.start()
            thread.join()
        return real_commit(imp, planned, writer, logs_edits)

    monkeypatch.setattr(services, "_commit_planned", meanwhile)
    in_turn_runs = []
    real_run = services._run_chunk

    def run_chunk(imp, mapping, writer, chunk, logs_edits):
        in_turn_runs.append(chunk.first_row)
        return real_run(imp, mapping, writer, chunk, logs_edits)

    monkeypatch.setattr(services, "_run_chunk", run_chunk)
    behind = imports("behind", changed, behind=True)
    assert edited and in_turn_runs == [commits[1][0]]
    monkeypatch.setattr(services, "_run_chunk", real_run)
    in_turn = imports("in-turn", changed, behind=False)
    _verify_email("in-turn", edited[0])
    assert outcome(behind) == outcome(in_turn)
    assert Customer.objects.get(channel__slug="behind", member_id=edited[0]).email_verified
    assert content(exported("behind", tmp_path)) == content(exported("in-turn", tmp_path))


def _verify_email(slug: str, member_id: str) -> None:
    Customer.objects.filter(channel__slug=slug, member_id=member_id).update(email_verified=True)
    if threading.current_thread() is not threading.main_thread():
        connection.close()


def test_an_error_in_the_writer_fails_the_import_at_its_chunk_with_nothing_of_it_written(
    imports, files, commits, monkeypatch
):
    writes = []
    real = services._write

    def failing(imp, outcome, writer, logs_edits):
        writes.append(real(imp, outcome, writer, logs_edits))
        if len(writes) == 3:
            raise RuntimeError("the disk is full")
        return writes[-1]

    monkeypatch.setattr(services, "_write", failing)
    imp = imports("behind", files[0], behind=True)
    assert imp.status == Import.Status.FAILED
    third_row = commits[2][0]
    assert imp.error_message == services.IMPORT_CRASHED.format(row=third_row, error="RuntimeError")
    assert imp.rows_done == 2 * CHUNK_ROWS and imp.last_row_number == third_row - 1
    assert Customer.objects.filter(channel=imp.channel).count() == imp.created_count
