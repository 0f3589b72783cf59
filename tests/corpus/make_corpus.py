"""Write the corpus of small awkward files next to this script, and say what each must give.

Each file is what some other product, spreadsheet or hand writes: ragged rows, trailing
delimiters, title lines above the header, CR-only line ends, an Excel workbook with escapes and
1904 dates, BOM-less UTF-16, Shift-JIS, EUC-KR... ``CORPUS`` holds, for each, how it is
imported and what must come of it: the counts (R-I14) or the refusal, and a few stored values.
tests/test_corpus.py runs them all. The output is byte-for-byte deterministic.

Run: .venv/bin/python tests/corpus/make_corpus.py
"""

import codecs
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from imports.engine.mapping import LEAD_IDENTIFIER_UNMAPPED  # noqa: E402
from imports.engine.quotes import QUOTE_NOT_CLOSED  # noqa: E402
from imports.engine.reading import UNDECODABLE  # noqa: E402
from imports.tests.fixtures.make_fixtures import (  # noqa: E402
    STYLES,
    shared_strings_part,
    sheet_part,
    workbook_file,
)

OPT = "unsubscribeEmail,unsubscribeTexting"


@dataclass(frozen=True)
class Entry:
    """One corpus file, how it is imported, and what must come of it."""

    file: str
    build: Callable[[], bytes]
    expected: dict  # {"created", "updated", "failed"} or {"refused": message}
    kind: str = "lead"
    identifier: str | None = "email"
    encoding: str | None = None
    new_keys: dict[str, str] = field(default_factory=dict)
    skip: tuple[str, ...] = ()
    values: dict[str, dict] = field(default_factory=dict)  # identifier -> field or key -> value

    @property
    def id(self) -> str:
        return self.file + (f"-as-{self.encoding}" if self.encoding else "")


def _text(text: str, encoding: str = "utf-8", prefix: bytes = b"") -> Callable[[], bytes]:
    return lambda: prefix + text.encode(encoding)


def _excel_1904_with_escapes() -> bytes:
    """As Excel writes it: escaped shared strings, a 1904-system date, opt-outs as booleans."""
    strings = ["email", "name", "birthday", *OPT.split(","), "kim@example.kr", "lee@example.kr"]
    items = [f"<t>{s}</t>" for s in strings]
    items += ['<t xml:space="preserve">Kim_x000D_\nMinsu</t>', "<t>Lee_x0009_Ann</t>"]

    def s(ref: str, index: int) -> str:
        return f'<c r="{ref}" t="s"><v>{index}</v></c>'

    header = "".join(s(f"{col}1", i) for i, col in enumerate("ABCDE"))
    rows = ""
    for n, (email, name, serial) in enumerate([(5, 7, 44319), (6, 8, 36526)], 2):
        rows += (
            f'<row r="{n}">{s(f"A{n}", email)}{s(f"B{n}", name)}'
            f'<c r="C{n}" s="1"><v>{serial}</v></c>'
            f'<c r="D{n}" t="b"><v>0</v></c><c r="E{n}" t="b"><v>1</v></c></row>'
        )
    sheet = sheet_part(f'<row r="1">{header}</row>{rows}')
    return workbook_file(
        sheet, shared=shared_strings_part(items), styles=STYLES.encode(), date1904=True
    )


# Not detected (R-I22 names Korean and Western legacy encodings), but read when named.
_SHIFT_JIS = _text(f"email,name,{OPT}\r\nsato@example.jp,佐藤花子,n,n\r\n", "shift_jis")

