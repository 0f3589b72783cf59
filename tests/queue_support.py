"""Helpers for tests that run real worker and command processes against the test database.

The customer file generator is pure (no Django) and seeded, so a benchmark and a test that ask
for the same rows get the same bytes.

Decisions:
- `write_customers_csv`: about ``duplicate_share`` of the rows repeat an earlier memberId (the
  last row wins, lists append); about ``bad_share`` carry a date that does not exist, so they
  fail (R-I14). ``seed`` picks the rows' customers and failures, ``values_seed`` (default:
  ``seed``) their values: two files with one seed and two value seeds hold the same customers,
  changed.
"""

import contextlib
import csv
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
MANAGE = ROOT / "manage.py"

# Custom profile keys of the generated file, name -> type.
CUSTOM_KEYS = {
    "points": "number",
    "birthday": "date",
    "vip": "boolean",
    "interests": "list",
    "segments": "tag",
}
HEADERS = [
    "memberId",
    "name",
    "email",
    "mobileNumber",
    "landlineNumber",
    "points",
    "birthday",
    "vip",
    "interests",
    "segments",
    "unsubscribeEmail",
    "unsubscribeTexting",
]
# Fields of an exported customer that differ between two channels importing the same file.
VOLATILE_FIELDS = ("id", "createdAt", "updatedAt", "lastSeenAt")

_NAMES = ["Kim", "Lee", "Park", "Choi", "Smith", "Souza", "김민지", "이서준"]
_BOOLEANS = ["true", "false", "y", "n"]
_INTERESTS = ["golf", "wine", "shoes", "travel", "books", "games", "coffee", "sale"]
_SEGMENTS = ["vip", "gold", "silver", "seoul", "busan", "app", "web", "store"]


def write_customers_csv(
    path: Path,
    rows: int,
    *,
    seed: int = 7,
    values_seed: int | None = None,
    duplicate_share: float = 0.03,
    bad_share: float = 0.001,
    prefix: str = "M",
) -> Path:
    """A member file of ``rows`` rows with the columns of HEADERS, the same for the same seeds."""
    shape = random.Random(seed)
    rng = random.Random(seed if values_seed is None else values_seed + 1_000_003)
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(HEADERS)
        for i in range(rows):
            n = shape.randrange(i) if i and shape.random() < duplicate_share else i
            bad = shape.random() < bad_share
            mobile = rng.randrange(20_000_000, 100_000_000)
            if 59_700_000 <= mobile < 60_000_000:  # prefixes phonenumbers knows as unassigned
                mobile -= 300_000
            mobile = str(mobile)
            if rng.random() < 0.2:
                mobile = f"+82 010-{mobile[:4]}-{mobile[4:]}"
            else:
                mobile = f"+8210{mobile}"
            landline = ""
            if rng.random() < 0.3:
                landline = f"+82 2-{rng.randrange(200, 1000)}-{rng.randrange(1000, 10000)}"
            points = rng.randrange(10_000)
            year, month, day = rng.randrange(1950, 2006), rng.randrange(1, 13), rng.randrange(1, 29)
            interests = rng.sample(_INTERESTS, 2 if rng.random() < 0.3 else 1)
            segments = rng.sample(_SEGMENTS, rng.randrange(1, 3)) if rng.random() < 0.4 else []
            out.writerow(
                [
                    f"{prefix}{n:07d}",
                    f"{rng.choice(_NAMES)} {n}",
                    f"u{n}@example.com",
                    mobile,
                    landline,
                    str(points) if rng.random() < 0.8 else f"{points / 100:.2f}",
                    "2021-02-30" if bad else f"{year}-{month:02d}-{day:02d}",
                    rng.choice(_BOOLEANS),
                    json.dumps(interests, separators=(",", ":")),
                    json.dumps(segments, separators=(",", ":")) if segments else "",
                    "1" if rng.random() < 0.1 else "0",
                    "1" if rng.random() < 0.1 else "0",
                ]
            )
    return path


def database_url(settings_dict: dict) -> str:
    """A DATABASE_URL for another process to reach the same PostgreSQL database."""
    user = quote(settings_dict.get("USER") or "postgres")
    password = settings_dict.get("PASSWORD") or ""
    auth = f"{user}:{quote(password)}" if password else user
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{quote(settings_dict['NAME'])}"


def process_env(database: str, media_root: Path, **extra: str | int) -> dict[str, str]:
    """The environment of a child manage.py: our database and files, no terminal, no Redis."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database,
        MEDIA_ROOT=str(media_root),
        DEBUG="false",
        # An empty value wins over a .env file's; set it to use Redis.
        REDIS_URL="",
        PYTHONUNBUFFERED="1",
    )
    env.update({name: str(value) for name, value in extra.items()})
    return env


class Process:
    """A manage.py command in its own process group, so it dies with all its children."""

    def __init__(self, args: list[str], *, env: dict[str, str], logs: Path, name: str) -> None:
        logs.mkdir(parents=True, exist_ok=True)
        self.name = name
        self.stdout_path = logs / f"{name}.out"
        self.stderr_path = logs / f"{name}.err"
        with self.stdout_path.open("wb") as out, self.stderr_path.open("wb") as err:
            self.popen = subprocess.Popen(
                [sys.executable, str(MANAGE), *args],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                start_new_session=True,
            )

    @property
    def stdout(self) -> str:
        return self.stdout_path.read_text(encoding="utf-8", errors="replace")

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def wait(self, timeout: float) -> int:
        """The exit status; kills the group and raises TimeoutError past ``timeout``."""
        try:
            return self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise TimeoutError(f"{self.name} still running after {timeout} s") from None

    def _signal_group(self, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, sig)

    def kill(self) -> None:
        """SIGKILL the whole group at once: the worker dies mid-chunk, nothing shuts down."""
        self._signal_group(signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=10)

    def stop(self, timeout: float = 20) -> None:
        """SIGTERM (django-q2 stops its workers), then SIGKILL whatever is left of the group."""
        if self.popen.poll() is None:
            self._signal_group(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout=timeout)
        self.kill()

    def summary(self) -> dict:
        """The JSON object on the last line of an import command's standard output."""
        lines = self.stdout.strip().splitlines()
        assert lines, f"{self.name} printed nothing; stderr: {self.stderr[-2000:]}"
        return json.loads(lines[-1])


def wait_for(
    condition: Callable[[], object], *, timeout: float, what: str, interval: float = 0.05
) -> object:
    """Poll ``condition`` until it returns something true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"Gave up after {timeout} s waiting for {what}")
        time.sleep(interval)


def content(lines: list[str]) -> list[dict]:
    """Exported customers without the fields that differ between channels, by memberId."""
    customers = []
    for line in lines:
        customer = json.loads(line)
        for name in VOLATILE_FIELDS:
            customer.pop(name)
        customers.append(customer)
    return sorted(customers, key=lambda c: (c["memberId"] or "", c["email"] or ""))
