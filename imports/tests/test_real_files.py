"""What real exports hold and used to be refused or mangled, driven through the services."""

import pytest

from contacts.models import Customer
from imports.tests.test_import_rules import counters, csv, run_csv

OPT = "unsubscribeEmail,unsubscribeTexting"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_R_I3_emails_with_an_apostrophe_are_imported_and_matched(channel, owner):
    text = csv(f"email,{OPT}", "joleen.o'carroll@example.ie,false,false", "D'Angelo@x.it,n,n")
    imp = run_csv(channel, owner, text, kind="lead", identifier="email")
    assert counters(imp)["created"] == 2 and counters(imp)["failed"] == 0
    again = run_csv(channel, owner, csv("email", "d'angelo@x.it"), kind="lead", identifier="email")
    assert counters(again)["updated"] == 1
    assert set(Customer.objects.values_list("email", flat=True)) == {
        "joleen.o'carroll@example.ie",
        "d'angelo@x.it",
    }
