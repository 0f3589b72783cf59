from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from contacts import invitations, profile_types, selectors, services, unification
from contacts.access import DELETE, EDIT, OWNER, channel_view
from contacts.forms import (
    TYPE_LABELS,
    CustomerEditForm,
    LeadAddForm,
    ManagerInviteForm,
    ManagerPermissionsForm,
    MuLimitForm,
    ProfileKeyAddForm,
    ProfileKeyEditForm,
)
from contacts.keys import BUILTIN_BY_NAME, BUILTIN_KEYS
from contacts.models import Customer, Invitation, Membership, ProfileKey

LEAD_ADDED = "Lead added."
LEAD_ADDED_HIDDEN = (
    "Lead added, but hidden: the channel's MU limit is reached. It is stored and found by "
    '"Already exists", and shows again when room appears (raise the limit or delete customers).'
)
CUSTOMER_SAVED = "Customer saved."
NOTHING_CHANGED = "Nothing changed."
CUSTOMER_DELETED = "Customer deleted."
CUSTOMERS_DELETED = "{count} customer(s) deleted."
HIDDEN_SHOWN_AGAIN = "{count} customer(s) hidden by the MU limit are shown again."
NOTHING_SELECTED = "Select at least one customer."
# What the owner reads never tells whether the email already has an account.
INVITATION_CREATED = (
    "Invitation for {email} created. Send them this link; it works once, for {days} days: {link}"
)
INVITATION_SENT = (
    "Invitation emailed to {email}. The link works once, for {days} days; you may also send it "
    "yourself: {link}"
)
INVITATION_REVOKED = "The invitation of {email} is revoked; its link no longer works."
MANAGER_UPDATED = "Permissions of {email} saved."
MANAGER_REMOVED = "{email} is no longer a manager of the channel."
MU_LIMIT_SAVED = "MU limit saved: {hidden} customer(s) hidden, {shown} shown again."
MU_LIMIT_CLEARED = "MU limit removed: {shown} hidden customer(s) shown again."
KEY_ADDED = "Profile key {name} added."
CONTACT_VERIFIED = "{key} verified."
VERIFIED_UNIFIED = "{key} verified; the lead is unified into member {member} (R-U2)."
VERIFIED_PENDING = (
    "{key} verified; the lead is unified into member {member} when it next logs in (R-U3)."
)
VERIFIED_CONFLICT = (
    "{key} verified, but the lead is not unified: its contacts belong to two members, {first} "
    "and {second} (R-U6)."
)
KEY_SAVED = "Profile key {name} saved."


@login_required
def home(request):
    """Send the manager to a channel's contacts: the one asked for, else their first."""
    memberships = Membership.objects.filter(user=request.user).select_related("channel")
    wanted = request.GET.get("channel")
    if wanted:
        memberships = memberships.filter(channel__slug=wanted)
    membership = memberships.order_by("channel__name").first()
    if membership is None:
        return render(request, "no_channel.html", status=404 if wanted else 200)
    return redirect("contacts:list", membership.channel.slug)


def _page(request, template: str, nav: str, status: int = 200, **context):
    context.update(channel=request.channel, membership=request.membership, nav=nav)
    return render(request, template, context, status=status)


def _customer(request, pk: int) -> Customer:
    return get_object_or_404(Customer, pk=pk, channel=request.channel)