CORPUS = [
    Entry(
        "ragged_rows.csv",
        _text(
            f"email,name,{OPT}\n"
            "a@example.com,Ann,false,false\n"
            "b@example.com,Bob\n"  # short: the opt-outs are missing
            "c@example.com,Cy,false,false,extra\n"  # a value beyond the header
            "d@example.com,Di,false,false,,\n"  # empty cells beyond the header are fine
        ),
        {"created": 2, "updated": 0, "failed": 2},
    ),
    Entry(
        "trailing_delimiters.csv",
        _text(
            f"email,name,{OPT},\r\n"
            "a@example.com,Ann,n,n,\r\nb@example.com,Bob,n,n,\r\nc@example.com,,n,n,\r\n"
        ),
        {"created": 3, "updated": 0, "failed": 0},
        values={"c@example.com": {"name": ""}},
    ),
    Entry(
        "title_lines.csv",
        _text(f"Customer list\r\nExported 2024-05-04\r\n\r\nemail,{OPT}\r\na@example.com,n,n\r\n"),
        {
            "refused": LEAD_IDENTIFIER_UNMAPPED.format(
                identifier="email", key="email", columns='"Customer list"'
            )
        },
        skip=("Customer list",),
    ),
    Entry(
        "cr_only.csv",
        _text(f'email,name,note,{OPT}\ra@example.com,Ann,"one\rtwo",n,n\rb@example.com,Bob,,n,n\r'),
        {"created": 2, "updated": 0, "failed": 0},
        new_keys={"note": "string"},
        values={"a@example.com": {"note": "one\rtwo"}},
    ),
    Entry(
        "excel_1904_escapes.xlsx",
        _excel_1904_with_escapes,
        {"created": 2, "updated": 0, "failed": 0},
        new_keys={"birthday": "date"},
        values={
            "kim@example.kr": {"name": "Kim\r\nMinsu", "birthday": "2025-05-04"},
            "lee@example.kr": {"name": "Lee\tAnn", "birthday": "2004-01-02"},
        },
    ),
    Entry(
        "utf16le_no_bom.csv",
        _text(
            f"email\tname\t{OPT.replace(',', chr(9))}\r\nkim@example.kr\t김민수\tn\tn\r\n",
            "utf-16-le",
        ),
        {"created": 1, "updated": 0, "failed": 0},
        values={"kim@example.kr": {"name": "김민수"}},
    ),
    Entry("shift_jis.csv", _SHIFT_JIS, {"refused": UNDECODABLE}),
    Entry(
        "shift_jis.csv",
        _SHIFT_JIS,
        {"created": 1, "updated": 0, "failed": 0},
        encoding="shift_jis",
        values={"sato@example.jp": {"name": "佐藤花子"}},
    ),
    Entry(
        "euc_kr.csv",
        _text(
            f"email,name,{OPT}\r\nminsu@example.kr,김민수,n,n\r\nyounghee@example.kr,이영희,n,n\r\n",
            "euc_kr",
        ),
        {"created": 2, "updated": 0, "failed": 0},
        values={"younghee@example.kr": {"name": "이영희"}},
    ),
    Entry(
        "sep_line_semicolon.csv",
        _text(
            f"sep=;\r\nemail;name;points;{OPT.replace(',', ';')}\r\n"
            "a@example.de;Schmidt, Anna;1,5;n;n\r\n"
        ),
        {"created": 0, "updated": 0, "failed": 1},  # 1,5 is a decimal comma: not a number
        new_keys={"points": "number"},
    ),
    Entry(
        "bom_crlf_blank_lines.csv",
        _text(
            f"email,{OPT}\r\n\r\na@example.com,n,n\r\n,,\r\n\r\nb@example.com,y,n\r\n",
            prefix=codecs.BOM_UTF8,
        ),
        {"created": 2, "updated": 0, "failed": 0},
    ),
    Entry(
        "multiline_notes.csv",
        _text(
            f'email,note,{OPT}\r\na@example.com,"Call after 6pm,\r\nnot on ""Sundays""",n,n\r\n'
            "b@example.com,plain,n,n\r\n"
        ),
        {"created": 2, "updated": 0, "failed": 0},
        new_keys={"note": "string"},
        values={"a@example.com": {"note": 'Call after 6pm,\r\nnot on "Sundays"'}},
    ),
    Entry(
        "unclosed_quote.csv",
        _text(
            f'email,{OPT},company\na@x.test,false,false,"Acme\n'
            "b@x.test,false,false,Beta\nc@x.test,false,false,Gamma\n"
        ),
        {"refused": QUOTE_NOT_CLOSED.format(row=2, column='D ("company")')},
        new_keys={"company": "string"},
    ),
    Entry(
        "apostrophes_and_phones.csv",
        _text(
            f"email,mobileNumber,{OPT}\n"
            "joleen.o'carroll@example.ie,0044 7911 123456,n,n\n"
            "d'angelo@example.it,＋８２ １０－２０２０－３０３０,n,n\n"
        ),
        {"created": 2, "updated": 0, "failed": 0},
        values={"d'angelo@example.it": {"mobile_number": "+821020203030"}},
    ),
]


def main() -> None:
    for entry in CORPUS:
        (HERE / entry.file).write_bytes(entry.build())


if __name__ == "__main__":
    main()
