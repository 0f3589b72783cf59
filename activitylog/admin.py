from django.contrib import admin

from activitylog.models import Entry
from config.admin_support import EstimatedCountPaginator, ReadOnlyAdmin


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    """The activity log is evidence: nobody edits it, here or anywhere."""

    list_display = (
        "created_at",
        "channel",
        "actor",
        "category",
        "action",
        "customer_label",
        "customer_id",
        "import_id",
    )
    list_filter = ("category", "channel")
    search_fields = ("action",)
    id_search_fields = ("customer_id", "import_id")
    list_select_related = ("channel", "actor")
    paginator = EstimatedCountPaginator
    list_per_page = 50
