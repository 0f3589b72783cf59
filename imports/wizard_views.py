"""The import wizard's pages: start and upload, mapping, check, confirm (R-I4..R-I12, R-I16).

Decisions:
- The upload view reads its body only after the login, channel and permission checks, through
  upload handlers that stream to disk and stop past 100 MB (R-I17, imports/uploads.py).
- The wizard starts an import only after a finished check of its current mapping (R-I11):
  changing the mapping or the reading forgets the last report.
- The opt-out choice for new customers (R-I7a) never blocks: without it the guide's rule holds
  (a new customer's row needs both values), which the check report then shows row by row.
"""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from contacts.access import EDIT, channel_view
from imports import checking, forms, lifecycle, refusals, selectors
from imports.engine.reading import FILE_TOO_LARGE
from imports.mapping_page import MappingPage
from imports.models import Import
from imports.progress import percent
from imports.template_files import TITLES, template_file_name
from imports.uploads import limited_uploads, upload_refusal

CHECK_QUEUED = "Checking the whole file. Nothing is written until you start the import."
KEY_CREATED = "Key {name} will be created when the import starts; it is selected for {column}."
READING_CHANGED = "The file was read again; choose the mapping anew."


# The template downloads by URL slug: (kind, identifier).
TEMPLATE_KINDS = {
    "member": (Import.Kind.MEMBER, None),
    "email-lead": (Import.Kind.LEAD, Import.Identifier.EMAIL),
    "mobile-lead": (Import.Kind.LEAD, Import.Identifier.MOBILE),
}
TEMPLATE_LABELS = {slug: TITLES[(kind, ident)] for slug, (kind, ident) in TEMPLATE_KINDS.items()}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WIZARD_STEPS = [(1, "Upload"), (2, "Map columns"), (3, "Check"), (4, "Import")]


def _page(request, template: str, status: int = 200, **context):
    context.update(
        channel=request.channel,
        membership=request.membership,
        nav="import_new",
        wizard_steps=WIZARD_STEPS,
    )
    return render(request, template, context, status=status)


def _draft(request, pk: int) -> Import:
    """The channel's import, 404 for another channel's; a started one goes to its own page."""
    return get_object_or_404(Import, pk=pk, channel=request.channel)


@channel_view(EDIT)
@limited_uploads
def import_new(request):
    """Start page: pick members or leads, download a template, upload the file (R-I1, R-I4)."""
    active = selectors.import_active(request.channel)
    form = forms.UploadForm()
    refusal = None
    if request.method == "POST" and active is None:
        refusal = upload_refusal(request)
        form = forms.UploadForm(request.POST, request.FILES)
        if refusal is not None:
            form.is_valid()
            form.errors.pop("file", None)  # the refusal says what is wrong with it
        elif form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                imp = lifecycle.import_upload(
                    channel=request.channel,
                    by=request.user,
                    file=upload,
                    file_name=upload.name,
                    kind=form.cleaned_data["kind"],
                    identifier=form.cleaned_data["identifier"],
                )
            except refusals.ImportRefused as error:
                refusal = error.message
            else:
                return redirect("imports:mapping", request.channel.slug, imp.pk)
    return _page(
        request,
        "imports/new.html",
        status=400 if refusal or form.errors else 200,
        form=form,
        refusal=refusal,
        active=active,
        templates=TEMPLATE_LABELS,
        max_bytes=settings.IMPORT_MAX_FILE_BYTES,
        too_large=FILE_TOO_LARGE,
    )


@channel_view(EDIT)
def import_template(request, template_kind: str):
    """The Excel template of one kind of import, with the channel's keys (R-I4)."""
    if template_kind not in TEMPLATE_KINDS:
        raise Http404("No such template.")
    kind, identifier = TEMPLATE_KINDS[template_kind]
    body = selectors.import_template(request.channel, kind=kind, identifier=identifier)
    response = HttpResponse(body, content_type=XLSX)
    name = template_file_name(kind=kind, identifier=identifier)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@channel_view(EDIT)
def import_mapping(request, pk: int):
    """Map each column to a profile key or skip it; policy, tag, opt-outs; preview (R-I5..R-I10)."""
    imp = _draft(request, pk)
    if imp.status != Import.Status.DRAFT:
        return redirect("imports:detail", request.channel.slug, imp.pk)
    page = MappingPage(imp, request.POST if request.method == "POST" else None)
    refusal = None
    settings_form = forms.SettingsForm(
        request.POST or None,
        initial={
            "empty_cells": imp.empty_cells,
            "tag": imp.tag,
            "new_unsubscribe_email": _choice(imp.new_unsubscribe_email),
            "new_unsubscribe_texting": _choice(imp.new_unsubscribe_texting),
        },
    )
    if request.method == "POST":
        try:
            if request.POST.get("action") == "create_key":
                return _create_key(request, imp, page, settings_form)
            if settings_form.is_valid():
                _configure(request, imp, page, settings_form)
                checking.import_check_request(imp=imp, by=request.user)
                messages.info(request, CHECK_QUEUED)
                return redirect("imports:check", request.channel.slug, imp.pk)
        except refusals.ImportRefused as error:
            refusal = error.message
    return _mapping_page(request, imp, page, settings_form, refusal)


