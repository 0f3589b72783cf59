from collections import Counter

from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from contacts.access import EDIT, channel_view
from imports.models import Import, ImportConflict, ImportFailure

REASON_SAMPLE_ROWS = 5000
FAILURES_EXPIRED = "The failed-rows file is kept for 30 days; this one has been removed."


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
    """One import: status, progress, counts, failure reasons, conflicts and the download."""
    imp = get_object_or_404(
        Import.objects.select_related("started_by"), pk=pk, channel=request.channel
    )
    reasons = Counter()
    first_rows: dict[str, list[int]] = {}
    sample = ImportFailure.objects.filter(import_run=imp).values_list(
        "row_number", "error_reasons"
    )[:REASON_SAMPLE_ROWS]
    for row_number, row_reasons in sample:
        for reason in row_reasons:
            reasons[reason] += 1
            first_rows.setdefault(reason, [])
            if len(first_rows[reason]) < 5:
                first_rows[reason].append(row_number)
    conflicts = ImportConflict.objects.filter(import_run=imp)[:50]
    return render(
        request,
        "imports/detail.html",
        {
            "channel": request.channel,
            "membership": request.membership,
            "nav": "imports",
            "imp": imp,
            "percent": int(100 * imp.rows_done / imp.total_rows) if imp.total_rows else 0,
            "reasons": [(r, n, first_rows[r]) for r, n in reasons.most_common()],
            "reasons_sampled": imp.failed_count > REASON_SAMPLE_ROWS,
            "conflicts": conflicts,
            "failures_available": _failures_available(imp),
        },
    )


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
