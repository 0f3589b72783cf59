"""Hidden customers (R-M2): the owner's view of the customers the MU limit keeps out of sight."""

from django.shortcuts import render

from contacts import selectors
from contacts.access import OWNER, channel_view


@channel_view(OWNER)
def hidden_list(request):
    """Customers hidden by the MU limit, most recently seen first, with their count (R-M2)."""
    customers = selectors.customers_hidden(request.channel)
    after = request.GET.get("after")
    page = selectors.hidden_page(
        customers.defer("profile"), after=after, before=request.GET.get("before")
    )
    return render(
        request,
        "contacts/hidden.html",
        {
            "channel": request.channel,
            "membership": request.membership,
            "nav": "hidden",
            "page": page,
            "hidden_count": customers.count(),
            "mu_count": selectors.mu_count(request.channel),
            "is_first_page": not after and not page.previous_before,
        },
    )
