"""The admin's imports, and the customer admin's *Download editable data* (R-E1).

Decisions:
- The editable export is an import file, so this app adds it to the customer admin (which it
  takes over from `contacts.admin`): `contacts` knows nothing of imports.
- Only an export: an import in the admin would bypass the import's rules (R-I1..R-I22). Support
  downloads a channel's customers hidden and blocked ones included.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from config.admin_support import EstimatedCountPaginator, ReadOnlyAdmin
from contacts.admin import CustomerAdmin
from contacts.models import Channel, Customer
from imports.engine.export_files import FORMATS
from imports.exports import EXPORT_KINDS, editable_export, export_response
from imports.models import COUNT_FIELDS, Import, ImportConflict, ImportFailure


@admin.register(Import)
class ImportAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "channel",
        "file_name",
        "kind",
        "status",
        *COUNT_FIELDS.values(),
        "started_by",
        "created_at",
        "finished_at",
    )
    list_filter = ("status", "kind", "channel")
    search_fields = ("file_name", "tag")
    id_search_fields = ("id",)
    list_select_related = ("channel", "started_by")
    readonly_fields = ("failures_link", "conflicts_link")
    fieldsets = (
        (None, {"fields": ("channel", "started_by", "kind", "identifier", "status", "tag")}),
        ("File", {"fields": ("file", "file_name", "file_size", "encoding", "delimiter")}),
        ("Mapping", {"fields": ("mapping", "empty_cells")}),
        (
            "Progress and counts (R-I14)",
            {
                "fields": (
                    ("total_rows", "rows_done", "last_row_number"),
                    tuple(COUNT_FIELDS.values()),
                    ("failures_link", "conflicts_link"),
                    "error_message",
                    ("failures_file", "failures_expire_at"),
                    ("created_at", "started_at", "heartbeat_at", "finished_at"),
                )
            },
        ),
    )

    @admin.display(description="Failed rows")
    def failures_link(self, obj):
        url = reverse("admin:imports_importfailure_changelist") + f"?q={obj.pk}"
        return format_html('<a href="{}">{} failed rows</a>', url, obj.failed_count)

    @admin.display(description="Conflicts")
    def conflicts_link(self, obj):
        url = (
            reverse("admin:imports_importconflict_changelist") + f"?import_run__id__exact={obj.pk}"
        )
        return format_html('<a href="{}">{} conflicts</a>', url, obj.conflict_count)


@admin.register(ImportFailure)
class ImportFailureAdmin(ReadOnlyAdmin):
    list_display = ("import_run", "row_number", "error_columns", "error_reasons")
    id_search_fields = ("import_run_id",)
    list_select_related = ("import_run",)
    raw_id_fields = ("import_run",)
    ordering = ("import_run", "row_number")
    paginator = EstimatedCountPaginator


@admin.register(ImportConflict)
class ImportConflictAdmin(ReadOnlyAdmin):
    list_display = ("import_run", "row_number", "lead_id", "email_member_id", "mobile_member_id")
    id_search_fields = ("import_run_id",)
    list_select_related = ("import_run",)
    raw_id_fields = ("import_run",)
    ordering = ("import_run", "row_number")


class EditableExportForm(forms.Form):
    """Which channel's members or leads to download as editable data (R-E1)."""

    channel = forms.ModelChoiceField(queryset=Channel.objects.order_by("slug"))
    kind = forms.ChoiceField(choices=[(slug, kind.label) for slug, kind in EXPORT_KINDS.items()])
    format = forms.ChoiceField(choices=[(name, name) for name in FORMATS])
    tag = forms.CharField(
        required=False, max_length=200, help_text="Only the customers with this import tag."
    )


admin.site.unregister(Customer)


@admin.register(Customer)
class CustomerExportAdmin(CustomerAdmin):
    """The customer admin with a link to download a channel's editable data (R-E1)."""

    change_list_template = "admin/imports/customer_change_list.html"

    def get_urls(self):
        export = self.admin_site.admin_view(self.export_view)
        return [path("export/", export, name="contacts_customer_export"), *super().get_urls()]

    def export_view(self, request):
        """One channel's editable data, hidden and blocked customers included (R-E1)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = EditableExportForm(request.GET if "kind" in request.GET else None)
        form.fields["channel"].initial = request.GET.get("channel")
        if form.is_valid():
            export_kind = EXPORT_KINDS[form.cleaned_data["kind"]]
            export = editable_export(
                channel=form.cleaned_data["channel"],
                kind=export_kind.kind,
                identifier=export_kind.identifier,
                file_format=form.cleaned_data["format"],
                tag=form.cleaned_data["tag"].strip(),
            )
            return export_response(export)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": "Download editable data",
        }
        return TemplateResponse(request, "admin/imports/customer_export.html", context)
