"""The downloadable Excel templates of member, email-lead and mobile-lead imports (R-I4).

Pure: openpyxl and the engine's key descriptions, no Django. ``template_workbook`` takes the
channel's custom keys as plain ``name``/``label``/``type`` objects (``selectors.custom_keys``).

Decisions where the rules leave room:
- Row 1 holds key *names*, not labels: the mapping matches a header to a key's name by itself
  (R-I5), and names are unique where labels need not be. The identifier comes first (R-I5),
  then the other manager-editable built-in keys in their usual order, then the custom keys by
  name. ``userImportTag`` is left out (tags come from the import itself, R-I10), and so is
  ``memberId`` in a lead import (R-I1).
- Row 2 is one example customer, a real row: uploaded as it is, it checks without a failure
  (tested). Both opt-outs say ``false``, as a new customer needs both values (R-I7).
- Every column is formatted as text, header and example cells included, so Excel keeps what
  the manager types: ``+821020203030`` stays a phone number instead of becoming 821020203030,
  ``0010`` keeps its zeros and ``2025-05-04`` stays a date in the accepted form.
- A second sheet, "How to fill in", lists per column its label, type, accepted formats
  (R-T1), example and what it does; the general rules (R-I7, R-I8, R-I9, R-I17) come first.
"""

import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from contacts import profile_types as pt
from contacts.keys import BUILTIN_KEYS, OPT_OUT_KEYS
from imports.engine import mapping

TEMPLATE_SHEET = "Customers"
HELP_SHEET = "How to fill in"
TEXT_FORMAT = "@"
MIN_WIDTH = 12
MAX_WIDTH = 60
HELP_HEADERS = ("Column", "Label", "Type", "Accepted formats", "Example", "What it does")
HELP_WIDTHS = (22, 22, 16, 60, 30, 60)

FILE_NAMES = {
    (mapping.MEMBER, None): "member-import-template.xlsx",
    (mapping.LEAD, mapping.BY_EMAIL): "email-lead-import-template.xlsx",
    (mapping.LEAD, mapping.BY_MOBILE): "mobile-lead-import-template.xlsx",
}
TITLES = {
    (mapping.MEMBER, None): "Member import",
    (mapping.LEAD, mapping.BY_EMAIL): "Lead import by email",
    (mapping.LEAD, mapping.BY_MOBILE): "Lead import by mobile number",
}


@dataclass(frozen=True, slots=True)
class TypeHelp:
    """How a profile type is named, written and exemplified in the templates."""

    label: str
    formats: str
    example: str


TYPE_HELP: dict[str, TypeHelp] = {
    pt.STRING: TypeHelp("string", "Any text, at most 512 characters.", "Example text"),
    pt.PHONE: TypeHelp(
        "phone number",
        "With the country code: +821020203030 or +82 10-2020-3030. Spaces, dashes, dots and "
        "parentheses are fine; a 0 after the country code (+82 010-...) is dropped.",
        "+82 10-2020-3030",
    ),
    pt.NUMBER: TypeHelp(
        "number",
        "An integer or a decimal with a point: 1 or 1.01. No thousands separator (1,000 is an "
        "error); at most 15 significant digits.",
        "1.01",
    ),
    pt.DATE: TypeHelp("date", "YYYY-MM-DD, e.g. 2025-05-04.", "2025-05-04"),
    pt.DATETIME: TypeHelp(
        "datetime",
        "ISO 8601 with an offset (2025-05-04T09:00:00+09:00), with Z, or with no offset (read "
        "as UTC); a date alone (2025-05-04); or epoch milliseconds (1746316800000). "
        "2025.05.04 and 2025/05/04 are refused.",
        "2025-05-04T09:00:00+09:00",
    ),
    pt.BOOLEAN: TypeHelp("boolean", "true/false, yes/no, y/n or 1/0, in any case.", "true"),
    pt.LIST: TypeHelp(
        "list",
        'Texts in brackets and double quotes: ["a", "b"]. At most 200 items of at most 512 '
        "characters. The items are added to the customer's list (R-I9).",
        '["a", "b"]',
    ),
    pt.LIST_OF_NUMBER: TypeHelp(
        "list of number",
        "Numbers in brackets: [1, 2]. At most 200 items. The numbers are added to the "
        "customer's list (R-I9).",
        "[1, 2]",
    ),
    pt.TAG: TypeHelp(
        "tag",
        'Tags in brackets and double quotes: ["vip", "basic/level1"]. A tag has at most 2 '
        'levels separated by one "/", and no . , $ \\ or space. The tags are added to the '
        "customer's tags (R-I9).",
        '["vip", "basic/level1"]',
    ),
}

# Built-in keys whose example or meaning is more than their type's.
BUILTIN_EXAMPLES = {
    "memberId": "member-0001",
    "name": "Jane Doe",
    "email": "jane.doe@example.com",
    "landlineNumber": "+82 2-555-6666",
    "unsubscribeEmail": "false",
    "unsubscribeTexting": "false",
}
EMAIL_FORMATS = "An email address like name@example.com, at most 254 characters."
IDENTIFIER_NOTES = {
    "memberId": (
        "Required in every row: the member's ID on your site. A row updates the member with "
        "this memberId, or creates a new member."
    ),
    "email": (
        "Required in every row: the customer with this email is updated (the one seen most "
        "recently if several), or a new lead is created. The import never changes it."
    ),
    "mobileNumber": (
        "Required in every row: the customer with this mobile number is updated (the one seen "
        "most recently if several), or a new lead is created. The import never changes it."
    ),
}
OPT_OUT_NOTE = (
    "A new customer needs both opt-out values, or its row fails (unless you choose them for new "
    "customers when mapping the file). For an existing customer an empty cell keeps its value."
)
OTHER_NOTE = "Optional. Empty cells keep or clear the customer's value, as chosen for the import."
HELP_INTRO = (
    "Row 1 holds the profile key names: keep them, and each column maps to its key by itself. "
    "Delete the columns you do not need, except the first.",
    "Row 2 is an example customer: replace it with your customers, one per row.",
    "New customers need both unsubscribeEmail and unsubscribeTexting (true or false); a row of "
    "a new customer without them fails. Empty opt-out cells never clear a customer's value.",
    "Empty cells: when mapping the file you choose whether they keep or clear existing data.",
    "Save the file as .xlsx or CSV UTF-8; files larger than 100 MB are refused.",
)