def _choice(value: bool | None) -> str:
    return "" if value is None else str(value).lower()


def _mapping_page(request, imp, page, settings_form, refusal=None, key_form=None, notice=""):
    return _page(
        request,
        "imports/mapping.html",
        status=400 if refusal or settings_form.errors else 200,
        imp=imp,
        page=page,
        settings_form=settings_form,
        reading_form=forms.ReadingForm(
            initial={"encoding": imp.encoding, "delimiter": imp.delimiter}
        ),
        key_form=key_form or forms.NewKeyForm(),
        refusal=refusal,
        notice=notice,
    )


def _configure(request, imp: Import, page: MappingPage, settings_form) -> None:
    email, texting = settings_form.opt_outs()
    explicit, skip = page.choices()
    lifecycle.import_configure(
        imp=imp,
        by=request.user,
        kind=imp.kind,
        identifier=imp.identifier or None,
        mapping=explicit,
        skip=skip,
        new_keys={name: t for name, t in imp.new_keys.items() if name in explicit.values()},
        empty_cells=settings_form.cleaned_data["empty_cells"],
        tag=settings_form.cleaned_data["tag"],
        new_unsubscribe_email=email,
        new_unsubscribe_texting=texting,
    )


def _create_key(request, imp: Import, page: MappingPage, settings_form):
    key_form = forms.NewKeyForm(request.POST)
    if not key_form.is_valid():
        return _mapping_page(request, imp, page, settings_form, key_form=key_form)
    name = key_form.cleaned_data["new_key_name"].strip()
    column = key_form.cleaned_data["new_key_column"]
    lifecycle.import_key_new(
        imp=imp, by=request.user, name=name, type_name=key_form.cleaned_data["new_key_type"]
    )
    page = MappingPage(imp, request.POST, select={column: name})
    notice = KEY_CREATED.format(name=name, column=page.header(column))
    return _mapping_page(request, imp, page, settings_form, notice=notice)


@require_POST
@channel_view(EDIT)
def import_reading(request, pk: int):
    """Read the draft's file again with the encoding and delimiter the manager chose (R-I22)."""
    imp = _draft(request, pk)
    form = forms.ReadingForm(request.POST)
    if form.is_valid():
        try:
            lifecycle.import_reread(
                imp=imp,
                by=request.user,
                encoding=form.cleaned_data["encoding"] or None,
                delimiter=form.cleaned_data["delimiter"] or None,
            )
            messages.info(request, READING_CHANGED)
        except refusals.ImportRefused as error:
            messages.error(request, error.message)
    return redirect("imports:mapping", request.channel.slug, imp.pk)


@channel_view(EDIT)
def import_check(request, pk: int):
    """The dry run's progress, then its report and the confirmation to start (R-I11, R-I12)."""
    imp = _draft(request, pk)
    if imp.status != Import.Status.DRAFT:
        return redirect("imports:detail", request.channel.slug, imp.pk)
    if request.htmx and not _checking(imp):
        return HttpResponseClientRefresh()
    template = "imports/partials/_check_progress.html" if request.htmx else "imports/check.html"
    return _page(
        request,
        template,
        imp=imp,
        checking=_checking(imp),
        report=imp.check_result if imp.check_status == Import.CheckStatus.DONE else None,
        percent=percent(imp.check_rows_done, imp.total_rows),
        start_form=forms.StartForm(),
        active=selectors.import_active(request.channel),
    )


def _checking(imp: Import) -> bool:
    return imp.check_status in (Import.CheckStatus.QUEUED, Import.CheckStatus.RUNNING)


@require_POST
@channel_view(EDIT)
def import_start(request, pk: int):
    """Start a checked import once the manager confirmed it cannot be undone (R-I12, R-I16)."""
    imp = _draft(request, pk)
    form = forms.StartForm(request.POST)
    if not form.is_valid():
        messages.error(request, forms.CONFIRM_REQUIRED)
    else:
        try:
            lifecycle.import_start(imp=imp, by=request.user, require_check=True)
        except refusals.ImportRefused as error:
            messages.error(request, error.message)
        else:
            return redirect("imports:detail", request.channel.slug, imp.pk)
    return redirect("imports:check", request.channel.slug, imp.pk)
