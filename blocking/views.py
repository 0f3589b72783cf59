from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from blocking.selectors import blocked_customers
from blocking.services import customer_block, customer_unblock
from contacts.access import EDIT, channel_view
from contacts.models import Customer

PAGE_SIZE = 50
CUSTOMER_BLOCKED = "{name} is blocked: out of the contact list and the MU count."
CUSTOMER_UNBLOCKED = "{name} is unblocked."


@channel_view()
def blocked_list(request):
    """Blocked Customer Management: the channel's blocked customers (R-B1)."""
    page = Paginator(blocked_customers(channel=request.channel), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "blocking/list.html",
        {
            "channel": request.channel,
            "membership": request.membership,
            "nav": "blocked",
            "page": page,
        },
    )


@channel_view(EDIT)
@require_POST
def block(request, customer_id):
    customer = get_object_or_404(Customer, pk=customer_id, channel=request.channel)
    customer_block(customer=customer, by=request.user)
    messages.success(request, CUSTOMER_BLOCKED.format(name=customer.display_name))
    return redirect("contacts:detail", request.channel.slug, customer.pk)


@channel_view(EDIT)
@require_POST
def unblock(request, customer_id):
    customer = get_object_or_404(Customer, pk=customer_id, channel=request.channel)
    customer_unblock(customer=customer, by=request.user)
    messages.success(request, CUSTOMER_UNBLOCKED.format(name=customer.display_name))
    if request.POST.get("next") == "detail":
        return redirect("contacts:detail", request.channel.slug, customer.pk)
    return redirect("blocking:list", request.channel.slug)
