"""Email addresses as real people have them (R-C2, R-I3): RFC 5322's local-part characters."""

import pytest
from django.urls import reverse

from contacts.keys import EMAIL_INVALID, normalize_email
from contacts.models import Customer


@pytest.mark.parametrize(
    "text",
    [
        "joleen.o'carroll@example.ie",
        "d'angelo@example.it",
        "first+tag@example.com",
        "a!#$%&*/=?^_`{|}~-z@example.com",
        "김민수@예시.kr",
        "josé@example.fr",
    ],
)
def test_R_C2_rfc_5322_local_part_characters_are_accepted(text):
    assert normalize_email(f" {text.upper()} ") == text.lower()


@pytest.mark.parametrize(
    "text",
    [
        "joleen o'carroll@example.ie",
        "no-at-sign.example.com",
        "name@",
        "@example.com",
        "name@localhost",
        "name@exa mple.com",
        'quoted"name@example.com',
        "a<b@example.com",
        "a,b@example.com",
        "a@b@example.com",
        "nul\x00@example.com",
    ],
)
def test_R_C2_spaces_and_a_missing_at_sign_or_domain_are_refused(text):
    with pytest.raises(ValueError, match=EMAIL_INVALID):
        normalize_email(text)


def test_R_C2_a_lead_with_an_apostrophe_in_its_email_is_added(client, channel, editor):
    client.force_login(editor)
    response = client.post(
        reverse("contacts:lead_add", args=[channel.slug]), {"email": "D'Angelo@Example.it"}
    )
    assert response.status_code == 302
    assert Customer.objects.get().email == "d'angelo@example.it"
