"""The import pages: the import log, one import's page, its stop and failed rows; the export.

Decisions:
- The editable export is for the managers who may import (R-I17): the file is made to be
  edited and imported back, and a whole channel's contacts are the most sensitive thing a
  manager can take away.
"""

from collections import Counter

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from contacts import selectors as contacts_selectors
from contacts.access import EDIT, channel_view
from contacts.list_query import list_filters
from imports import refusals, running
from imports.exports import EXPORT_KINDS, editable_export, export_response
from imports.models import Import, ImportConflict, ImportFailure
from imports.progress import import_progress, outcome_words

REASON_SAMPLE_ROWS = 5000
FIRST_ROWS = 5
STOP_ASKED = "The import stops after the rows in hand; what was imported stays."
STOPPED_BEFORE_START = "The import was stopped before it began: nothing was imported."
EXPORT_KIND_UNKNOWN = "Choose what to download: members, leads by email or leads by mobile."
STOPPED_STALLED = "The import was stopped: the {done} rows it had imported stay."
FAILURES_EXPIRED = (
    "The failed-rows file is kept for 30 days; this one has expired and been removed."
)


@channel_view()
def import_list(request):
    """The customer import log (R-I14): every import of the channel, newest first."""
    imports = (
        Import.objects.filter(channel=request.channel)
        .exclude(status=Import.Status.DRAFT)
        .select_related("started_by")
    )
    page = Paginator(imports, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "imports/list.html",
        {
            "channel": request.channel,
            "membership": request.membership,
            "nav": "imports",
            "page": page,
        },
    )


@channel_view()
def import_detail(request, pk: int):
    """One import: live progress, the outcome in words, counts, failure reasons, conflicts."""
    imp = get_object_or_404(
        Import.objects.select_related("started_by", "stop_requested_by"),
        pk=pk,
        channel=request.channel,
    )
    if imp.status == Import.Status.DRAFT:
        return redirect("imports:mapping", request.channel.slug, imp.pk)
    context = {
        "channel": request.channel,
        "membership": request.membership,
        "nav": "imports",
        "imp": imp,
        "progress": import_progress(imp, timezone.now()),
    }
    if request.htmx:
        if not imp.is_active:
            return HttpResponseClientRefresh()
        return render(request, "imports/partials/_progress.html", context)
    conflicts = ImportConflict.objects.filter(import_run=imp)[:50]
    reasons, sampled = _failure_reasons(imp)
    return render(
        request,
        "imports/detail.html",
        context
        | {
            "outcome": outcome_words(imp),
            "may_stop": _may_stop(request, imp),
            "reasons": reasons,
            "reasons_sampled": sampled,
            "conflicts": conflicts,
            "failures_available": _failures_available(imp),
            "failures_expired": FAILURES_EXPIRED,
        },
    )


def _failure_reasons(imp: Import) -> tuple[list[tuple[str, str, int, list[int]]], bool]:
    """(column, reason, rows, first distinct row numbers) of the failed rows, most common first."""
    counts: Counter = Counter()
    first_rows: dict[tuple[str, str], list[int]] = {}
    sample = ImportFailure.objects.filter(import_run=imp).values_list(
        "row_number", "errors", "error_columns", "error_reasons"
    )[:REASON_SAMPLE_ROWS]
    for row_number, errors, columns, row_reasons in sample:
        pairs = dict.fromkeys(tuple(e) for e in errors or _paired(columns, row_reasons))
        for pair in pairs:
            counts[pair] += 1
            rows = first_rows.setdefault(pair, [])
            if len(rows) < FIRST_ROWS:
                rows.append(row_number)
    reasons = [(c, r, n, first_rows[(c, r)]) for (c, r), n in counts.most_common()]
    return reasons, imp.failed_count > REASON_SAMPLE_ROWS


def _paired(columns: list[str], reasons: list[str]) -> list[tuple[str, str]]:
    """Failures stored before pairs were kept: a column per reason only where they line up."""
    if len(columns) == len(reasons):
        return list(zip(columns, reasons, strict=True))
    return [("", reason) for reason in reasons]


def _may_stop(request, imp: Import) -> bool:
    return imp.started_by_id == request.user.pk or request.membership.is_owner


@require_POST
@channel_view()
def import_stop(request, pk: int):
    """Stop a running import after the chunk in flight (its starter or the owner)."""
    imp = get_object_or_404(Import, pk=pk, channel=request.channel)
    if not _may_stop(request, imp):
        raise PermissionDenied
    try:
        imp = running.import_stop(imp=imp, by=request.user)
    except refusals.ImportRefused as error:
        messages.error(request, error.message)
    else:
        if imp.status != Import.Status.STOPPED:
            messages.info(request, STOP_ASKED)
        elif imp.rows_done:  # its runner was gone: it ended at once, with what it had done
            messages.info(request, STOPPED_STALLED.format(done=f"{imp.rows_done:,}"))
        else:
            messages.info(request, STOPPED_BEFORE_START)
    return redirect("imports:detail", request.channel.slug, imp.pk)


@channel_view(EDIT)
def failures_download(request, pk: int):
    """The failed rows as an Excel file (R-I14); managers who may import may download it."""
    imp = get_object_or_404(Import, pk=pk, channel=request.channel)
    if not _failures_available(imp):
        raise Http404(FAILURES_EXPIRED)
    return FileResponse(
        imp.failures_file.open("rb"),
        as_attachment=True,
        filename=f"{imp.tag or 'import'}-failed-rows.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def _failures_available(imp: Import) -> bool:
    return bool(imp.failures_file) and (
        imp.failures_expire_at is None or imp.failures_expire_at > timezone.now()
    )


@channel_view(EDIT)
def customers_export(request):
    """The contact list's customers (its search and import tag) as editable data (R-E1)."""
    export_kind = EXPORT_KINDS.get(request.GET.get("kind", "member"))
    if export_kind is None:
        return HttpResponseBadRequest(EXPORT_KIND_UNKNOWN)
    _, query, tag = list_filters(request.GET)
    customers = contacts_selectors.customer_list(
        channel=request.channel, customer_type=export_kind.kind, query=query, tag=tag
    )
    try:
        export = editable_export(
            channel=request.channel,
            kind=export_kind.kind,
            identifier=export_kind.identifier,
            file_format=request.GET.get("format", "xlsx"),
            customers=customers,
        )
    except ValueError as error:
        return HttpResponseBadRequest(str(error))
    return export_response(export)
