"""Cells per second of each profile type parser, on one core, as the importer calls them.

Run: .venv/bin/python bench/profile_types.py [--cells 200000] [--repeat 3]
Each row parses realistic, mostly distinct, valid cells with ``parser_for(type)`` in a tight
loop and keeps the best of ``--repeat`` runs. Exit status 1 if a row misses its target.
"""

import argparse
import json
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import phonenumbers

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from contacts import profile_types as pt

WORDS = [
    "vip", "basic", "gold", "silver", "seoul", "busan", "newsletter", "event", "winter", "sale",
    "김민지", "이서준", "박지우", "coupon", "app", "web", "store", "loyal", "trial", "beta",
]  # fmt: skip
NAMES = ["Kim Minji", "Lee Seojun", "Park Jiwoo", "John Smith", "Ana Souza", "김민지", "이서준"]


def string_cells(rng, n):
    def cell():
        kind = rng.random()
        if kind < 0.4:
            return rng.choice(NAMES) + f" {rng.randrange(1000)}"
        if kind < 0.7:
            return f"user{rng.randrange(10**6)}@example.com"
        if kind < 0.9:
            return " ".join(rng.choices(WORDS, k=rng.randrange(1, 8)))
        return f"  {rng.choice(NAMES)}  "

    return [cell() for _ in range(n)]


def number_cells(rng, n):
    def cell():
        kind = rng.random()
        if kind < 0.5:
            return str(rng.randrange(100_000))
        if kind < 0.6:
            return str(-rng.randrange(10_000))
        if kind < 0.9:
            return f"{rng.uniform(0, 10_000):.2f}"
        return f"{rng.uniform(-90, 90):.6f}"

    return [cell() for _ in range(n)]


def boolean_cells(rng, n):
    return rng.choices(["true", "false", "TRUE", "FALSE", "Y", "n", "1", "0", "yes", "No"], k=n)


def random_moment(rng):
    start = datetime(2015, 1, 1, tzinfo=UTC)
    return start + timedelta(milliseconds=rng.randrange(12 * 365 * 86_400_000))


def date_cells(rng, n):
    return [random_moment(rng).date().isoformat() for _ in range(n)]


def datetime_cells(rng, n):
    kst = timedelta(hours=9)

    def cell():
        moment = random_moment(rng)
        kind = rng.random()
        if kind < 0.25:
            return (moment + kst).strftime("%Y-%m-%dT%H:%M:%S+09:00")
        if kind < 0.4:
            return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
        if kind < 0.55:
            return moment.strftime("%Y-%m-%dT%H:%M:%S")
        if kind < 0.7:
            return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
        if kind < 0.85:
            return str(int(moment.timestamp() * 1000))
        return moment.date().isoformat()

    return [cell() for _ in range(n)]


def valid_numbers(rng, n):
    """Distinct valid E.164 numbers: example numbers of a few regions with random last digits."""
    mobile, fixed = phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE
    weights = {"KR": 60, "US": 10, "JP": 8, "GB": 5, "CN": 5, "VN": 4, "DE": 3, "CA": 3, "FR": 2}
    templates = []
    for region, weight in weights.items():
        for number_type in (mobile, fixed):
            example = phonenumbers.example_number_for_type(region, number_type)
            templates += [(example, region)] * weight
    found = []
    while len(found) < n:
        example, region = rng.choice(templates)
        digits = str(example.national_number)
        digits = digits[:-4] + f"{rng.randrange(10_000):04d}"
        number = phonenumbers.PhoneNumber(
            country_code=example.country_code, national_number=int(digits)
        )
        if phonenumbers.is_valid_number(number):
            found.append((number, region))
    return found


def phone_e164_cells(rng, n):
    e164 = phonenumbers.PhoneNumberFormat.E164
    return [phonenumbers.format_number(number, e164) for number, _ in valid_numbers(rng, n)]


def phone_international_cells(rng, n):
    """The same mix written as people do: "+82 10-2020-3030", "+1 415-555-0100", some "+82 010-"."""
    international = phonenumbers.PhoneNumberFormat.INTERNATIONAL
    cells = []
    for number, region in valid_numbers(rng, n):
        cell = phonenumbers.format_number(number, international)
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
        if metadata.national_prefix == "0" and rng.random() < 0.5:
            code, rest = cell.split(" ", 1)
            cell = f"{code} 0{rest}"
        cells.append(cell)
    return cells


def phone_kr_spaced_cells(rng, n):
    cells = []
    while len(cells) < n:
        cell = f"+82 010-{rng.randrange(10_000):04d}-{rng.randrange(10_000):04d}"
        if phonenumbers.is_valid_number(phonenumbers.parse(cell)):
            cells.append(cell)
    return cells


def list_cells(rng, n):
    return [
        json.dumps(rng.sample(WORDS, rng.randrange(1, 6)), ensure_ascii=False) for _ in range(n)
    ]


def list_of_number_cells(rng, n):
    def item():
        return str(rng.randrange(1000)) if rng.random() < 0.7 else f"{rng.uniform(0, 100):.2f}"

    return ["[" + ", ".join(item() for _ in range(rng.randrange(1, 6))) + "]" for _ in range(n)]


def tag_cells(rng, n):
    def item():
        if rng.random() < 0.6:
            return f"{rng.choice(WORDS)}/level{rng.randrange(1, 6)}"
        return rng.choice(WORDS)

    return [
        json.dumps(list({item(): None for _ in range(rng.randrange(1, 5))}), ensure_ascii=False)
        for _ in range(n)
    ]


ROWS = [
    # label, type, cell generator, target cells/s, share of --cells
    ("string", pt.STRING, string_cells, 1_000_000, 1.0),
    ("number", pt.NUMBER, number_cells, 1_000_000, 1.0),
    ("boolean", pt.BOOLEAN, boolean_cells, 1_000_000, 1.0),
    ("date", pt.DATE, date_cells, 300_000, 1.0),
    ("datetime", pt.DATETIME, datetime_cells, 300_000, 1.0),
    ("phone E.164", pt.PHONE, phone_e164_cells, 100_000, 0.5),
    ("phone +82 010-xxxx-xxxx", pt.PHONE, phone_kr_spaced_cells, 300_000, 0.25),
    ("phone international", pt.PHONE, phone_international_cells, 100_000, 0.25),
    ("list", pt.LIST, list_cells, 200_000, 1.0),
    ("listOfNumber", pt.LIST_OF_NUMBER, list_of_number_cells, 200_000, 1.0),
    ("tag", pt.TAG, tag_cells, 200_000, 1.0),
]


def cells_per_second(parser, cells, repeat):
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for cell in cells:
            parser(cell)
        best = min(best, time.perf_counter() - started)
    return len(cells) / best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=200_000, help="cells per type (default 200k)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per type; the best counts")
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()

    print(f"{'type':<26}{'cells':>9}{'cells/s':>13}{'target':>12}  result")
    failed = 0
    for label, type_name, generate, target, share in ROWS:
        rng = random.Random(f"{args.seed}-{label}")
        cells = generate(rng, max(1, int(args.cells * share)))
        run = pt.parser_for(type_name)
        for cell in cells[:1000]:  # the cells must be valid: an error here is a bench bug
            run(cell)
        rate = cells_per_second(run, cells, args.repeat)
        ok = rate >= target
        failed += not ok
        print(f"{label:<26}{len(cells):>9,}{rate:>13,.0f}{target:>12,}  {'PASS' if ok else 'FAIL'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
