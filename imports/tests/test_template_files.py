"""The import templates (R-I4): columns, examples and help, and that they import as they are."""

import io

import openpyxl
import pytest
from django.core.files.base import ContentFile

from contacts import profile_types as pt
from contacts.keys import BUILTIN_BY_NAME
from imports import checking, lifecycle, selectors
from imports.engine import mapping
from imports.engine.mapping import KeyInfo
from imports.template_files import (
    HELP_HEADERS,
    HELP_SHEET,
    IDENTIFIER_NOTES,
    OPT_OUT_NOTE,
    TEMPLATE_SHEET,
    TYPE_HELP,
    template_columns,
    template_file_name,
    template_workbook,
)

KINDS = [
    pytest.param("member", None, "memberId", id="member"),
    pytest.param("lead", "email", "email", id="email-lead"),
    pytest.param("lead", "mobile", "mobileNumber", id="mobile-lead"),
]
CUSTOM = [KeyInfo(f"my_{type_name}", f"My {type_name}", type_name) for type_name in pt.TYPES]
EDITABLE_BUILTINS = [
    "name",
    "email",
    "mobileNumber",
    "landlineNumber",
    "unsubscribeEmail",
    "unsubscribeTexting",
]


def sheets(data: bytes) -> tuple[list[tuple], list[tuple], openpyxl.Workbook]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    template = list(book[TEMPLATE_SHEET].iter_rows(values_only=True))
    help_rows = list(book[HELP_SHEET].iter_rows(values_only=True))
    return template, help_rows, book


@pytest.mark.parametrize(("kind", "identifier", "identifier_key"), KINDS)
def test_template_headers_are_the_identifier_then_editable_keys_R_I4(
    kind, identifier, identifier_key
):
    data = template_workbook(kind=kind, identifier=identifier, custom_keys=reversed(CUSTOM))
    (header, example), _, _ = sheets(data)
    builtins = ["memberId", *EDITABLE_BUILTINS] if kind == "member" else EDITABLE_BUILTINS
    assert header[0] == identifier_key
    custom_by_name = sorted(k.name for k in CUSTOM)
    assert list(header[1:]) == [k for k in builtins if k != identifier_key] + custom_by_name
    assert len(example) == len(header)


@pytest.mark.parametrize(("kind", "identifier", "identifier_key"), KINDS)
def test_template_leaves_out_system_keys_and_import_tags_R_C5_R_I10(
    kind, identifier, identifier_key
):
    (header, _), _, _ = sheets(template_workbook(kind=kind, identifier=identifier, custom_keys=[]))
    for name, key in BUILTIN_BY_NAME.items():
        if key.is_system or name == "userImportTag":
            assert name not in header
    if kind == "lead":
        assert "memberId" not in header


@pytest.mark.parametrize(("kind", "identifier", "identifier_key"), KINDS)
def test_every_example_parses_as_its_keys_type_R_T1(kind, identifier, identifier_key):
    columns = template_columns(kind=kind, identifier=identifier, custom_keys=CUSTOM)
    for column in columns:
        assert pt.parse(column.type, column.example) is not pt.EMPTY, column.name


def test_every_type_has_help_with_an_example_that_parses_R_T1():
    assert set(TYPE_HELP) == set(pt.TYPES)
    for type_name, help_ in TYPE_HELP.items():
        assert pt.parse(type_name, help_.example) is not pt.EMPTY


def test_opt_out_examples_give_a_new_customer_both_values_R_I7():
    data = template_workbook(kind="member", identifier=None, custom_keys=[])
    (header, example), _, _ = sheets(data)
    row = dict(zip(header, example, strict=True))
    assert row["unsubscribeEmail"] == "false"
    assert row["unsubscribeTexting"] == "false"


@pytest.mark.parametrize(("kind", "identifier", "identifier_key"), KINDS)
def test_help_sheet_explains_each_column_its_type_and_formats_R_I4(
    kind, identifier, identifier_key
):
    data = template_workbook(kind=kind, identifier=identifier, custom_keys=CUSTOM)
    (header, example), help_rows, _ = sheets(data)
    start = help_rows.index(HELP_HEADERS) + 1
    described = {row[0]: row for row in help_rows[start:]}
    assert list(described) == list(header)
    for name, value in zip(header, example, strict=True):
        _, _, type_label, formats, shown, note = described[name]
        key_type = BUILTIN_BY_NAME[name].type if name in BUILTIN_BY_NAME else name[3:]
        assert type_label == TYPE_HELP[key_type].label
        assert formats
        assert shown == value
        if name in ("unsubscribeEmail", "unsubscribeTexting"):
            assert note == OPT_OUT_NOTE
    assert described[identifier_key][5] == IDENTIFIER_NOTES[identifier_key]
    assert any("unsubscribeEmail and unsubscribeTexting" in (row[0] or "") for row in help_rows)


def test_template_header_is_bold_and_frozen_and_columns_are_text():
    data = template_workbook(kind="member", identifier=None, custom_keys=CUSTOM)
    _, _, book = sheets(data)
    sheet = book[TEMPLATE_SHEET]
    assert sheet.freeze_panes == "A2"
    for cell in sheet[1]:
        assert cell.font.b
        assert sheet.column_dimensions[cell.column_letter].width >= len(cell.value)
        assert sheet.column_dimensions[cell.column_letter].number_format == "@"
    assert all(cell.number_format == "@" and cell.data_type == "s" for cell in sheet[2])


def test_template_file_names_R_I4():
    assert template_file_name(kind="member", identifier=None) == "member-import-template.xlsx"
    assert template_file_name(kind="lead", identifier="email") == "email-lead-import-template.xlsx"
    assert (
        template_file_name(kind="lead", identifier="mobile") == "mobile-lead-import-template.xlsx"
    )


@pytest.mark.parametrize(
    ("kind", "identifier", "message"),
    [
        ("people", None, mapping.KIND_UNKNOWN),
        ("lead", None, mapping.IDENTIFIER_UNKNOWN),
        ("lead", "fax", mapping.IDENTIFIER_UNKNOWN),
        ("member", "email", mapping.IDENTIFIER_FOR_MEMBERS),
    ],
)
def test_unknown_kind_or_identifier_is_refused(kind, identifier, message):
    with pytest.raises(ValueError, match=message):
        template_workbook(kind=kind, identifier=identifier, custom_keys=[])


# the template through the engine


@pytest.fixture
def keyed_channel(channel, owner):
    """The channel with a custom key of every type."""
    from contacts.services import profile_key_add

    for key in CUSTOM:
        profile_key_add(channel=channel, by=owner, name=key.name, label=key.label, type=key.type)
    return channel


@pytest.mark.parametrize(("kind", "identifier", "identifier_key"), KINDS)
def test_template_example_row_checks_without_failures_R_I4(
    keyed_channel, owner, settings, tmp_path, kind, identifier, identifier_key
):
    settings.MEDIA_ROOT = tmp_path
    data = selectors.import_template(keyed_channel, kind=kind, identifier=identifier)
    name = template_file_name(kind=kind, identifier=identifier)
    imp = lifecycle.import_upload(
        channel=keyed_channel, by=owner, file=ContentFile(data, name=name), file_name=name
    )
    lifecycle.import_configure(imp=imp, by=owner, kind=kind, identifier=identifier)
    report = checking.import_check(imp=imp)
    (header, _), _, _ = sheets(data)
    assert imp.mapping == {name: name for name in header}
    assert (report["rows"], report["created"], report["failed"]) == (1, 1, 0), report["reasons"]
