"""The bell in the top bar: the signed-in manager's unread notification count (R-I13).

Decisions (R-I13):
- A template tag rather than a context processor: the count query runs only where the bell is
  drawn (full pages), not for every fragment or email a template renders.
"""

from django import template

from imports import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def notifications_unread_count(context) -> int:
    """How many of the signed-in manager's notifications are unread; 0 when signed out."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return selectors.notifications_unread_count(user)