class KeyDescription(Protocol):
    """A custom profile key as the template needs it (``imports.engine.mapping.KeyInfo``)."""

    name: str
    label: str
    type: str


@dataclass(frozen=True, slots=True)
class TemplateColumn:
    """One column of a template: its key, the key's type, an example value and a note."""

    name: str
    label: str
    type: str
    example: str
    formats: str
    note: str


def _check_kind(kind: str, identifier: str | None) -> None:
    if kind not in mapping.KINDS:
        raise ValueError(mapping.KIND_UNKNOWN)
    if kind == mapping.LEAD and identifier not in mapping.IDENTIFIERS:
        raise ValueError(mapping.IDENTIFIER_UNKNOWN)
    if kind == mapping.MEMBER and identifier:
        raise ValueError(mapping.IDENTIFIER_FOR_MEMBERS)


def template_file_name(*, kind: str, identifier: str | None) -> str:
    """The download's file name, e.g. ``member-import-template.xlsx``."""
    _check_kind(kind, identifier)
    return FILE_NAMES[(kind, identifier or None)]


def _column(name: str, label: str, type_name: str, identifier_key: str) -> TemplateColumn:
    help_ = TYPE_HELP[type_name]
    if name == identifier_key:
        note = IDENTIFIER_NOTES[name]
    elif name in OPT_OUT_KEYS:
        note = OPT_OUT_NOTE
    else:
        note = OTHER_NOTE
    return TemplateColumn(
        name=name,
        label=label,
        type=type_name,
        example=BUILTIN_EXAMPLES.get(name, help_.example),
        formats=EMAIL_FORMATS if name == "email" else help_.formats,
        note=note,
    )


def template_columns(
    *, kind: str, identifier: str | None, custom_keys: Iterable[KeyDescription]
) -> list[TemplateColumn]:
    """The template's columns: the identifier, the other editable built-ins, the custom keys."""
    _check_kind(kind, identifier)
    identifier_key = (
        mapping.MEMBER_ID if kind == mapping.MEMBER else mapping.IDENTIFIER_KEYS[identifier]
    )
    builtins = [
        key
        for key in BUILTIN_KEYS
        if key.is_mappable
        and not key.is_system
        and key.name != mapping.IMPORT_TAG_KEY
        and not (kind == mapping.LEAD and key.name == mapping.MEMBER_ID)
    ]
    builtins.sort(key=lambda key: key.name != identifier_key)  # stable: the identifier first
    columns = [_column(k.name, k.label, k.type, identifier_key) for k in builtins]
    for key in sorted(custom_keys, key=lambda key: key.name):
        columns.append(_column(key.name, key.label or key.name, key.type, identifier_key))
    return columns


def _text(sheet, value: str, *, bold: bool = False, wrap: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet)
    # Assigned directly: a value starting with "=" stays text, never becomes a formula.
    cell._value = value
    cell.data_type = "s"
    cell.number_format = TEXT_FORMAT
    if bold:
        cell.font = Font(bold=True)
    if wrap:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    return cell


def _template_sheet(book: Workbook, columns: list[TemplateColumn]) -> None:
    sheet = book.create_sheet(TEMPLATE_SHEET)
    for position, column in enumerate(columns, start=1):
        dimension = sheet.column_dimensions[get_column_letter(position)]
        dimension.width = min(max(len(column.name), len(column.example), MIN_WIDTH) + 2, MAX_WIDTH)
        dimension.number_format = TEXT_FORMAT  # cells typed later stay text as well
    sheet.freeze_panes = "A2"
    sheet.append([_text(sheet, column.name, bold=True) for column in columns])
    sheet.append([_text(sheet, column.example) for column in columns])


def _help_sheet(book: Workbook, title: str, columns: list[TemplateColumn]) -> None:
    sheet = book.create_sheet(HELP_SHEET)
    for position, width in enumerate(HELP_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = width
    sheet.append([_text(sheet, f"{title}: how to fill in the template", bold=True)])
    for line in HELP_INTRO:
        sheet.append([_text(sheet, line)])
    sheet.append([])
    sheet.append([_text(sheet, header, bold=True) for header in HELP_HEADERS])
    for column in columns:
        sheet.append(
            [
                _text(sheet, column.name, bold=True, wrap=True),
                _text(sheet, column.label, wrap=True),
                _text(sheet, TYPE_HELP[column.type].label, wrap=True),
                _text(sheet, column.formats, wrap=True),
                _text(sheet, column.example, wrap=True),
                _text(sheet, column.note, wrap=True),
            ]
        )


def template_workbook(
    *, kind: str, identifier: str | None, custom_keys: Iterable[KeyDescription]
) -> bytes:
    """The .xlsx template of a member, email-lead or mobile-lead import (R-I4)."""
    columns = template_columns(kind=kind, identifier=identifier, custom_keys=custom_keys)
    book = Workbook(write_only=True)
    _template_sheet(book, columns)
    _help_sheet(book, TITLES[(kind, identifier or None)], columns)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
