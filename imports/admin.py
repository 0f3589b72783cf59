from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from contacts.admin import EstimatedCountPaginator, ReadOnlyAdmin
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
