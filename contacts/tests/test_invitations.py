"""Invitations: the owner invites, the person joins by the one-time link (contacts.invitations)."""

import hashlib
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from activitylog.models import Entry
from contacts import invitation_views, invitations, settings_views
from contacts.forms import PASSWORDS_DIFFER
from contacts.models import Invitation, Membership
from tests.factories import ChannelFactory, MembershipFactory, UserFactory

INVITE = reverse("contacts:manager_invite", args=["acme"])
SETTINGS = reverse("contacts:settings", args=["acme"])
LINK_RE = re.compile(r"http://testserver(/invitations/[^/\s]+/)")
GOOD_PASSWORD = "violet-harbour-92"


def invite(client, owner, email, **permissions) -> tuple[str, str]:
    """Invite as the owner; returns the owner's message and the link's path."""
    client.force_login(owner)
    data = {"email": email} | {name: "on" for name, on in permissions.items() if on}
    response = client.post(INVITE, data, follow=True)
    (message,) = [str(m) for m in response.context["messages"]]
    client.logout()
    return message, LINK_RE.search(message).group(1)


def seated(channel, email) -> Membership | None:
    return Membership.objects.filter(channel=channel, user__username=email).first()


def someone_elsewhere(email="person@example.com"):
    """A person with an account, a manager of another channel."""
    person = UserFactory(email=email)
    MembershipFactory(channel=ChannelFactory(), user=person)
    return person


def without_csrf(content: bytes) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", content.decode())


# The owner's side


def test_inviting_an_existing_account_seats_nobody_and_reads_like_a_new_email(
    client, channel, owner
):
    """The owner learns nothing about other channels' accounts, and enrols no one."""
    someone_elsewhere("person@example.com")
    for_account, _ = invite(client, owner, "person@example.com")
    for_new, _ = invite(client, owner, "new@example.com")

    assert seated(channel, "person@example.com") is None

    def general(text, email):
        return LINK_RE.sub("LINK", text).replace(email, "EMAIL")

    assert general(for_account, "person@example.com") == general(for_new, "new@example.com")
    assert for_new == settings_views.INVITATION_SENT.format(
        email="new@example.com", days=7, link=LINK_RE.search(for_new).group(0)
    )


def test_the_link_is_shown_once_and_only_its_hash_is_stored(client, channel, owner):
    _, path = invite(client, owner, "new@example.com", can_edit_customers=True)
    token = path.split("/")[2]

    invitation = Invitation.objects.get()
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(Entry.objects.values_list("details", flat=True))
    assert (invitation.email, invitation.can_edit_customers) == ("new@example.com", True)
    assert invitation.can_delete_customers is False
    assert invitation.expires_at - invitation.created_at == timedelta(days=7)
    client.force_login(owner)
    page = client.get(SETTINGS).content.decode()
    assert "new@example.com" in page
    assert token not in page


