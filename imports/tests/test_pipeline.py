"""Parsing in a second process: same items, same errors, nothing left running."""

import json
import os
from io import StringIO

import pytest
from django.core.management import call_command

from imports.engine.pipeline import ChildDied, Forked
from imports.engine.reading import FileRefused
from imports.models import Import


def _children() -> set[int]:
    try:
        with open(f"/proc/{os.getpid()}/task/{os.getpid()}/children") as handle:
            return {int(pid) for pid in handle.read().split()}
    except FileNotFoundError:  # pragma: no cover - not Linux
        return set()


def test_items_arrive_in_order_and_the_child_is_gone():
    before = _children()
    assert list(Forked(lambda: ({"n": i, "row": [str(i)] * 3} for i in range(2000)))) == [
        {"n": i, "row": [str(i)] * 3} for i in range(2000)
    ]
    assert _children() == before


def test_the_childs_error_is_raised_here_with_its_message():
    def produce():
        yield 1
        raise FileRefused("Row 7 could not be decoded as cp949.")

    items = Forked(produce)
    assert next(items) == 1
    with pytest.raises(FileRefused) as caught:
        next(items)
    assert caught.value.message == "Row 7 could not be decoded as cp949."


def test_a_child_that_dies_is_reported_not_waited_for():
    def produce():
        yield 1
        os._exit(3)

    with pytest.raises(ChildDied):
        list(Forked(produce))


def test_stopping_early_stops_the_child():
    before = _children()
    items = Forked(lambda: iter(range(10**9)))
    assert next(items) == 0
    items.close()
    assert _children() == before


def _import(tmp_path, slug, path):
    out = StringIO()
    call_command(
        "import_customers", slug, str(path), "--kind", "member", "--new-key", "points:number",
        "--new-key", "hobbies:list", stdout=out, stderr=StringIO(),
    )  # fmt: skip
    return json.loads(out.getvalue().strip().splitlines()[-1])


def _export(slug):
    out = StringIO()
    call_command("export_customers", slug, "--format", "jsonl", stdout=out)
    keep = ("memberId", "name", "email", "mobileNumber", "profile", "userImportTag", "isHidden")
    return [{k: row[k] for k in keep} for row in map(json.loads, out.getvalue().splitlines())]


def test_an_import_parsed_in_a_second_process_equals_the_one_parsed_here(settings, tmp_path, db):
    """R-I18 and R-I14 hold whichever process parses: same customers, counts and failed rows."""
    from contacts.channels import channel_create

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMPORT_CHUNK_ROWS = 7
    lines = ["memberId,name,email,mobileNumber,points,hobbies,unsubscribeEmail,unsubscribeTexting"]
    for i in range(60):
        member = f"M{i % 45}"  # later rows update earlier customers: the last row wins
        points = "1,000" if i % 13 == 0 else str(i)  # some rows fail
        lines.append(
            f"{member},Name {i},m{i % 45}@example.com,+82 010-2000-{i % 45:04d},{points},"
            f'"[""h{i % 3}""]",false,true'
        )
    path = tmp_path / "members.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    results = {}
    for slug, threshold in (("serial", 10**12), ("forked", 0)):
        channel_create(slug=slug, name=slug, owner_email=f"{slug}@example.com")
        settings.IMPORT_PARALLEL_PARSE_MIN_BYTES = threshold
        summary = _import(tmp_path, slug, path)
        failures = list(
            Import.objects.get(channel__slug=slug)
            .failures.order_by("row_number")
            .values_list("row_number", "error_reasons")
        )
        results[slug] = (
            {k: v for k, v in summary.items() if k != "import"},
            failures,
            _export(slug),
        )
    assert results["forked"] == results["serial"]
    assert results["serial"][0]["failed"] == 5


def test_rows_are_counted_while_the_child_reads_the_same_file(settings, tmp_path, db, monkeypatch):
    """The parent counts the file's rows through a handle of its own while the child parses."""
    # A shared file position would make the child skip or repeat parts of the file.
    from contacts.channels import channel_create
    from imports.engine import reading

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMPORT_PARALLEL_PARSE_MIN_BYTES = 0
    settings.IMPORT_CHUNK_ROWS = 50
    monkeypatch.setattr(reading, "READ_BUFFER_BYTES", 1024)
    header = "memberId,name,unsubscribeEmail,unsubscribeTexting"
    lines = [header] + [f"M{i:05d},Customer number {i},false,true" for i in range(3000)]
    path = tmp_path / "members.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    channel_create(slug="counted", name="counted", owner_email="owner@example.com")
    summary = _import(tmp_path, "counted", path)
    assert (summary["created"], summary["failed"]) == (3000, 0)
    assert Import.objects.get().total_rows == 3000
    assert [row["memberId"] for row in _export("counted")] == [f"M{i:05d}" for i in range(3000)]
