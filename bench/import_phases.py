"""Time the import engine on a large synthetic file, with each phase's peak memory.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cc_import \
        .venv/bin/python bench/import_phases.py
    .venv/bin/python bench/import_phases.py --rows 100000          # SQLite, smaller

Generates a CSV of N members with 12 columns (a million of them make 99 MB, under the cap),
creates a fresh channel, then runs, each in its own process through the command line:
the dry run (R-I11), the import into an empty channel, the dry run again (everything matches),
the same file again (every customer matched, unchanged: one stamp written each), and the same
file with a new tag (every customer changed). Prints the time and the peak resident memory of
each phase, then deletes the bench channel. Slow things are benchmarks, not tests (STYLE.md).
"""

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = [
    "memberId", "name", "email", "mobileNumber", "landlineNumber", "unsubscribeEmail",
    "unsubscribeTexting", "tier", "points", "birthday", "hobbies", "vip",
]  # fmt: skip
NEW_KEYS = ["tier:string", "points:number", "birthday:date", "hobbies:list", "vip:boolean"]
HOBBIES = ["golf", "tennis", "chess", "music"]


# Raw deletes: the ORM would load a million customers to cascade.
CLEANUP = """
from django.db import connection
from contacts.models import Channel
channel = Channel.objects.get(slug=%r)
with connection.cursor() as cursor:
    cursor.execute("DELETE FROM contacts_customer WHERE channel_id = %%s", [channel.pk])
channel.delete()
"""


def generate(path: Path, rows: int, seed: int = 7) -> None:
    """Write the synthetic member file: valid values, about 1% of rows failing on purpose."""
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i in range(rows):
            hobbies = [rng.choice(HOBBIES)] if i % 3 == 0 else []
            writer.writerow(
                [
                    f"m{i:07d}",
                    f"Name {i}",
                    f"c{i}@ex.com",
                    f"+8210{20000000 + i:08d}",
                    f"+822{5550000 + i % 1000000:07d}" if i % 3 == 1 else "",
                    rng.choice(("true", "false")),
                    rng.choice(("true", "false")) if i % 100 else "",  # 1%: a new row fails
                    rng.choice(("gold", "silver")),
                    str(rng.randint(0, 99999)),
                    f"19{rng.randint(50, 99)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                    json.dumps(hobbies) if hobbies else "",
                    rng.choice(("yes", "no")),
                ]
            )


def phase(label: str, args: list[str], env: dict) -> dict:
    """Run one manage.py command in a child process; report its time and peak memory."""
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    out, err = child.stdout.read(), child.stderr.read()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{label} failed:\n{err}")
    summary = json.loads(out.strip().splitlines()[-1]) if out.strip() else {}
    peak_mb = usage.ru_maxrss / 1024
    print(f"{label:<34} {elapsed:7.1f} s   peak {peak_mb:6.0f} MB   {summary}", flush=True)
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--file", type=Path, default=Path("/tmp/import_bench.csv"))
    parser.add_argument("--keep-file", action="store_true", help="Reuse the file if present.")
    parser.add_argument("--keep-channel", action="store_true", help="Keep the bench channel.")
    parser.add_argument(
        "--skip-changed", action="store_true", help="Skip the re-import that changes everyone."
    )
    options = parser.parse_args()

    if not (options.keep_file and options.file.exists()):
        started = time.perf_counter()
        generate(options.file, options.rows)
        print(f"generated {options.rows:,} rows in {time.perf_counter() - started:.1f} s")
    size = options.file.stat().st_size
    print(f"file {options.file}: {size / 1024 / 1024:.1f} MB")

    env = os.environ | {"DEBUG": "False", "PYTHONPATH": str(ROOT)}
    slug = f"bench-{int(time.time())}"
    setup = (
        "from contacts.channels import channel_create; "
        f"channel_create(slug={slug!r}, name='Bench', owner_email='bench@example.com')"
    )
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"], env=env, check=True)
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "shell", "-c", setup], env=env, check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    base = ["import_customers", slug, str(options.file), "--kind", "member", "--tag", "bench"]
    for key in NEW_KEYS:
        base += ["--new-key", key]
    try:
        phase("dry run, empty channel", [*base, "--dry-run"], env)
        phase("import, empty channel", base, env)
        phase("dry run, all customers exist", [*base, "--dry-run"], env)
        phase("import again, all exist", base, env)
        if not options.skip_changed:
            phase("import again, new tag", [*base[:-2], "--tag", "bench2"], env)
    finally:
        if not options.keep_channel:
            subprocess.run(
                [sys.executable, str(ROOT / "manage.py"), "shell", "-c", CLEANUP % slug],
                env=env, check=True,
            )  # fmt: skip


if __name__ == "__main__":
    main()
