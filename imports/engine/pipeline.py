"""Run a generator in a forked child process and take its items here, in order.

An import is Python-bound: reading and parsing cells is a good part of the work (figures in
bench/README.md), planning and writing the rest. On two cores the parsing can run in a second
process while this one plans the previous chunk and PostgreSQL writes it. `os.fork` rather than
`multiprocessing`: django-q2 runs tasks in daemonic processes, which `multiprocessing` forbids
to have children. The child only reads the file and parses; it never touches the database
connection it inherits, and it ends with `os._exit`, so nothing of the parent's is closed or
flushed twice.

Each item crosses the pipe as one length-prefixed pickle. A thread here drains the pipe into a
short queue of raw frames (reading releases the GIL), so the child may run a few items ahead
while this process waits on the database, and memory still stays bounded.

Decisions:
- The child starts at once, so this process may do other work (count the file's rows) while
  it parses. It runs at most a few items ahead: memory stays flat however long the stream is.
  Closing a ``Forked`` (or leaving it as a context manager) stops the child early; it is closed
  when the items run out.
"""

import contextlib
import os
import pickle
import queue
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

_ITEM, _END, _ERROR = "item", "end", "error"
_HEADER = 8
_AHEAD = 3  # frames the child may be ahead of the consumer


class ChildDied(RuntimeError):
    """The producing child process ended without finishing its items."""


class Forked(Iterator[T]):
    """The items of ``produce()``, computed in a child process; its errors are raised here."""

    def __init__(self, produce: Callable[[], Iterable[T]]) -> None:
        """Fork the child that runs ``produce`` and start reading its frames."""
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child
            # A Ctrl-C reaches the whole process group: the parent decides, and ends the child.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            os.close(read_fd)
            _produce_into(write_fd, produce)  # never returns
        os.close(write_fd)
        self._pid: int | None = pid
        self._frames: queue.Queue[bytes | None] = queue.Queue(_AHEAD)
        self._stop = threading.Event()
        self._reader = threading.Thread(
            target=_drain, args=(read_fd, self._frames, self._stop), daemon=True
        )
        self._reader.start()

    def __iter__(self) -> "Forked[T]":
        """Itself: an iterator."""
        return self

    def __next__(self) -> T:
        """The child's next item; its error raised here; closed at the end."""
        if self._pid is None:
            raise StopIteration
        try:
            frame = self._frames.get()
            if frame is None:
                raise ChildDied("The file reader stopped unexpectedly.")
            kind, payload = pickle.loads(frame)
        except BaseException:
            self.close()
            raise
        if kind == _ITEM:
            return payload
        self.close()
        if kind == _END:
            raise StopIteration
        raise payload

    def close(self) -> None:
        """Stop the child (if it still runs) and the thread reading from it."""
        pid, self._pid = self._pid, None
        if pid is None:
            return
        self._stop.set()
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        with contextlib.suppress(queue.Empty):
            self._frames.get_nowait()  # let a reader blocked on a full queue see the stop
        self._reader.join()

    def __enter__(self) -> "Forked[T]":
        """Itself, closed on leaving."""
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Stop the child."""
        self.close()

    def __del__(self) -> None:
        """Stop a child still running when the iterator is dropped."""
        if getattr(self, "_pid", None) is not None:
            self.close()


def _drain(read_fd: int, frames: queue.Queue, stop: threading.Event) -> None:
    """Move whole frames from the pipe into the queue; None when the pipe ends early."""
    with os.fdopen(read_fd, "rb", buffering=0) as source:
        while not stop.is_set():
            try:
                header = _read_exactly(source, _HEADER)
                frame = _read_exactly(source, int.from_bytes(header)) if header else None
            except OSError:
                frame = None  # the consumer reports the reader as stopped
            while not stop.is_set():
                try:
                    frames.put(frame, timeout=0.1)
                    break
                except queue.Full:
                    continue
            if frame is None:
                return


def _read_exactly(source, size: int) -> bytes | None:
    """``size`` bytes from the pipe, or None where it ends first."""
    parts, left = [], size
    while left:
        part = source.read(left)
        if not part:
            return None
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


def _produce_into(write_fd: int, produce: Callable[[], Iterable]) -> None:
    """In the child: send each item, then the end or the error, and exit."""
    status = 1
    try:
        with os.fdopen(write_fd, "wb") as out:

            def send(message: tuple) -> None:
                """One length-prefixed pickle down the pipe."""
                frame = pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
                out.write(len(frame).to_bytes(_HEADER))
                out.write(frame)
                out.flush()

            try:
                for item in produce():
                    send((_ITEM, item))
                send((_END, None))
            except Exception as error:  # handed to the parent, which raises it
                try:
                    send((_ERROR, error))
                except Exception:
                    send((_ERROR, RuntimeError(f"{type(error).__name__}: {error}")))
        status = 0
    finally:
        os._exit(status)
