import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

POLL_SECONDS = 0.3
STOP_GRACE_SECONDS = 20


class Command(BaseCommand):
    help = (
        "Run the web server and the django-q2 worker together. Ctrl-C or SIGTERM stops both; "
        "if either exits, the other is stopped and the command fails."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 8000))
        parser.add_argument("--host", default="127.0.0.1")

    def handle(self, *args, port, host, **options):
        manage = str(settings.BASE_DIR / "manage.py")
        address = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        web_args = ["runserver", "--noreload", address]
        if ":" in host:
            web_args.insert(1, "--ipv6")
        self.stopping = False
        previous = {
            signum: signal.signal(signum, self._request_stop)
            for signum in (signal.SIGINT, signal.SIGTERM)
        }
        processes = {}
        try:
            processes["django-q2 worker"] = self._start([sys.executable, manage, "qcluster"])
            processes["web server"] = self._start([sys.executable, manage, *web_args])
            self.stdout.write(
                f"Serving on http://{address}/ with a django-q2 worker; Ctrl-C stops both."
            )
            self.stdout.flush()
            died = self._watch(processes)
        finally:
            self._stop(processes)
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        if died is not None:
            name, code = died
            raise CommandError(
                f"The {name} exited with code {code}; the other process was stopped.",
                returncode=code if code and code > 0 else 1,
            )
        self.stdout.write("Stopped the web server and the worker.")

    def _request_stop(self, signum, frame):
        self.stopping = True

    def _start(self, argv):
        return subprocess.Popen(argv, preexec_fn=_die_with_parent)

    def _watch(self, processes):
        while not self.stopping:
            for name, process in processes.items():
                code = process.poll()
                if code is not None:
                    # A Ctrl-C reaches the children too; give our own handler the moment to run.
                    time.sleep(POLL_SECONDS)
                    return None if self.stopping else (name, code)
            time.sleep(POLL_SECONDS)
        return None

    def _stop(self, processes):
        for process in processes.values():
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for process in processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _die_with_parent():
    """Linux: the child gets SIGTERM if this supervisor is killed outright (no orphans)."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
