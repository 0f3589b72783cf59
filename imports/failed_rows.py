"""An import's failed-rows workbook (R-I14): its columns, its rows, the file it is saved to.

Decisions:
- The columns after the third are the mapped profile keys in the file's column order; a caller
  that has the file open gives its headers, so it is not opened again.
- The workbook is written to a temporary file first and then saved to storage whole: a
  storage that cannot take it leaves no half-written file behind.
"""

import tempfile
from collections.abc import Iterator

from django.core.files import File
from django.core.files.storage import default_storage

from imports import selectors
from imports.engine.failures import write_failures
from imports.engine.reading import FileRefused
from imports.models import Import, ImportFailure


def failure_keys(imp: Import, headers: list[str] | None = None) -> list[str]:
    """The mapped profile keys in file order: the failed-rows file's columns after the third."""
    if headers is None:
        try:
            with selectors.import_table(imp) as table:
                headers = table.headers
        except FileRefused:
            headers = []
    order = {h: i for i, h in enumerate(headers)}
    mapped = sorted(imp.mapping, key=lambda h: order.get(h, len(order)))
    return [imp.mapping[h] for h in mapped]


def failures_rows(imp: Import) -> Iterator[tuple]:
    """The import's failed rows in row order, streamed."""
    return (
        ImportFailure.objects.filter(import_run=imp)
        .order_by("row_number")
        .values_list("row_number", "error_columns", "error_reasons", "values")
        .iterator(chunk_size=2000)
    )


def failures_write(imp: Import, target, headers: list[str] | None = None) -> int:
    """Write the import's failed-rows workbook to a path or binary file (R-I14)."""
    return write_failures(target, failure_keys(imp, headers), failures_rows(imp))


def failures_save(imp: Import, headers: list[str] | None = None) -> str:
    """Save the import's failed-rows workbook to storage; return its stored name."""
    with tempfile.TemporaryFile() as handle:
        failures_write(imp, handle, headers)
        handle.seek(0)
        name = imp.failures_file.field.generate_filename(imp, f"import-{imp.pk}-failed-rows.xlsx")
        return default_storage.save(name, File(handle))
