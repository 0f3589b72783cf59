"""The contact list's filters as a query string carries them: the list and its export read them."""

from contacts.selectors import LEAD, MEMBER


def list_filters(params) -> tuple[str | None, str, str]:
    """The contact list's type, search and import tag from a GET query (cleaned, cut)."""
    customer_type = params.get("type")
    if customer_type not in (MEMBER, LEAD):
        customer_type = None
    return customer_type, params.get("q", "").strip()[:512], params.get("tag", "").strip()[:200]
