"""The PostgreSQL COPY writer and the portable ORM writer give identical results."""

import json
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from django.db.models.expressions import RawSQL

from activitylog.models import Entry
from contacts.models import Channel, Customer, Membership
from contacts.services import profile_key_add
from imports import lifecycle, orm_writer, pg_writer, running, writers
from imports.models import Import, ImportFailure, ImportMatch
from tests.factories import ChannelFactory, CustomerFactory, MembershipFactory, UserFactory

OPT = "unsubscribeEmail,unsubscribeTexting"
MEMBERS = (
    f"memberId,name,email,mobileNumber,hobbies,visits,{OPT}\n"
    'M1,Ann,ann@example.com,+821020203030,"[""a""]",1,false,false\n'
    "M2,Bob,,,,2.5,true,\n"
    'M1,,ANN@example.com,,"[""b"", ""a""]",,,true\n'
    "M3,Cy,cy@example.com,,,,false,false\n"
    "M4,Dee,,+821011112222,,x,false,false\n"
    ",nobody,,,,,false,false\n"
    "M5,Eve,eve@example.com,,,,false,false\n"
)
LEADS = (
    f"email,mobileNumber,name,hobbies,{OPT}\n"
    'cy@example.com,+821033334444,Cy2,"[""c""]",,\n'
    "new@example.com,+821055556666,New,,true,true\n"
    "lead@example.com,+821077778888,,,,\n"
    "fresh@example.com,+821099990000,Fresh,,false,false\n"
)


def _seed(channel):
    profile_key_add(channel=channel, by=None, name="hobbies", type="list")
    profile_key_add(channel=channel, by=None, name="visits", type="number")
    CustomerFactory(
        channel=channel, member_id="M2", name="Old", email="m2@example.com", profile={"visits": 1}
    )
    CustomerFactory(channel=channel, email="lead@example.com", name="Lead", has_booted=False)
    CustomerFactory(channel=channel, email="eve@example.com", name="", has_booted=False)
    CustomerFactory(
        channel=channel, member_id="M9", name="Nine", email=None, mobile_number="+821099990000"
    )


def _run(channel, owner, text, **options):
    imp = lifecycle.import_upload(
        channel=channel, by=owner, file=ContentFile(text.encode(), name="f.csv"), file_name="f.csv"
    )
    lifecycle.import_configure(imp=imp, by=owner, **options)
    lifecycle.import_start(imp=imp, by=owner, enqueue=False)
    return running.import_run(import_id=imp.id)


def _state(channel):
    out = StringIO()
    call_command("export_customers", channel.slug, stdout=out)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    for row in rows:
        for key in ("id", "createdAt", "updatedAt", "lastSeenAt"):
            row.pop(key)
    return sorted(
        rows, key=lambda r: (r["memberId"] or "", r["email"] or "", r["mobileNumber"] or "")
    )


def _scenario(slug, writer, monkeypatch, settings, chunk_rows, **channel_fields):
    settings.IMPORT_CHUNK_ROWS = chunk_rows
    monkeypatch.setattr(running, "writer_for_connection", lambda: writer)
    channel = ChannelFactory(slug=slug, mu_limit=6, **channel_fields)
    owner = UserFactory(email=f"owner-{slug}@example.com")
    MembershipFactory(channel=channel, user=owner, role=Membership.Role.OWNER)
    _seed(channel)
    results = [
        running.import_summary(_run(channel, owner, MEMBERS, kind="member")),
        running.import_summary(
            _run(channel, owner, LEADS, kind="lead", identifier="email", empty_cells="clear")
        ),
    ]
    failures = list(
        ImportFailure.objects.filter(import_run__channel=channel)
        .order_by("import_run_id", "row_number")
        .values_list("row_number", "error_columns", "error_reasons", "values")
    )
    return results, _state(channel), failures


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the COPY writer needs PostgreSQL")
@pytest.mark.parametrize("chunk_rows", [1, 3, 5000])
def test_copy_and_orm_writers_give_identical_results(db, monkeypatch, settings, chunk_rows):
    copy = _scenario("copy", pg_writer.PostgresWriter(), monkeypatch, settings, chunk_rows)
    orm = _scenario("orm", orm_writer.OrmWriter(), monkeypatch, settings, chunk_rows)
    assert copy == orm
    members, leads = copy[0]
    assert (members["created"], members["updated"], members["failed"], members["unified"]) == (
        3,
        1,
        2,
        1,
    )
    assert (leads["created"], leads["updated"], leads["unified"]) == (1, 3, 1)


def _import_entries(slug):
    """The channel's import entries, sorted, ids and times replaced by what they stand for."""
    channel = Channel.objects.get(slug=slug)
    owner = Membership.objects.get(channel=channel, role=Membership.Role.OWNER).user_id
    imports = Import.objects.filter(channel=channel).order_by("id").values_list("id", flat=True)
    place = {import_id: n for n, import_id in enumerate(imports)}
    customers = {
        c.id: (c.member_id, c.email, c.mobile_number)
        for c in Customer.objects.filter(channel=channel)
    }
    entries = Entry.objects.filter(channel=channel, import_id__isnull=False)
    # Within a chunk the customers come in the order the writer loaded them.
    assert list(entries.order_by("created_at", "id")) == list(entries.order_by("id"))
    rows = (
        (
            place[e.import_id],
            e.category,
            e.action,
            customers.get(e.customer_id, "gone") if e.customer_id else None,  # once unified away
            e.customer_label,
            {key: value for key, value in e.details.items() if key not in ("leadId", "by")},
            e.actor_id == owner,
        )
        for e in entries
    )
    return sorted(rows, key=repr)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the COPY writer needs PostgreSQL")
