"""Every reader fixture imports end to end, or is refused with the reader's own message."""

import re
from pathlib import Path

import pytest
from django.core.files import File

from contacts.models import Customer
from imports import lifecycle, refusals, running
from imports.engine import mapping as mapping_engine
from imports.engine.reading import FileRefused, open_table
from imports.models import Import, ImportFailure
from tests.factories import CustomerFactory

FIXTURES = Path(__file__).parent / "fixtures"
FILES = sorted(p for p in FIXTURES.iterdir() if p.suffix in (".csv", ".xlsx"))
_KEY_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _reader_view(path: Path):
    """What the reader makes of the file: its refusal, or its headers and rows."""
    try:
        with open_table(path) as table:
            return None, table.headers, list(table.rows())
    except FileRefused as refusal:
        return refusal.message, None, None


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_reader_fixture_imports_or_is_refused_with_its_message(channel, owner, path):
    refusal, headers, rows = _reader_view(path)
    # Existing members, so the rows update them (a new member would need both opt-outs, R-I7).
    for i in range(1, 10):
        CustomerFactory(channel=channel, member_id=f"M{i}", name="", email=None)
    with path.open("rb") as handle:
        if refusal is not None:
            with pytest.raises(refusals.ImportRefused) as caught:
                lifecycle.import_upload(
                    channel=channel, by=owner, file=File(handle), file_name=path.name
                )
            assert caught.value.message == refusal
            return
        imp = lifecycle.import_upload(
            channel=channel, by=owner, file=File(handle), file_name=path.name
        )
    keys = mapping_engine.available_keys([], {})
    suggested = mapping_engine.suggest(headers, keys)
    unmatched = [h for h, key in suggested.items() if key is None]
    new_keys = {h: "string" for h in unmatched if _KEY_NAME.fullmatch(h)}
    skip = [h for h in unmatched if h not in new_keys]
    if "memberId" not in headers:
        with pytest.raises(refusals.ImportRefused) as caught:
            lifecycle.import_configure(
                imp=imp, by=owner, kind="member", new_keys=new_keys, skip=skip
            )
        assert caught.value.message.startswith("A member import needs a column mapped to memberId")
        return
    lifecycle.import_configure(imp=imp, by=owner, kind="member", new_keys=new_keys, skip=skip)
    lifecycle.import_start(imp=imp, by=owner, enqueue=False)
    imp = running.import_run(import_id=imp.id)

    assert imp.status == Import.Status.SUCCEEDED, imp.error_message
    assert imp.rows_done == imp.total_rows == len(rows)
    failed = set(ImportFailure.objects.filter(import_run=imp).values_list("row_number", flat=True))
    assert imp.failed_count == len(failed)
    assert {number for number, _, error in rows if error} <= failed
    name_at = headers.index("name") if "name" in headers else None
    for number, cells, _ in rows:
        if number in failed or name_at is None:
            continue
        member = Customer.objects.get(channel=channel, member_id=cells[0].strip())
        assert member.name == cells[name_at].strip()
        assert imp.tag in member.import_tags


def _run(channel, owner, name, **options):
    with (FIXTURES / name).open("rb") as handle:
        imp = lifecycle.import_upload(channel=channel, by=owner, file=File(handle), file_name=name)
    lifecycle.import_configure(imp=imp, by=owner, kind="member", **options)
    lifecycle.import_start(imp=imp, by=owner, enqueue=False)
    return running.import_run(import_id=imp.id)


def test_R_I22_korean_and_utf16_files_keep_their_text(channel, owner):
    for i in (1, 2, 3):
        CustomerFactory(channel=channel, member_id=f"M{i}", email=None)
    assert _run(channel, owner, "cp949_korean.csv").status == Import.Status.SUCCEEDED
    assert Customer.objects.get(member_id="M2").name == "이영희"
    assert Customer.objects.get(member_id="M2").email == "younghee@example.kr"
    _run(channel, owner, "utf16le_bom.csv")
    assert Customer.objects.get(member_id="M2").name == "José"


def test_quoted_cells_keep_commas_quotes_and_line_breaks(channel, owner):
    for i in (1, 2, 3):
        CustomerFactory(channel=channel, member_id=f"M{i}")
    _run(channel, owner, "quoted.csv", new_keys={"address": "string"}, skip=["note"])
    first = Customer.objects.get(member_id="M1")
    assert first.name == "Kim, Minsu"
    assert first.profile == {"address": "Line 1\r\nLine 2"}
    assert Customer.objects.get(member_id="M2").name == 'Say "hi"'