def _cursor(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() and len(text) < 19 else None


def _ids(values: list[str]) -> list[int]:
    return sorted({int(v) for v in values if v.isdigit() and len(v) < 19})


def _report_shown(request, shown: int) -> None:
    if shown:
        messages.info(request, HIDDEN_SHOWN_AGAIN.format(count=shown))


# Contacts


def list_filters(params) -> tuple[str | None, str, str]:
    """The contact list's type, search and import tag from a GET query (cleaned, cut)."""
    customer_type = params.get("type")
    if customer_type not in (selectors.MEMBER, selectors.LEAD):
        customer_type = None
    return customer_type, params.get("q", "").strip()[:512], params.get("tag", "").strip()[:200]


@channel_view()
def customer_list(request):
    """Visible customers, newest first, 50 a page by keyset (R-M1 count on All)."""
    customer_type, query, tag = list_filters(request.GET)
    listing = selectors.customer_filters(
        channel=request.channel, customer_type=customer_type, query=query, tag=tag
    )
    page = selectors.customer_page(
        listing,
        after=_cursor(request.GET.get("after")),
        before=_cursor(request.GET.get("before")),
    )
    filters = {k: v for k, v in (("type", customer_type), ("q", query), ("tag", tag)) if v}
    return _page(
        request,
        "contacts/list.html",
        nav=customer_type or "all",
        page=page,
        customer_type=customer_type,
        query=query,
        tag=tag,
        filters=urlencode(filters),
        is_first_page=not request.GET.get("after") and not page.previous_before,
        mu_count=services.mu_count(request.channel) if customer_type is None else None,
    )


def _builtin_rows(customer: Customer) -> list[dict]:
    rows = []
    for key in BUILTIN_KEYS:
        value = getattr(customer, key.field)
        row = {"key": key, "value": value, "verified": None}
        if key.name == "email" and value:
            row["verified"] = customer.email_verified
        elif key.name == "mobileNumber" and value:
            row["verified"] = customer.mobile_verified
        rows.append(row)
    return rows


def _custom_rows(customer: Customer, keys: list[ProfileKey]) -> list[dict]:
    rows = []
    known = set()
    for key in keys:
        known.add(key.name)
        value = customer.profile.get(key.name)
        try:
            text = profile_types.format_value(key.type, value)
        except (TypeError, ValueError):
            text = str(value)
        rows.append({"name": key.name, "label": key.label, "type": key.type, "value": text})
    for name, value in customer.profile.items():
        if name not in known:
            rows.append({"name": name, "label": "", "type": "", "value": str(value)})
    return rows


@channel_view()
def customer_detail(request, pk: int):
    """A customer's profile: every built-in and custom key, marks and badges."""
    customer = _customer(request, pk)
    keys = list(ProfileKey.objects.filter(channel=request.channel))
    return _page(
        request,
        "contacts/detail.html",
        nav="member" if customer.is_member else "lead",
        customer=customer,
        builtin_rows=_builtin_rows(customer),
        custom_rows=_custom_rows(customer, keys),
        conversation_count=customer.conversations.count(),
        pending_unifications=selectors.pending_unifications(customer),
    )


@channel_view(EDIT)
@require_POST
def customer_verify(request, pk: int):
    """A manager verifies a lead's email or mobile number (R-C3), which may unify it (R-U1)."""
    customer = _customer(request, pk)
    key = request.POST.get("key", "")
    try:
        outcome = unification.lead_contact_verify(lead=customer, by=request.user, key=key)
    except unification.UnificationError as error:
        messages.error(request, str(error))
        return redirect("contacts:detail", request.channel.slug, customer.pk)
    label = BUILTIN_BY_NAME[key].label
    member = outcome.member
    if outcome.conflict is not None:
        first, second = (m.display_name for m in outcome.conflict)
        messages.warning(request, VERIFIED_CONFLICT.format(key=label, first=first, second=second))
    elif member is None:
        messages.success(request, CONTACT_VERIFIED.format(key=label))
    elif outcome.is_pending:
        messages.success(request, VERIFIED_PENDING.format(key=label, member=member.display_name))
    else:
        messages.success(request, VERIFIED_UNIFIED.format(key=label, member=member.display_name))
        return redirect("contacts:detail", request.channel.slug, member.pk)
    return redirect("contacts:detail", request.channel.slug, customer.pk)


@channel_view(EDIT)
def customer_edit(request, pk: int):
    """Edit built-in and custom keys, each parsed by its type (R-T1, R-C6)."""
    customer = _customer(request, pk)
    keys = list(ProfileKey.objects.filter(channel=request.channel))
    form = CustomerEditForm(request.POST or None, customer=customer, keys=keys)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.customer_update(
                customer=customer,
                by=request.user,
                changes=form.changes(),
                email_verified=form.cleaned_data["email_verified"],
                mobile_verified=form.cleaned_data["mobile_verified"],
            )
        except services.CustomerError as error:
            customer.refresh_from_db()
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, CUSTOMER_SAVED if changed else NOTHING_CHANGED)
            return redirect("contacts:detail", request.channel.slug, customer.pk)
    return _page(
        request,
        "contacts/edit.html",
        nav="member" if customer.is_member else "lead",
        customer=customer,
        form=form,
    )


