"""Django admin for support staff: look things up, change little.

Writes that mean something in the domain (blocking, deleting, adding managers, MU limits) go
through the services, so they land in the activity log; the admin mostly reads.
"""

from django.contrib import admin
from django.db.models import F
from django.urls import reverse
from django.utils.html import format_html

from config.admin_support import EstimatedCountPaginator, ReadOnlyAdmin
from contacts.models import (
    Channel,
    Conversation,
    Customer,
    Membership,
    PendingUnification,
    ProfileKey,
)
from contacts.selectors import customers_hidden, hidden_filter


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
