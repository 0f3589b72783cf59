"""Editable data of a channel's members or leads as a streamed CSV or .xlsx file (R-E1).

One entry point, ``editable_export``, for the contact list's download, the Django admin and
``manage.py export_customers``; the columns come from ``resources.EditableCustomerResource``,
the file layout from ``engine.export_files``.

Decisions (R-E1, R-I1, R-I3):
- One file holds one kind, as one import does (R-I1). A lead file is identified by email or
  by mobile number, email by default; a lead without that contact could not be matched by
  the import, so it is left out (the other identifier's file holds it).
- Customers come in id order through ``values_list()`` rows read in chunks
  (``iterator(chunk_size=...)``, a server-side cursor on PostgreSQL): memory stays flat
  whatever the channel's size. Hidden and blocked customers are exported when the caller's
  queryset holds them (the command, the admin), left out when it does not (the contact list).
- An .xlsx file holds at most one sheet, so at most 1,048,575 customers (Excel's limit): a
  bigger export is refused before it starts, pointing at CSV or an import tag.
- A lead file is matched back as every lead import is (R-I3): a lead whose identifier another
  customer shares (a booted lead waiting for its login, R-U3) updates the one seen most
  recently. Members are matched by their unique memberId.
- ``customers`` defaults to all of the channel's, hidden and blocked ones included. An unknown
  kind, identifier or format, or more customers than one sheet holds, is a ValueError with the
  message to show.
- Imported back as it is, a file changes no value: the import only adds its tag (R-I10) and
  marks the contacts it writes verified (R-C3), as every import does.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone

from contacts.models import Channel, Customer
from contacts.selectors import import_tag_filter
from imports import selectors
from imports.engine import mapping
from imports.engine.export_files import (
    CONTENT_TYPES,
    FORMAT_UNKNOWN,
    FORMATS,
    XLSX,
    export_stream,
)
from imports.engine.xlsx_stream import MAX_ROWS
from imports.resources import EditableCustomerResource

CHUNK_ROWS = 2000
TOO_MANY_FOR_XLSX = (
    "{count:,} customers do not fit in one Excel sheet (at most {limit:,} rows). Download CSV, "
    "or narrow the customers down by import tag."
)


@dataclass(frozen=True)
class ExportKind:
    """What one export file holds: one import's kind and identifier (R-I1), and its names."""

    kind: str
    identifier: str | None
    label: str  # also the sheet's title
    file_part: str


# Keyed by the slugs of the import templates (wizard_views.TEMPLATE_KINDS).
EXPORT_KINDS = {
    "member": ExportKind(mapping.MEMBER, None, "Members", "members"),
    "email-lead": ExportKind(mapping.LEAD, mapping.BY_EMAIL, "Leads by email", "email-leads"),
    "mobile-lead": ExportKind(
        mapping.LEAD, mapping.BY_MOBILE, "Leads by mobile number", "mobile-leads"
    ),
}
_BY_KIND = {(k.kind, k.identifier): k for k in EXPORT_KINDS.values()}


@dataclass
class EditableExport:
    """A download on its way: its name, content type and the file's bytes as a stream."""

    file_name: str
    content_type: str
    kind: str
    identifier: str | None
    chunks: Iterator[bytes]
    row_count: int = 0  # rows written so far; final once ``chunks`` is exhausted


def _export_kind(kind: str, identifier: str | None, file_format: str) -> ExportKind:
    if kind not in mapping.KINDS:
        raise ValueError(mapping.KIND_UNKNOWN)
    if kind == mapping.MEMBER and identifier:
        raise ValueError(mapping.IDENTIFIER_FOR_MEMBERS)
    if kind == mapping.LEAD:
        identifier = identifier or mapping.BY_EMAIL
        if identifier not in mapping.IDENTIFIERS:
            raise ValueError(mapping.IDENTIFIER_UNKNOWN)
    if file_format not in FORMATS:
        raise ValueError(FORMAT_UNKNOWN)
    return _BY_KIND[(kind, identifier or None)]


def editable_customers(
    customers: QuerySet[Customer], *, kind: str, identifier: str | None
) -> QuerySet[Customer]:
    """The customers of one export file: one kind, leads holding the identifier, by id."""
    if kind == mapping.MEMBER:
        customers = customers.filter(member_id__isnull=False)
    else:
        field = "email" if identifier == mapping.BY_EMAIL else "mobile_number"
        customers = customers.filter(member_id__isnull=True, **{f"{field}__isnull": False})
    return customers.order_by("id")


def export_file_name(channel: Channel, export_kind: ExportKind, file_format: str) -> str:
    """E.g. ``acme-members-20250504-0900.xlsx`` (the import tag it gets back, R-I10)."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return f"{channel.slug}-{export_kind.file_part}-{stamp}.{file_format}"


def editable_export(
    *,
    channel: Channel,
    kind: str,
    identifier: str | None = None,
    file_format: str,
    customers: QuerySet[Customer] | None = None,
    tag: str = "",
) -> EditableExport:
    """The editable export of one kind of ``customers``, ``tag``'s only if given (ValueError)."""
    export_kind = _export_kind(kind, identifier, file_format)
    kind, identifier = export_kind.kind, export_kind.identifier
    resource = EditableCustomerResource(
        kind=kind, identifier=identifier, custom_keys=selectors.custom_keys(channel)
    )
    if customers is None:
        customers = Customer.objects.all()
    customers = customers.filter(channel=channel)
    if tag:
        customers = customers.filter(import_tag_filter(channel, tag))
    customers = editable_customers(customers, kind=kind, identifier=identifier)
    if file_format == XLSX:
        count = customers.count()
        if count >= MAX_ROWS:
            raise ValueError(TOO_MANY_FOR_XLSX.format(count=count, limit=MAX_ROWS - 1))
    rows = customers.values_list(*resource.value_fields).iterator(chunk_size=CHUNK_ROWS)
    export = EditableExport(
        file_name=export_file_name(channel, export_kind, file_format),
        content_type=CONTENT_TYPES[file_format],
        kind=kind,
        identifier=identifier,
        chunks=iter(()),
    )

    def counted():
        for cells in resource.export_rows(rows):
            export.row_count += 1
            yield cells

    export.chunks = export_stream(
        file_format,
        resource.get_export_headers(),
        counted(),
        sheet_title=export_kind.label,
    )
    return export


def export_response(export: EditableExport) -> StreamingHttpResponse:
    """The download of an export, streamed as it is written."""
    response = StreamingHttpResponse(export.chunks, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.file_name}"'
    return response
