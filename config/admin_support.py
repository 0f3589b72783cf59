"""What every app's admin shares: read-only model admins and a paginator for big tables.

Decisions:
- Above `ESTIMATE_THRESHOLD` rows the changelist shows PostgreSQL's planner estimate instead of
  an exact COUNT(*): counting a million customers scans the table on every page, the estimate
  costs one EXPLAIN, and "about 1,000,000" is enough there. Small results and SQLite are
  counted exactly.
- `ReadOnlyAdmin.id_search_fields` are integer columns a number typed in the search box
  matches exactly: the admin's own `=field` search would cast them to text and scan the table.
"""

import json

from django.contrib import admin
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Q
from django.utils.functional import cached_property

ESTIMATE_THRESHOLD = 50_000


class EstimatedCountPaginator(Paginator):
    """Paginator that asks PostgreSQL's planner for big counts instead of COUNT(*)."""

    @cached_property
    def count(self):
        queryset = self.object_list
        connection = connections[queryset.db]
        if connection.vendor == "postgresql":
            estimate = _planner_rows(connection, queryset)
            if estimate > ESTIMATE_THRESHOLD:
                return estimate
        return super().count


def _planner_rows(connection, queryset) -> int:
    sql, params = queryset.order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never added, changed or deleted here; `id_search_fields` match a typed number."""

    show_full_result_count = False
    id_search_fields: tuple[str, ...] = ()

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        own = [f.name for f in self.model._meta.concrete_fields]
        return [*own, *(f for f in self.readonly_fields if f not in own)]

    def get_search_fields(self, request):
        # The admin shows its search box only when there are search fields.
        return self.search_fields or self.id_search_fields

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not self.id_search_fields or not term:
            return super().get_search_results(request, queryset, search_term)
        by_id = Q()
        if term.isdigit() and len(term) < 19:
            for field in self.id_search_fields:
                by_id |= Q(**{field: int(term)})
        if not self.search_fields:
            return (queryset.filter(by_id) if by_id else queryset.none()), False
        found, duplicates = super().get_search_results(request, queryset, search_term)
        return (found | queryset.filter(by_id) if by_id else found), duplicates