@pytest.mark.parametrize("chunk_rows", [1, 3, 5000])
def test_R_I15_copy_and_orm_writers_log_the_same_customer_edits(
    db, monkeypatch, settings, chunk_rows
):
    """On PostgreSQL the entries go through COPY: the same as the ORM writes, in the same order."""
    enterprise = {"plan": Channel.Plan.ENTERPRISE, "has_security_package": True}
    copy = _scenario(
        "copy", pg_writer.PostgresWriter(), monkeypatch, settings, chunk_rows, **enterprise
    )
    orm = _scenario("orm", orm_writer.OrmWriter(), monkeypatch, settings, chunk_rows, **enterprise)
    assert copy == orm
    copied, written = _import_entries("copy"), _import_entries("orm")
    assert copied == written
    edits = [e for e in copied if e[1] == Entry.Category.CUSTOMER_EDIT]
    created = [e[5] for e in edits if e[2] == orm_writer.CREATED_BY_IMPORT]
    assert len(created) == 4 and len(edits) - len(created) >= 4
    assert {"keys": [], "created": True} in created
    if chunk_rows == 5000:  # M1's second row changes it in the chunk that creates it
        assert {"keys": ["hobbies", "unsubscribeTexting"], "created": True} in created
    assert any(e[1] == Entry.Category.UNIFICATION for e in copied)


@pytest.mark.parametrize("chunk_rows", [1, 3, 5000])
def test_the_chunk_size_never_changes_the_result(db, monkeypatch, settings, chunk_rows):
    writer = writers.writer_for_connection()
    got = _scenario(f"c{chunk_rows}", writer, monkeypatch, settings, chunk_rows)
    expected = _scenario(f"whole{chunk_rows}", writer, monkeypatch, settings, 10_000)
    assert got == expected


def _row_version():
    """The customer's row version on PostgreSQL (any write makes a new one); None elsewhere."""
    if connection.vendor != "postgresql":
        return None
    return Customer.objects.annotate(v=RawSQL("xmin::text", [])).values_list("v", flat=True).get()


def test_an_unchanged_reimport_writes_no_customer(channel, owner, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    CustomerFactory(channel=channel, member_id="M1", name="Ann", import_tags=["t"])
    text = "memberId,name\nM1,Ann\nM1,Ann\n"
    before, version = Customer.objects.values().get(), _row_version()
    imp = lifecycle.import_upload(
        channel=channel, by=owner, file=ContentFile(text.encode(), name="t.csv"), file_name="t.csv"
    )
    lifecycle.import_configure(imp=imp, by=owner, kind="member")
    lifecycle.import_start(imp=imp, by=owner, enqueue=False)
    settings.IMPORT_CHUNK_ROWS = 1  # the second row, in its own chunk, finds the first's match
    done = running.import_run(import_id=imp.id)
    assert done.updated_count == 1
    assert Customer.objects.values().get() == before
    assert _row_version() == version
    assert not ImportMatch.objects.exists()  # kept only while the import runs
    assert Channel.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row versions are PostgreSQL's")
def test_a_customer_changed_after_the_load_is_planned_again_under_locks(
    channel, owner, settings, tmp_path, monkeypatch
):
    settings.MEDIA_ROOT = tmp_path
    CustomerFactory(
        channel=channel, member_id="M1", name="Ann", landline_number=None, import_tags=["t"]
    )
    CustomerFactory(channel=channel, member_id="M2", name="Bo", import_tags=["t"])
    checks = []
    real = pg_writer.PostgresWriter.lock_current

    def meanwhile(self, records):
        if not checks:  # a manager edits M1 between the chunk's load and its lock
            Customer.objects.filter(member_id="M1").update(landline_number="+82212345678")
        checks.append(sorted(r.member_id for r in records))
        return real(self, records)

    monkeypatch.setattr(pg_writer.PostgresWriter, "lock_current", meanwhile)
    text = "memberId,name\nM1,Anna\nM2,Bo\n"
    imp = lifecycle.import_upload(
        channel=channel, by=owner, file=ContentFile(text.encode(), name="t.csv"), file_name="t.csv"
    )
    lifecycle.import_configure(imp=imp, by=owner, kind="member")
    lifecycle.import_start(imp=imp, by=owner, enqueue=False)
    done = running.import_run(import_id=imp.id)
    assert checks == [["M1"]]  # the second plan loaded under locks: nothing left to check
    assert done.updated_count == 2
    m1 = Customer.objects.get(member_id="M1")
    assert (m1.name, m1.landline_number) == ("Anna", "+82212345678")  # both edits kept


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the COPY writer needs PostgreSQL")
def test_stored_values_round_trip_exactly_through_the_copy_writer(channel):
    """Values written through the copy writer read back exactly as they were stored."""
    # JSON goes through orjson, with the json module for what orjson would refuse or round (an
    # integer past 64 bits); timestamps go as text.
    big = 2**70 + 1
    profile = {"n": big, "f": 0.1, "s": 'é\t"\\\n', "l": ["가", "1234567890123456789012"]}
    stored = CustomerFactory(channel=channel, member_id="M1", profile=profile)
    writer = pg_writer.PostgresWriter()
    [record] = writer.load(channel_id=channel.id, member_ids=["M1"])
    assert record.profile == profile and type(record.profile["n"]) is int
    record.member_id = "M2"
    record.created_at = record.updated_at = stored.created_at
    record.last_seen_at = stored.last_seen_at
    record.created_by_import_id = None
    writer.insert(channel_id=channel.id, records=[record], need_ids=True)
    copied = Customer.objects.get(member_id="M2")
    assert copied.profile == profile and copied.import_tags == stored.import_tags
    assert (copied.created_at, copied.last_seen_at) == (stored.created_at, stored.last_seen_at)
