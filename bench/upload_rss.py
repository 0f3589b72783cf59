"""Peak memory of the web process while a 100 MB import file is uploaded (R-I17).

Run:
    .venv/bin/python bench/upload_rss.py [--keep]

In a scratch directory: a SQLite database, MEDIA_ROOT and TMPDIR (where the server's temporary
upload files go), migrated, with a channel and its owner (``manage.py channel_create``). For
each upload it starts ``manage.py runserver --noreload`` (one process, DEBUG off) on a free
loopback port, logs in through the login form with a plain HTTP client, reads the CSRF token of
the wizard's upload page (``/c/<slug>/imports/new/``) and streams the file from disk as a
multipart POST (fields ``kind=member`` and ``file``). Then it reads the server's peak RSS
(``VmHWM`` in /proc/<pid>/status) and stops it, so each upload has a peak of its own.

- a member CSV of the largest whole rows that fit in 100 MiB must be accepted (302 to the
  mapping page) with a peak RSS under 150 MB;
- the same rows up to 101 MiB must be refused (400, the form with the engine's FILE_TOO_LARGE
  message) and leave nothing behind: no new file in MEDIA_ROOT or TMPDIR, no new import.

Prints a table; exits 1 if an upload misses its target. ``--keep`` keeps the scratch directory.
"""

import argparse
import http.client
import re
import shutil
import socket
import sqlite3
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from imports.engine.reading import FILE_TOO_LARGE  # noqa: E402
from tests.queue_support import Process, process_env, wait_for, write_customers_csv  # noqa: E402

SLUG = "bench"
OWNER = "bench@example.com"
PASSWORD = "bench-upload-password"
UPLOAD_PATH = f"/c/{SLUG}/imports/new/"
MIB = 1024 * 1024
CAP_BYTES = 100 * MIB
OVER_BYTES = 101 * MIB
RSS_TARGET_MB = 150
ROWS = 1_000_000  # about 108 bytes a row: more than 101 MiB, cut to whole rows below
SEND_CHUNK = MIB
_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Outcome:
    label: str
    size: int
    seconds: float
    peak_mb: float
    status: int
    passed: bool
    detail: str