@channel_view(EDIT)
def lead_add(request):
    """Add one verified lead by email and/or mobile number (R-C2, R-C3)."""
    form = LeadAddForm(request.POST or None)
    existing = None
    if request.method == "POST" and form.is_valid():
        try:
            customer = services.lead_add(
                channel=request.channel,
                by=request.user,
                email=form.cleaned_data["email"],
                mobile_number=form.cleaned_data["mobile_number"],
                name=form.cleaned_data["name"],
            )
        except services.CustomerError as error:
            form.add_error(error.field, error.message)
            existing = error.customer
        else:
            if customer.is_hidden:
                messages.warning(request, LEAD_ADDED_HIDDEN)
            else:
                messages.success(request, LEAD_ADDED)
            return redirect("contacts:detail", request.channel.slug, customer.pk)
    return _page(request, "contacts/lead_add.html", nav="lead_add", form=form, existing=existing)


@channel_view(DELETE)
def customer_delete(request, pk: int):
    """Confirm, then delete one customer for good; conversations stay (R-D1)."""
    customer = _customer(request, pk)
    if request.method == "POST":
        _, shown = services.customer_delete(customer=customer, by=request.user)
        messages.success(request, CUSTOMER_DELETED)
        _report_shown(request, shown)
        return redirect("contacts:list", request.channel.slug)
    return _page(
        request,
        "contacts/delete.html",
        nav="member" if customer.is_member else "lead",
        customer=customer,
        conversation_count=customer.conversations.count(),
    )


@channel_view(DELETE)
@require_POST
def customers_delete_selected(request):
    """The list's checked customers: a confirmation page, then delete them (R-D1)."""
    ids = _ids(request.POST.getlist("ids"))
    customers = Customer.objects.filter(channel=request.channel, id__in=ids).order_by("-id")
    count = customers.count()
    if not count:
        messages.error(request, NOTHING_SELECTED)
        return redirect("contacts:list", request.channel.slug)
    if request.POST.get("confirm"):
        deleted, shown = services.customers_delete(
            channel=request.channel, by=request.user, customer_ids=ids
        )
        messages.success(request, CUSTOMERS_DELETED.format(count=deleted))
        _report_shown(request, shown)
        return redirect("contacts:list", request.channel.slug)
    return _page(
        request,
        "contacts/delete_selected.html",
        nav="all",
        customers=customers[:200],
        count=count,
    )


@channel_view(DELETE)
def customers_delete_tagged(request):
    """Every visible customer with one import tag: confirm with the count, then delete (R-D1)."""
    tag = (request.POST.get("tag") or request.GET.get("tag") or "").strip()
    if not tag:
        messages.error(request, NOTHING_SELECTED)
        return redirect("contacts:list", request.channel.slug)
    customers = selectors.customer_list(channel=request.channel, tag=tag)
    if request.method == "POST":
        deleted, shown = services.customers_delete(
            channel=request.channel, by=request.user, customers=customers
        )
        messages.success(request, CUSTOMERS_DELETED.format(count=deleted))
        _report_shown(request, shown)
        return redirect("contacts:list", request.channel.slug)
    return _page(
        request, "contacts/delete_tagged.html", nav="all", tag=tag, count=customers.count()
    )


# Channel settings