def test_the_invitation_is_emailed_after_commit(
    client, channel, owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _, path = invite(client, owner, "new@example.com")

    (email,) = mail.outbox
    assert email.to == ["new@example.com"]
    assert email.subject == invitations.EMAIL_SUBJECT.format(channel="Acme")
    assert f"http://testserver{path}" in email.body


def test_without_a_mail_server_the_owner_is_told_to_send_the_link(
    client, channel, owner, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        message, path = invite(client, owner, "new@example.com")

    assert message == settings_views.INVITATION_CREATED.format(
        email="new@example.com", days=7, link=f"http://testserver{path}"
    )


def test_inviting_again_replaces_the_old_link(client, channel, owner):
    _, first = invite(client, owner, "new@example.com")
    _, second = invite(client, owner, "new@example.com")

    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    assert Invitation.objects.count() == 1


def test_the_owner_revokes_an_invitation_and_its_link_stops_working(client, channel, owner):
    _, path = invite(client, owner, "new@example.com")
    invitation = Invitation.objects.get()
    client.force_login(owner)
    url = reverse("contacts:invitation_revoke", args=["acme", invitation.pk])

    response = client.post(url, follow=True)

    assert settings_views.INVITATION_REVOKED.format(email="new@example.com") in [
        str(m) for m in response.context["messages"]
    ]
    client.logout()
    assert client.get(path).status_code == 404
    actions = list(Entry.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["Manager new@example.com invited", "Invitation of new@example.com revoked"]


def test_only_the_owner_revokes_and_only_in_their_channel(client, channel, owner, editor, outsider):
    invite(client, owner, "new@example.com")
    invitation = Invitation.objects.get()
    url = reverse("contacts:invitation_revoke", args=["acme", invitation.pk])
    client.force_login(editor)
    assert client.post(url).status_code == 403
    client.force_login(outsider)
    assert client.post(url).status_code == 404
    assert client.post(reverse("contacts:invitation_revoke", args=["globex", invitation.pk])) \
        .status_code == 404  # fmt: skip
    assert Invitation.objects.exists()


# The invited person's side


def test_a_new_person_chooses_a_password_and_joins_with_the_permissions(client, channel, owner):
    _, path = invite(client, owner, "new@example.com", can_edit_customers=True)

    data = {"password": GOOD_PASSWORD, "password_again": GOOD_PASSWORD}
    response = client.post(path, data, follow=True)

    assert response.redirect_chain == [(reverse("contacts:list", args=["acme"]), 302)]
    assert invitation_views.JOINED.format(channel="Acme") in [
        str(m) for m in response.context["messages"]
    ]
    membership = seated(channel, "new@example.com")
    assert (membership.role, membership.may_edit, membership.may_delete) == (
        "manager",
        True,
        False,
    )
    assert membership.user.check_password(GOOD_PASSWORD)
    assert response.context["user"] == membership.user
    joined = Entry.objects.get(action="Manager new@example.com joined")
    assert (joined.actor, joined.details["invitedBy"]) == (membership.user, "owner@example.com")


@pytest.mark.parametrize("password", ["password", "12345678", "new@example.com", "short1"])
def test_a_weak_password_is_refused_on_the_invitation_page(client, channel, owner, password):
    _, path = invite(client, owner, "new@example.com")

    response = client.post(path, {"password": password, "password_again": password})

    assert response.status_code == 200
    assert response.context["form"].errors["password"]
    assert not get_user_model().objects.filter(username="new@example.com").exists()


def test_the_two_passwords_must_match(client, channel, owner):
    _, path = invite(client, owner, "new@example.com")
    response = client.post(path, {"password": GOOD_PASSWORD, "password_again": "other-pass-77"})
    assert response.context["form"].errors["password_again"] == [PASSWORDS_DIFFER]
    assert seated(channel, "new@example.com") is None


def test_the_link_works_once(client, channel, owner):
    _, path = invite(client, owner, "new@example.com")
    client.post(path, {"password": GOOD_PASSWORD, "password_again": GOOD_PASSWORD})
    client.logout()

    response = client.get(path)

    assert response.status_code == 404
    assert invitations.INVITATION_INVALID in response.content.decode()


def test_an_expired_link_does_not_work(client, channel, owner):
    _, path = invite(client, owner, "new@example.com")
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = client.post(path, {"password": GOOD_PASSWORD, "password_again": GOOD_PASSWORD})

    assert response.status_code == 404
    assert seated(channel, "new@example.com") is None


def test_an_unknown_link_does_not_work(client, db):
    response = client.get(reverse("invitation_accept", args=["made-up-token"]))
    assert response.status_code == 404
    assert invitations.INVITATION_INVALID in response.content.decode()


def test_the_page_reads_the_same_whether_the_account_exists_or_not(client, channel, owner):
    _, path = invite(client, owner, "person@example.com")
    before = without_csrf(client.get(path).content)
    someone_elsewhere("person@example.com")
    after = without_csrf(client.get(path).content)
    assert before == after


def test_an_existing_account_logs_in_and_accepts(client, channel, owner):
    person = someone_elsewhere("person@example.com")
    _, path = invite(client, owner, "person@example.com", can_delete_customers=True)

    refused = client.post(path, {"password": GOOD_PASSWORD, "password_again": GOOD_PASSWORD})
    assert (
        invitations.ACCOUNT_EXISTS.format(email=person.email)
        in (refused.context["form"].errors["password"])
    )
    person.refresh_from_db()
    assert person.check_password("pw-for-tests")
    assert seated(channel, person.email) is None

    client.force_login(person)
    assert b"Accept and join" in client.get(path).content
    response = client.post(path)

    assert response["Location"] == reverse("contacts:list", args=["acme"])
    membership = seated(channel, person.email)
    assert (membership.may_edit, membership.may_delete) == (False, True)
    assert Invitation.objects.get().accepted_by == person


def test_another_account_cannot_accept(client, channel, owner, outsider):
    _, path = invite(client, owner, "new@example.com")
    client.force_login(outsider)

    response = client.post(path)

    assert response.status_code == 403
    expected = invitations.INVITATION_OTHER_ACCOUNT.format(email="new@example.com")
    assert expected in response.content.decode()
    assert seated(channel, outsider.username) is None
    assert Invitation.objects.get().accepted_at is None