class Client:
    """A minimal HTTP client with a cookie jar; the upload streams from disk."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def _connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)

    def _headers(self, **extra: str) -> dict[str, str]:
        headers = {"Host": f"127.0.0.1:{self.port}", **extra}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return headers

    def _read(self, connection) -> tuple[int, str, str]:
        response = connection.getresponse()
        for header in response.msg.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        body = response.read().decode("utf-8", "replace")
        connection.close()
        return response.status, response.getheader("Location") or "", body

    def get(self, path: str) -> tuple[int, str, str]:
        connection = self._connection()
        connection.request("GET", path, headers=self._headers())
        return self._read(connection)

    def post_form(self, path: str, fields: dict[str, str]) -> tuple[int, str, str]:
        connection = self._connection()
        body = urlencode(fields)
        kind = "application/x-www-form-urlencoded"
        connection.request("POST", path, body=body, headers=self._headers(**{"Content-Type": kind}))
        return self._read(connection)

    def post_file(self, path: str, fields: dict[str, str], file: Path) -> tuple[int, str, str]:
        """POST multipart/form-data: the fields, then the file, streamed in 1 MiB chunks."""
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            for name, value in fields.items()
        ]
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{file.name}"\r\nContent-Type: text/csv\r\n\r\n'
        )
        head = "".join(parts).encode()
        tail = f"\r\n--{boundary}--\r\n".encode()
        length = len(head) + file.stat().st_size + len(tail)
        connection = self._connection()
        connection.putrequest("POST", path, skip_host=True)
        headers = self._headers(**{"Content-Type": f"multipart/form-data; boundary={boundary}"})
        headers["Content-Length"] = str(length)
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders()
        connection.send(head)
        with file.open("rb") as handle:
            while chunk := handle.read(SEND_CHUNK):
                connection.send(chunk)
        connection.send(tail)
        return self._read(connection)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident set size (VmHWM), in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    kilobytes = int(re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE).group(1))
    return kilobytes / 1024


def manage(args: list[str], env: dict[str, str], logs: Path, name: str) -> None:
    process = Process(args, env=env, logs=logs, name=name)
    if process.wait(timeout=300) != 0:
        raise SystemExit(f"manage.py {args[0]} failed:\n{process.stderr[-3000:]}")


def cut(source: Path, target: Path, limit: int) -> Path:
    """Copy the whole rows of ``source`` that fit in ``limit`` bytes."""
    with source.open("rb") as handle:
        data = handle.read(limit + 1)
    if len(data) <= limit:
        raise SystemExit(f"{source} holds only {len(data):,} bytes; generate more rows.")
    target.write_bytes(data[: data.rindex(b"\n", 0, limit) + 1])
    return target


def stored_files(*folders: Path) -> set[Path]:
    return {path for folder in folders for path in folder.rglob("*") if path.is_file()}


def import_count(database: Path) -> int:
    with sqlite3.connect(database) as connection:
        return connection.execute("SELECT count(*) FROM imports_import").fetchone()[0]


def upload(env: dict[str, str], logs: Path, file: Path) -> tuple[int, str, str, float, float]:
    """Serve, log in, upload ``file``; return status, location, body, seconds and peak RSS."""
    port = free_port()
    server = Process(
        ["runserver", "--noreload", f"127.0.0.1:{port}"], env=env, logs=logs, name=f"web-{port}"
    )
    try:
        client = Client(port)

        def answers() -> bool:
            try:
                return client.get("/login/")[0] == 200
            except OSError:
                return False

        wait_for(answers, timeout=60, what="the web server")
        token = _TOKEN.search(client.get("/login/")[2]).group(1)
        status, _, _ = client.post_form(
            "/login/", {"csrfmiddlewaretoken": token, "username": OWNER, "password": PASSWORD}
        )
        if status != 302:
            raise SystemExit(f"Logging in answered {status}.")
        status, _, page = client.get(UPLOAD_PATH)
        if status != 200:
            raise SystemExit(f"GET {UPLOAD_PATH} answered {status}: is the wizard merged?")
        fields = {"csrfmiddlewaretoken": _TOKEN.search(page).group(1), "kind": "member"}
        started = time.monotonic()
        status, location, body = client.post_file(UPLOAD_PATH, fields, file)
        seconds = time.monotonic() - started
        return status, location, body, seconds, peak_rss_mb(server.popen.pid)
    finally:
        server.stop()


def measure_accepted(env: dict[str, str], logs: Path, file: Path) -> Outcome:
    """The file at the cap must be accepted (a redirect to the mapping page) under the target."""
    status, location, _, seconds, peak = upload(env, logs, file)
    passed = status == 302 and peak < RSS_TARGET_MB
    return Outcome("accepted", file.stat().st_size, seconds, peak, status, passed, location)


def measure_refused(
    env: dict[str, str], logs: Path, file: Path, *, database: Path, folders: list[Path]
) -> Outcome:
    """The file over the cap must be refused with the message, leaving nothing behind."""
    files, imports = stored_files(*folders), import_count(database)
    status, _, body, seconds, peak = upload(env, logs, file)
    left = stored_files(*folders) - files
    new_imports = import_count(database) - imports
    shown = FILE_TOO_LARGE in body
    passed = status == 400 and shown and not left and not new_imports and peak < RSS_TARGET_MB
    detail = f"message {'shown' if shown else 'MISSING'}; {len(left)} files, "
    detail += f"{new_imports} imports left behind"
    return Outcome("refused", file.stat().st_size, seconds, peak, status, passed, detail)


def print_table(outcomes: list[Outcome]) -> None:
    print(
        f"\n{'upload':<9} {'file MB':>8} {'seconds':>8} {'peak RSS MB':>12} {'target':>8}"
        f" {'status':>6}  result  detail"
    )
    for o in outcomes:
        result = "PASS" if o.passed else "FAIL"
        print(
            f"{o.label:<9} {o.size / MIB:>8.1f} {o.seconds:>8.1f} {o.peak_mb:>12.1f}"
            f" {f'< {RSS_TARGET_MB}':>8} {o.status:>6}  {result:<6}  {o.detail}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keep", action="store_true", help="Keep the scratch directory.")
    options = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="upload-rss-"))
    try:
        media, temp, logs = scratch / "media", scratch / "tmp", scratch / "logs"
        media.mkdir()
        temp.mkdir()
        database = scratch / "db.sqlite3"
        env = process_env(f"sqlite:///{database}", media, TMPDIR=str(temp))
        manage(["migrate", "--verbosity", "0"], env, logs, "migrate")
        manage(
            ["channel_create", SLUG, "--owner-email", OWNER, "--password", PASSWORD],
            env,
            logs,
            "channel_create",
        )
        started = time.monotonic()
        generated = write_customers_csv(scratch / "generated.csv", ROWS)
        at_cap = cut(generated, scratch / "customers-100mb.csv", CAP_BYTES)
        over = cut(generated, scratch / "customers-101mb.csv", OVER_BYTES)
        generated.unlink()
        print(f"generated the files in {time.monotonic() - started:.0f} s; scratch: {scratch}")
        outcomes = [
            measure_accepted(env, logs, at_cap),
            measure_refused(env, logs, over, database=database, folders=[media, temp]),
        ]
        print_table(outcomes)
        return 0 if all(o.passed for o in outcomes) else 1
    finally:
        if not options.keep:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