def _settings_page(request, add_form=None, mu_form=None, status: int = 200):
    memberships = (
        request.channel.memberships.select_related("user")
        .annotate(
            owner_first=Case(
                When(role=Membership.Role.OWNER, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("owner_first", "user__email")
    )
    return _page(
        request,
        "contacts/settings.html",
        nav="settings",
        status=status,
        memberships=memberships,
        invitations=request.channel.invitations.filter(accepted_at__isnull=True)
        .select_related("invited_by")
        .order_by("email"),
        now=timezone.now(),
        invitation_days=invitations.INVITATION_DAYS,
        add_form=add_form or ManagerInviteForm(),
        mu_form=mu_form or MuLimitForm(initial={"mu_limit": request.channel.mu_limit}),
        mu_count=services.mu_count(request.channel),
    )


@channel_view(OWNER)
def channel_settings(request):
    """Managers with their permissions, and the MU limit (owner only)."""
    return _settings_page(request)


@channel_view(OWNER)
@require_POST
def manager_invite(request):
    """Invite a person to manage the channel: a one-time link, shown once and emailed."""
    form = ManagerInviteForm(request.POST)
    if not form.is_valid():
        return _settings_page(request, add_form=form)
    email = form.cleaned_data["email"].lower()
    try:
        _, link = invitations.invitation_create(
            channel=request.channel,
            email=email,
            can_edit_customers=form.cleaned_data["can_edit_customers"],
            can_delete_customers=form.cleaned_data["can_delete_customers"],
            by=request.user,
            base_url=settings.SITE_URL or request.build_absolute_uri("/"),
        )
    except services.ChannelError as error:
        form.add_error("email", str(error))
        return _settings_page(request, add_form=form)
    text = INVITATION_SENT if invitations.invitation_emails_delivered() else INVITATION_CREATED
    messages.success(request, text.format(email=email, days=invitations.INVITATION_DAYS, link=link))
    return redirect("contacts:settings", request.channel.slug)


@channel_view(OWNER)
@require_POST
def invitation_revoke(request, pk: int):
    invitation = get_object_or_404(
        Invitation, pk=pk, channel=request.channel, accepted_at__isnull=True
    )
    invitations.invitation_revoke(invitation=invitation, by=request.user)
    messages.success(request, INVITATION_REVOKED.format(email=invitation.email))
    return redirect("contacts:settings", request.channel.slug)


@channel_view(OWNER)
@require_POST
def manager_update(request, pk: int):
    membership = get_object_or_404(Membership, pk=pk, channel=request.channel)
    form = ManagerPermissionsForm(request.POST)
    form.is_valid()
    try:
        services.manager_permissions_set(
            membership=membership,
            by=request.user,
            can_edit_customers=form.cleaned_data["can_edit_customers"],
            can_delete_customers=form.cleaned_data["can_delete_customers"],
        )
    except services.ChannelError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, MANAGER_UPDATED.format(email=membership.user.email))
    return redirect("contacts:settings", request.channel.slug)


@channel_view(OWNER)
@require_POST
def manager_remove(request, pk: int):
    membership = get_object_or_404(Membership, pk=pk, channel=request.channel)
    email = membership.user.email
    try:
        services.manager_remove(membership=membership, by=request.user)
    except services.ChannelError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, MANAGER_REMOVED.format(email=email))
    return redirect("contacts:settings", request.channel.slug)


@channel_view(OWNER)
@require_POST
def mu_limit_update(request):
    """Set or clear the MU limit; hides or shows customers at once (R-M2)."""
    form = MuLimitForm(request.POST)
    if not form.is_valid():
        return _settings_page(request, mu_form=form)
    mu_limit = form.cleaned_data["mu_limit"]
    hidden, shown = services.mu_limit_set(
        channel=request.channel, by=request.user, mu_limit=mu_limit
    )
    if mu_limit is None:
        messages.success(request, MU_LIMIT_CLEARED.format(shown=shown))
    else:
        messages.success(request, MU_LIMIT_SAVED.format(hidden=hidden, shown=shown))
    return redirect("contacts:settings", request.channel.slug)


# Profile keys


@channel_view()
def profile_keys(request):
    """Built-in keys (R-C5), then the channel's own keys with their types (R-T1)."""
    return _page(
        request,
        "contacts/keys.html",
        nav="keys",
        builtin_keys=BUILTIN_KEYS,
        custom_keys=ProfileKey.objects.filter(channel=request.channel),
        type_labels=TYPE_LABELS,
    )


@channel_view(EDIT)
def profile_key_add(request):
    form = ProfileKeyAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            key = services.profile_key_add(
                channel=request.channel,
                by=request.user,
                name=form.cleaned_data["name"],
                label=form.cleaned_data["label"],
                type=form.cleaned_data["type"],
            )
        except services.ProfileKeyError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, KEY_ADDED.format(name=key.name))
            return redirect("contacts:keys", request.channel.slug)
    return _page(request, "contacts/key_add.html", nav="keys", form=form)


@channel_view(EDIT)
def profile_key_edit(request, pk: int):
    """Label and type of a custom key; the type is locked once customers hold values."""
    key = get_object_or_404(ProfileKey, pk=pk, channel=request.channel)
    form = ProfileKeyEditForm(request.POST or None, initial={"label": key.label, "type": key.type})
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_key_update(
                key=key,
                by=request.user,
                label=form.cleaned_data["label"],
                type=form.cleaned_data["type"],
            )
        except services.ProfileKeyError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, KEY_SAVED.format(name=key.name))
            return redirect("contacts:keys", request.channel.slug)
    return _page(
        request,
        "contacts/key_edit.html",
        nav="keys",
        form=form,
        key=key,
        has_values=selectors.profile_key_has_values(key),
    )
