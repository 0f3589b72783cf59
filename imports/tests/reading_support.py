"""Reading tests' helpers: the fixture files (from fixtures/make_fixtures.py), a minimal file."""

import io
from pathlib import Path

import pytest

from imports.engine.reading import FileRefused, open_table

FIXTURES = Path(__file__).parent / "fixtures"


class MinimalFile:
    """Only read/seek/tell, like the least a storage backend's File offers."""

    def __init__(self, data: bytes) -> None:
        self._buffer = io.BytesIO(data)

    def read(self, size: int = -1) -> bytes:
        return self._buffer.read(size)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._buffer.seek(offset, whence)

    def tell(self) -> int:
        return self._buffer.tell()


def read_all(source, **options):
    with open_table(source, **options) as table:
        return table, list(table.rows())


def refusal(source, **options) -> str:
    with pytest.raises(FileRefused) as caught:
        read_all(source, **options)
    return caught.value.message


def fixture(name: str) -> Path:
    return FIXTURES / name
