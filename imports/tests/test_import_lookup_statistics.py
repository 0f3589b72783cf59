"""Import lookups probe the key's index however stale the planner's statistics are (PostgreSQL).

A channel created, or grown, since the customer table's last ANALYZE is one the statistics put
at about no customers; planned from them, a lookup reads the whole channel for every key.
"""

import pytest
from django.db import connection

from imports import pg_writer

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="planner statistics are PostgreSQL's"
)

CUSTOMERS = 3000
KEY_INDEXES = {
    "member_id": "customer_unique_member_id",
    "email": "customer_email_idx",
    "mobile_number": "customer_mobile_idx",
}


def _fill(channel, prefix: str, count: int) -> None:
    """``count`` members, in one statement (the ORM would take seconds)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO contacts_customer (channel_id, member_id, name, email, mobile_number, "
            "email_verified, mobile_verified, import_tags, profile, created_at, updated_at, "
            "last_seen_at, has_booted, is_hidden, is_blocked) "
            "SELECT %s, %s || n, 'Customer ' || n, lower(%s) || n || '@example.com', "
            "'+8210' || lpad(n::text, 8, '0'), true, false, '[]', '{}', now(), now(), now(), "
            "false, false, false FROM generate_series(1, %s) AS n",
            [channel.pk, prefix, prefix, count],
        )


def _analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE contacts_customer")


def _plan(sql: str, params) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def _probe_plan(channel, column: str) -> str:
    """The plan of one key probe, shaped as the writer's: a key from a list, the channel given."""
    return _plan(
        "SELECT c.id FROM unnest(%s::text[]) AS k(value), LATERAL (SELECT id FROM "
        f"contacts_customer WHERE channel_id = %s AND {column} = k.value OFFSET 0) AS c",
        [["x", "y"], channel.pk],
    )


@pytest.fixture
def lookups(monkeypatch):
    """The statements the writer's lookups run, with their parameters."""
    seen: list[tuple[str, list]] = []
    real = pg_writer.fetch_lookup

    def spy(sql, params):
        seen.append((sql, params))
        return real(sql, params)

    monkeypatch.setattr(pg_writer, "fetch_lookup", spy)
    return seen


def test_lookups_use_the_key_indexes_in_a_channel_created_since_the_last_analyze(
    channel, other_channel, lookups
):
    _fill(other_channel, "A", CUSTOMERS)
    _analyze()
    _fill(channel, "B", CUSTOMERS)
    # The trap: planned from these statistics, an email probe reads the channel's entries.
    assert KEY_INDEXES["email"] not in _probe_plan(channel, "email")

    writer = pg_writer.PostgresWriter()
    wanted = [f"B{n}" for n in range(100, CUSTOMERS, 97)]
    found = writer.load(
        channel_id=channel.pk,
        member_ids=wanted,
        emails=["b5@example.com"],
        mobiles=["+821000000007"],
    )
    light = writer.load_light(
        channel_id=channel.pk, column="email", values=["b6@example.com"], list_keys=[]
    )

    assert sorted(r.member_id for r in found) == sorted([*wanted, "B5", "B7"])
    assert [r.email for r in light] == ["b6@example.com"]
    assert len(lookups) == 2
    for sql, params in lookups:
        plan = _plan(sql, params)
        assert "customer_last_seen_idx" not in plan, plan
        assert any(index in plan for index in KEY_INDEXES.values()), plan
    for column, index in KEY_INDEXES.items():
        assert index in _probe_plan(channel, column), column


def _table_rows() -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = 'contacts_customer'::regclass")
        return cursor.fetchone()[0]


def test_statistics_that_know_the_channel_are_left_alone(channel):
    _fill(channel, "B", CUSTOMERS)
    _analyze()
    _fill(channel, "C", 50)
    writer = pg_writer.PostgresWriter()
    assert len(writer.load(channel_id=channel.pk, member_ids=["B1", "C1"])) == 2
    assert _table_rows() == CUSTOMERS  # not analyzed again
