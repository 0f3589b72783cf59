"""The Audience page (R-B2, R-M2, R-I7): filters, live counts and the downloadable lists.

Decisions:
- Every manager of the channel sees the page and its counts, as they see the contact list.
  Downloading a list takes customers' contacts out of the product in bulk, so it needs the
  permission to edit customers, like an import brings them in (R-I17).
- A download with filters that do not parse goes back to the page, which says why.
"""

from urllib.parse import urlencode

from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from audience import selectors
from audience.download import csv_lines
from audience.forms import AudienceForm
from contacts.access import EDIT, channel_view

# Download columns: the customer's id, memberId, name, then the contact the reach uses.
CONTACT_HEADERS = {selectors.EMAIL: "email", selectors.TEXT: "mobileNumber"}
DOWNLOAD_CHUNK = 2000


def _filters(form: AudienceForm) -> str:
    """The form's filters that are set, as a query string, for the download links."""
    return urlencode({name: form.data[name] for name in form.fields if form.data.get(name)})


@channel_view()
def audience(request):
    """Build a marketing target from filters; how many it reaches by email and by text."""
    form = AudienceForm(request.GET or None, channel=request.channel)
    counts = None
    if form.is_valid():
        counts = selectors.audience_counts(channel=request.channel, audience=form.audience())
    context = {
        "channel": request.channel,
        "membership": request.membership,
        "nav": "audience",
        "form": form,
        "counts": counts,
        "filters": _filters(form) if form.is_bound else "",
    }
    # Live counts: the form asks again on each change and swaps in the counts alone.
    template = "audience/partials/_counts.html" if request.htmx else "audience/audience.html"
    return render(request, template, context)


@channel_view(EDIT)
def audience_download(request):
    """The customers the audience reaches by email or by text, as CSV, streamed (R-B2, R-I7)."""
    reach = request.GET.get("reach")
    form = AudienceForm(request.GET, channel=request.channel)
    if reach not in CONTACT_HEADERS or not form.is_valid():
        return redirect(f"{reverse('audience:page', args=[request.channel.slug])}?{_filters(form)}")
    rows = selectors.audience_recipients(
        channel=request.channel, audience=form.audience(), reach=reach
    )
    header = ["customerId", "memberId", "name", CONTACT_HEADERS[reach]]
    raw = frozenset({3}) if reach == selectors.TEXT else frozenset()
    response = StreamingHttpResponse(
        csv_lines(header, rows.iterator(chunk_size=DOWNLOAD_CHUNK), raw=raw),
        content_type="text/csv; charset=utf-8",
    )
    filename = f"{request.channel.slug}-audience-{reach}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
