"""The contact list and each customer's pages: view, edit, verify, add a lead, delete."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from contacts import profile_types, selectors, services, unification
from contacts.access import DELETE, EDIT, channel_page, channel_view
from contacts.forms import CustomerEditForm, LeadAddForm
from contacts.keys import BUILTIN_BY_NAME, BUILTIN_KEYS
from contacts.list_query import list_filters
from contacts.models import Customer, Membership, ProfileKey

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
CONTACT_VERIFIED = "{key} verified."
VERIFIED_UNIFIED = "{key} verified; the lead is unified into member {member} (R-U2)."
VERIFIED_PENDING = (
    "{key} verified; the lead is unified into member {member} when it next logs in (R-U3)."
)
VERIFIED_CONFLICT = (
    "{key} verified, but the lead is not unified: its contacts belong to two members, {first} "
    "and {second} (R-U6)."
)


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


def _customer(request, pk: int) -> Customer:
    return get_object_or_404(Customer, pk=pk, channel=request.channel)


def _cursor(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() and len(text) < 19 else None


def _ids(values: list[str]) -> list[int]:
    return sorted({int(v) for v in values if v.isdigit() and len(v) < 19})


def _report_shown(request, shown: int) -> None:
    if shown:
        messages.info(request, HIDDEN_SHOWN_AGAIN.format(count=shown))


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
    return channel_page(
        request,
        "contacts/list.html",
        nav=customer_type or "all",
        page=page,
        customer_type=customer_type,
        query=query,
        tag=tag,
        filters=urlencode(filters),
        is_first_page=not request.GET.get("after") and not page.previous_before,
        mu_count=selectors.mu_count(request.channel) if customer_type is None else None,
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
    return channel_page(
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
    return channel_page(
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
    return channel_page(
        request, "contacts/lead_add.html", nav="lead_add", form=form, existing=existing
    )


@channel_view(DELETE)
def customer_delete(request, pk: int):
    """Confirm, then delete one customer for good; conversations stay (R-D1)."""
    customer = _customer(request, pk)
    if request.method == "POST":
        _, shown = services.customer_delete(customer=customer, by=request.user)
        messages.success(request, CUSTOMER_DELETED)
        _report_shown(request, shown)
        return redirect("contacts:list", request.channel.slug)
    return channel_page(
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
    return channel_page(
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
    return channel_page(
        request, "contacts/delete_tagged.html", nav="all", tag=tag, count=customers.count()
    )
