"""Time and peak memory of the editable export of a million members (R-E1), CSV and xlsx.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cc_bench_export \\
        .venv/bin/python bench/editable_export.py [--members 1000000] [--keep]

Creates the database if it is missing, migrates it, creates the channel "bench" with a custom
key of every type (string, phone, number, date, datetime, boolean, list, listOfNumber, tag) and
fills it with `demo_data` until it holds --members members (demo data is 60% members, so about
1.67 million customers; skipped when already there). Then, for each format, it runs
``manage.py export_customers bench --format F --editable --output PATH`` in a process of its
own, DEBUG off, and reads its wall time, CPU time and peak RSS (``wait4``'s usage). The file
must hold every member, open with the importer's reader (its zip-bomb limits included, its
100 MB upload limit lifted) and show the first member's cells. Targets: under 60 s and under
200 MB each; exits 1 if one is missed.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["DEBUG"] = "false"

from bench.contacts_list import OWNER, SLUG, prepare_database  # noqa: E402

SECONDS_TARGET = 60.0
RSS_TARGET_MB = 200.0
MEMBER_SHARE = 0.6  # of demo customers (contacts/management/demo.py)
KEYS = {
    "city": "string",
    "fax": "phone",
    "points": "number",
    "birthday": "date",
    "lastOrderAt": "datetime",
    "vip": "boolean",
    "colors": "list",
    "scores": "listOfNumber",
    "plan": "tag",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the exported files")
    args = parser.parse_args()

    prepare_database("the targets")
    from django.db import connection

    channel = _channel()
    members = _load(channel, args.members)
    connection.close()

    folder = Path(tempfile.mkdtemp(prefix="editable-export-"))
    results = [_export(file_format, folder) for file_format in ("csv", "xlsx")]
    print(f"\n{members:,} members in channel {SLUG!r}, {len(KEYS)} custom keys\n")
    print("| format | rows      | seconds | CPU s | peak RSS MB | file MB | result |")
    print("|--------|-----------|---------|-------|-------------|---------|--------|")
    failed = False
    for file_format, rows, seconds, cpu, rss_mb, size_mb, checked in results:
        ok = checked and rows == members and seconds < SECONDS_TARGET and rss_mb < RSS_TARGET_MB
        failed |= not ok
        verdict = "PASS" if ok else "FAIL"
        print(
            f"| {file_format:<6} | {rows:>9,} | {seconds:7.1f} | {cpu:5.1f} | {rss_mb:11.1f} "
            f"| {size_mb:7.1f} "
            f"| {verdict:<6} |"
        )
    print(f"\ntargets: < {SECONDS_TARGET:.0f} s and < {RSS_TARGET_MB:.0f} MB per export")
    print("CPU s: the export process's own (user + system); PostgreSQL's work is not in it")
    print("load average (1, 5, 15 min) at the end: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    if args.keep:
        print(f"files kept in {folder}")
    else:
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()
    return 1 if failed else 0


def _channel():
    from contacts.channels import channel_create
    from contacts.models import Channel, ProfileKey

    channel = Channel.objects.filter(slug=SLUG).first()
    if channel is None:
        channel = channel_create(
            slug=SLUG, name="Bench", owner_email=OWNER, plan=Channel.Plan.ENTERPRISE
        )
    for name, type_name in KEYS.items():
        ProfileKey.objects.get_or_create(
            channel=channel, name=name, defaults={"label": name, "type": type_name}
        )
    return channel


def _members(channel) -> int:
    from contacts.models import Customer

    return Customer.objects.filter(channel=channel, member_id__isnull=False).count()


def _load(channel, wanted: int) -> int:
    from contacts.management.demo import demo_customers_load

    have = _members(channel)
    while have < wanted:
        count = int((wanted - have) / MEMBER_SHARE) + 1000
        print(f"loading {count:,} customers ({have:,} members so far) ...", flush=True)
        result = demo_customers_load(channel=channel, count=count, seed=have)
        print(f"loaded {result.created:,} customers in {result.seconds:.1f} s", flush=True)
        have = _members(channel)
    return have


def _export(file_format: str, folder: Path):
    import json

    from imports.engine import reading

    path = folder / f"members.{file_format}"
    command = [
        sys.executable, str(ROOT / "manage.py"), "export_customers", SLUG, "--format",
        file_format, "--editable", "--output", str(path),
    ]  # fmt: skip
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, env=dict(os.environ))
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"export_customers --format {file_format} failed")
    summary = json.loads(output.decode().strip().splitlines()[-1])
    # A million members make a file over the import's 100 MB upload limit (R-I17); the reader
    # is asked to read it anyway, to check what it would make of it.
    reading.MAX_FILE_BYTES = max(reading.MAX_FILE_BYTES, path.stat().st_size)
    with reading.open_table(path) as table:
        first = table.preview(1)[0][1]
        checked = table.headers[0] == "memberId" and first[0].startswith("M")
    print(f"{file_format}: {summary['rows']:,} rows in {seconds:.1f} s; first row {first[:4]}")
    size_mb = path.stat().st_size / 1e6
    cpu = usage.ru_utime + usage.ru_stime
    rss_mb = usage.ru_maxrss * 1024 / 1e6
    return file_format, summary["rows"], seconds, cpu, rss_mb, size_mb, checked


if __name__ == "__main__":
    sys.exit(main())
