"""A progress bar for the import commands, drawn on standard error only when it is a terminal."""

import sys
import time

WIDTH = 30


class ProgressBar:
    """Call with (done, total); draws at most ten times a second; ``close`` ends the line."""

    def __init__(self, stream=None, label: str = "rows") -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self.label = label
        self._drawn_at = 0.0
        self._drawn = False

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._drawn_at < 0.1 and done < total:
            return
        self._drawn_at = now
        share = done / total if total else 1.0
        filled = int(WIDTH * min(share, 1.0))
        bar = "#" * filled + "." * (WIDTH - filled)
        self.stream.write(f"\r[{bar}] {share:4.0%} {done:,}/{total:,} {self.label}")
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
