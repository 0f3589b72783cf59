"""Run a generator in a forked child process and take its items here, in order.

An import is Python-bound: reading and parsing cells is about a third of the work, planning and
writing the rest. On two cores the parsing can run in a second process while this one plans the
previous chunk and PostgreSQL writes it. `os.fork` rather than `multiprocessing`: django-q2 runs
tasks in daemonic processes, which `multiprocessing` forbids to have children. The child only
reads the file and parses; it never touches the database connection it inherits, and it ends
with `os._exit`, so nothing of the parent's is closed or flushed twice.
"""

import contextlib
import os
import pickle
import signal
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

_ITEM, _END, _ERROR = "item", "end", "error"
_BUFFER = 1 << 16


class ChildDied(RuntimeError):
    """The producing child process ended without finishing its items."""


def forked(produce: Callable[[], Iterable[T]]) -> Iterator[T]:
    """Yield the items of `produce()`, computed in a child process; its errors are raised here.

    The pipe between the two is small, so the child runs at most about one item ahead: memory
    stays flat however long the stream is. Closing the iterator early stops the child.
    """
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read_fd)
        _produce_into(write_fd, produce)  # never returns
    os.close(write_fd)
    try:
        with os.fdopen(read_fd, "rb", buffering=_BUFFER) as source:
            load = pickle.load
            while True:
                try:
                    kind, payload = load(source)
                except EOFError:
                    raise ChildDied("The file reader stopped unexpectedly.") from None
                if kind == _ITEM:
                    yield payload
                elif kind == _END:
                    return
                else:
                    raise payload
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


def _produce_into(write_fd: int, produce: Callable[[], Iterable]) -> None:
    status = 1
    try:
        with os.fdopen(write_fd, "wb", buffering=_BUFFER) as out:
            dump = pickle.dump
            protocol = pickle.HIGHEST_PROTOCOL
            try:
                for item in produce():
                    dump((_ITEM, item), out, protocol)
                dump((_END, None), out, protocol)
            except Exception as error:  # handed to the parent, which raises it
                try:
                    dump((_ERROR, error), out, protocol)
                except Exception:
                    dump((_ERROR, RuntimeError(f"{type(error).__name__}: {error}")), out, protocol)
        status = 0
    finally:
        os._exit(status)
