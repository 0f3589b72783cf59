"""A quote that opens a cell and never closes, or pairs with nothing, never swallows or splits
rows silently (R-I14): the file is refused naming the row and column, in the dry run as in the
run, before anything is written; a multi-line note that closes still imports."""

import csv
import io
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contacts.models import Customer
from imports import lifecycle, running, selectors
from imports.engine.mapping import KeyInfo, MappingError, resolve
from imports.engine.parsing import RowParser
from imports.engine.planner import ChunkPlanner
from imports.engine.quotes import QUOTE_LONE, QUOTE_NOT_CLOSED, QUOTE_TEXT_AFTER
from imports.engine.reading import FileRefused, open_table
from imports.models import Import, ImportFailure
from imports.refusals import ImportRefused
from tests.factories import ChannelFactory, MembershipFactory, UserFactory

HEADER = ["email", "unsubscribeEmail", "unsubscribeTexting", "company", "note"]
MINIMAL = (
    "email,unsubscribeEmail,unsubscribeTexting,company\n"
    'a@x.test,false,false,"Acme\n'
    "b@x.test,false,false,Beta\n"
    "c@x.test,false,false,Gamma\n"
)
NOT_CLOSED_ROW_2 = QUOTE_NOT_CLOSED.format(row=2, column='D ("company")')
NOW = datetime(2025, 5, 4, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def refusal(text: str) -> str:
    with pytest.raises(FileRefused) as caught, open_table(io.BytesIO(text.encode())) as table:
        list(table.rows())
    return caught.value.message


def import_lead_file(channel, by, text: str) -> Import:
    """Upload, map (company and note as new string keys), start and run a lead import."""
    imp = lifecycle.import_upload(
        channel=channel, by=by, file=ContentFile(text.encode(), name="f.csv"), file_name="f.csv"
    )
    headers = selectors.import_preview(imp, rows=0)[0]
    new_keys = {h: "string" for h in ("company", "note") if h in headers}
    lifecycle.import_configure(imp=imp, by=by, kind="lead", identifier="email", new_keys=new_keys)
    lifecycle.import_start(imp=imp, by=by, enqueue=False)
    return running.import_run(import_id=imp.id)


# the reader


def test_R_I14_an_unclosed_quote_is_refused_naming_its_row_and_column():
    assert refusal(MINIMAL) == NOT_CLOSED_ROW_2


def test_R_I14_text_after_a_closing_quote_is_refused_naming_the_cell():
    text = 'email,name\na@x.test,"Kim" Jr\n'
    assert refusal(text) == QUOTE_TEXT_AFTER.format(row=2, column='B ("name")')


def test_R_I14_a_lone_quote_is_refused_once_cells_are_quoted_before_any_row_is_read():
    # The stray quote after "ab" closed the note early; its rest became rows 3 and 4.
    text = 'email,note,other\na@x.test,"ab",c\nd\ne",z\nf@x.test,"q, r",s\n'
    assert refusal(text) == QUOTE_LONE.format(row=4, column='A ("email")')


def test_R_I14_a_lone_quote_in_a_file_without_quoted_cells_is_text():
    text = 'email,size\na@x.test,55"\nb@x.test,5\'11" tall\n'
    with open_table(io.BytesIO(text.encode())) as table:
        assert [cells for _, cells, _ in table.rows()] == [
            ["a@x.test", '55"'],
            ["b@x.test", "5'11\" tall"],
        ]


def test_R_I14_quoted_cells_with_line_breaks_that_close_are_one_row_each():
    text = 'email,note\r\na@x.test,"line 1\r\nline 2, ""quoted"""\r\nb@x.test,"x\ny"\r\n'
    with open_table(io.BytesIO(text.encode())) as table:
        assert list(table.rows()) == [
            (2, ["a@x.test", 'line 1\r\nline 2, "quoted"'], None),
            (3, ["b@x.test", "x\ny"], None),
        ]


# the services and the command


def test_R_I14_an_unclosed_quote_is_refused_at_upload_and_nothing_is_written(channel, owner):
    with pytest.raises(ImportRefused) as caught:
        import_lead_file(channel, owner, MINIMAL)
    assert caught.value.message == NOT_CLOSED_ROW_2
    assert not Customer.objects.exists() and not Import.objects.exists()


PART_WAY = "email,unsubscribeEmail,unsubscribeTexting,company\n" + "".join(
    f"u{n}@x.test,false,false,Co {n}\n" for n in range(30)
)
PART_WAY += 'z@x.test,n,n,"Z" Inc\n'
TEXT_AFTER_ROW_32 = QUOTE_TEXT_AFTER.format(row=32, column='D ("company")')


@pytest.mark.parametrize(
    "text, message", [(MINIMAL, NOT_CLOSED_ROW_2), (PART_WAY, TEXT_AFTER_ROW_32)]
)
@pytest.mark.parametrize("dry_run", [True, False], ids=["dry-run", "run"])
def test_R_I11_the_dry_run_and_the_run_refuse_a_broken_quote_alike(
    channel, owner, tmp_path, dry_run, text, message
):
    path = tmp_path / "leads.csv"
    path.write_text(text)
    args = ["import_customers", channel.slug, str(path), "--kind", "lead"]
    args += ["--identifier", "email", "--new-key", "company:string"]
    with pytest.raises(CommandError) as caught:
        call_command(*args, *(["--dry-run"] if dry_run else []), stdout=StringIO())
    assert str(caught.value) == message
    assert not Customer.objects.exists()


def test_R_I14_a_run_refuses_a_broken_quote_found_part_way_before_writing(channel, owner):
    imp = import_lead_file(channel, owner, PART_WAY)
    assert imp.status == Import.Status.FAILED
    assert imp.error_message == TEXT_AFTER_ROW_32
    assert not Customer.objects.exists()


def test_R_I14_a_multi_line_note_that_closes_is_imported(channel, owner):
    text = "email,unsubscribeEmail,unsubscribeTexting,note\n"
    text += 'a@x.test,false,false,"Call after 6pm,\nnot on Sundays"\nb@x.test,false,false,x\n'
    imp = import_lead_file(channel, owner, text)
    assert (imp.created_count, imp.failed_count) == (2, 0)
    note = Customer.objects.get(email="a@x.test").profile["note"]
    assert note == "Call after 6pm,\nnot on Sundays"


# any file the csv module writes, plus one stray quote

_VALUE = st.text(alphabet="ab ,;'\"\r\n", max_size=8)
_ROWS = st.lists(st.tuples(_VALUE, _VALUE), min_size=1, max_size=5)
# The writer's own dialects: "excel" quotes what needs it and ends lines with CRLF, "unix"
# quotes every cell and ends lines with LF.
_DIALECTS = st.sampled_from(["excel", "unix"])


def _written(rows: list[tuple[str, str]], dialect: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, dialect=dialect)
    writer.writerow(HEADER)
    for n, (company, note) in enumerate(rows):
        writer.writerow([f"u{n}@x.test", "false", "false", company, note])
    return out.getvalue()


def _with_stray_quote(rows, dialect: str, data) -> str:
    text = _written(rows, dialect)
    at = data.draw(st.integers(0, len(text)), label="stray quote at")
    return text[:at] + '"' + text[at:]


@settings(max_examples=600, deadline=None)
@given(rows=_ROWS, dialect=_DIALECTS, data=st.data())
def test_R_I14_the_engine_refuses_a_stray_quote_or_loses_and_joins_no_row(rows, dialect, data):
    """The reader, parser and planner alone (no database), over many more files."""
    text = _with_stray_quote(rows, dialect, data)
    keys = [KeyInfo(name, name, "string") for name in ("company", "note")]
    try:
        with open_table(io.BytesIO(text.encode())) as table:
            table.count_rows()
            mapping = resolve(
                headers=table.headers, custom_keys=keys, kind="lead", identifier="email"
            )
            parser = RowParser(mapping)
            items = [parser.parse(row) for row in table.rows()]
    except (FileRefused, MappingError):
        return
    planner = ChunkPlanner(mapping, import_id=1, tag="t", clear_empty=False, now=NOW, mu_room=None)
    outcome = planner.plan(items, [])
    assert outcome.created_count + len(outcome.failures) == len(rows)
    for record in outcome.created:
        assert not any("@" in str(value) for value in record.profile.values())
    for failure in outcome.failures:
        assert sum(str(value).count("@") for value in failure.values.values()) <= 1


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=_ROWS, dialect=_DIALECTS, data=st.data())
def test_R_I14_a_stray_quote_anywhere_refuses_the_file_or_loses_and_joins_no_row(
    db, rows, dialect, data
):
    """Any csv-written file plus a stray quote: refused, or every row counted, none joined."""
    text = _with_stray_quote(rows, dialect, data)
    channel = ChannelFactory()
    owner = UserFactory()
    MembershipFactory(channel=channel, user=owner, role="owner")
    try:
        imp = import_lead_file(channel, owner, text)
    except ImportRefused:
        return
    assert imp.status == Import.Status.SUCCEEDED, imp.error_message
    assert imp.created_count + imp.updated_count + imp.failed_count == len(rows)
    # No value holds a piece of another row: values never hold "@", so one that does took in
    # another row's email.
    customers = Customer.objects.filter(channel=channel)
    for customer in customers:
        assert not any("@" in str(value) for value in customer.profile.values())
    for values in ImportFailure.objects.filter(import_run=imp).values_list("values", flat=True):
        assert sum(str(value).count("@") for value in values.values()) <= 1
