"""Django admin for support staff: look things up, change little.

Writes that mean something in the domain (blocking, deleting, adding managers, MU limits) go
through the services, so they land in the activity log; the admin mostly reads.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import F, Q
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.html import format_html

from contacts.models import (
    Channel,
    Conversation,
    Customer,
    Membership,
    PendingUnification,
    ProfileKey,
)
from contacts.selectors import customers_hidden, hidden_filter
from imports.engine.export_files import FORMATS
from imports.exports import EXPORT_KINDS, editable_export, export_response

# Above this planner estimate the exact COUNT(*) is skipped: "about 1,000,000" is enough there.
ESTIMATE_THRESHOLD = 50_000


class EstimatedCountPaginator(Paginator):
    """Paginator that asks PostgreSQL's planner for big counts instead of COUNT(*).

    An exact count of a million customers scans the table on every changelist page; the
    planner's row estimate costs one EXPLAIN. Small results (and SQLite) are counted exactly.
    """

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
        import json

        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never added, changed or deleted here.

    `id_search_fields` are integer columns a number typed in the search box matches exactly
    (the admin's own `=field` search would cast them to text and scan the table).
    """

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


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ("user", "role", "can_edit_customers", "can_delete_customers", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        # Seats are given with `manage.py manager_add` or an owner's invitation (logged).
        return False


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "plan", "has_security_package", "mu_limit", "created_at")
    list_filter = ("plan", "has_security_package")
    search_fields = ("slug", "name")
    ordering = ("slug",)
    show_full_result_count = False
    inlines = [MembershipInline]
    # Plan and security package are billing matters support may fix; the MU limit hides and
    # shows customers, so it is changed on the owner's settings page where it is applied.
    fields = (
        "slug",
        "name",
        "plan",
        "has_security_package",
        "mu_limit",
        "hidden_customers",
        "created_at",
    )
    readonly_fields = ("slug", "mu_limit", "hidden_customers", "created_at")

    def has_add_permission(self, request):
        # A channel needs its owner: `manage.py channel_create`.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Hidden by the MU limit")
    def hidden_customers(self, obj):
        url = reverse("admin:contacts_customer_changelist")
        query = f"channel__id__exact={obj.pk}&{MuLimitFilter.parameter_name}={MuLimitFilter.HIDDEN}"
        return format_html(
            '<a href="{}?{}">{} customer(s)</a>', url, query, customers_hidden(obj).count()
        )


@admin.register(ProfileKey)
class ProfileKeyAdmin(ReadOnlyAdmin):
    list_display = ("name", "label", "type", "channel", "created_at", "created_by")
    list_filter = ("type", "channel")
    search_fields = ("name", "label", "channel__slug")
    list_select_related = ("channel", "created_by")


class CustomerTypeFilter(admin.SimpleListFilter):
    title = "type"
    parameter_name = "type"

    def lookups(self, request, model_admin):
        return [("member", "Members"), ("lead", "Leads")]

    def queryset(self, request, queryset):
        if self.value() == "member":
            return queryset.filter(member_id__isnull=False)
        if self.value() == "lead":
            return queryset.filter(member_id__isnull=True)
        return queryset


class MuLimitFilter(admin.SimpleListFilter):
    """The customers the MU limit hides (R-M2), most recently seen first as the owner sees them."""

    title = "MU limit"
    parameter_name = "mu"
    HIDDEN = "hidden"

    def lookups(self, request, model_admin):
        return [(self.HIDDEN, "Hidden by the MU limit")]

    def queryset(self, request, queryset):
        if self.value() == self.HIDDEN:
            return queryset.filter(hidden_filter())
        return queryset


class EditableExportForm(forms.Form):
    """Which channel's members or leads to download as editable data (R-E1)."""

    channel = forms.ModelChoiceField(queryset=Channel.objects.order_by("slug"))
    kind = forms.ChoiceField(choices=[(slug, kind.label) for slug, kind in EXPORT_KINDS.items()])
    format = forms.ChoiceField(choices=[(name, name) for name in FORMATS])
    tag = forms.CharField(
        required=False, max_length=200, help_text="Only the customers with this import tag."
    )


@admin.register(Customer)
class CustomerAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "display_name",
        "member_id",
        "email",
        "mobile_number",
        "channel",
        "is_blocked",
        "is_hidden",
        "last_seen_at",
    )
    list_display_links = ("id", "display_name")
    list_filter = (CustomerTypeFilter, "is_blocked", MuLimitFilter, "has_booted", "channel")
    # Exact lookups only: they use the (channel, email) / (channel, mobile) indexes, where a
    # `LIKE '%...%'` would scan a million rows. Emails are stored lowercased.
    search_fields = ("member_id__exact", "email__exact", "mobile_number__exact")
    search_help_text = "An exact memberId, email (lowercase) or E.164 mobile number."
    list_select_related = ("channel",)
    ordering = ("-id",)
    paginator = EstimatedCountPaginator
    list_per_page = 50
    fieldsets = (
        (None, {"fields": ("channel", "member_id", "name")}),
        (
            "Contact",
            {
                "fields": (
                    ("email", "email_verified"),
                    ("mobile_number", "mobile_verified"),
                    "landline_number",
                    ("unsubscribe_email", "unsubscribe_texting"),
                )
            },
        ),
        ("Profile", {"fields": ("import_tags", "profile")}),
        (
            "State",
            {
                "fields": (
                    ("is_blocked", "blocked_at"),
                    "is_hidden",
                    "has_booted",
                    ("created_at", "updated_at", "last_seen_at"),
                )
            },
        ),
    )

    @admin.display(description="Name")
    def display_name(self, obj):
        return obj.display_name

    def get_ordering(self, request):
        # Hidden customers in the order the MU limit shows them again (R-M2).
        if request.GET.get(MuLimitFilter.parameter_name) == MuLimitFilter.HIDDEN:
            return (F("last_seen_at").desc(nulls_last=True), "-id")
        return super().get_ordering(request)

    def get_urls(self):
        export = self.admin_site.admin_view(self.export_view)
        return [path("export/", export, name="contacts_customer_export"), *super().get_urls()]

    def export_view(self, request):
        """One channel's editable data, hidden and blocked customers included (R-E1).

        Only an export: an import here would bypass the import's rules (R-I1..R-I22).
        """
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
        return TemplateResponse(request, "admin/contacts/customer/export.html", context)


@admin.register(PendingUnification)
class PendingUnificationAdmin(ReadOnlyAdmin):
    list_display = ("id", "lead", "member", "channel", "import_id", "created_at")
    list_filter = ("channel",)
    id_search_fields = ("import_id", "lead_id", "member_id")
    list_select_related = ("channel", "lead", "member")
    raw_id_fields = ("lead", "member")


@admin.register(Conversation)
class ConversationAdmin(ReadOnlyAdmin):
    list_display = ("id", "subject", "customer", "channel", "created_at")
    list_filter = ("channel",)
    search_fields = ("subject",)
    list_select_related = ("channel", "customer")
    raw_id_fields = ("customer",)
    paginator = EstimatedCountPaginator
