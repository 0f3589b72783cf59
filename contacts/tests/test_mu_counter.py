"""The MU counter (R-M1): the database's triggers keep it through every write of the contacts
app, the same as a fresh count, and mu_recount finds and fixes a drift."""

import importlib
import pkgutil
import threading
from datetime import timedelta
from io import StringIO
from itertools import product

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from contacts import channels, migrations, services
from contacts.management.commands.mu_recount import DRIFT_FOUND, NO_SUCH_CHANNEL, SLUG_OR_ALL
from contacts.management.demo import demo_customers_load
from contacts.models import Channel, Customer, MuCounter, PendingUnification
from contacts.mu_counter import mu_recount
from contacts.selectors import mu_count
from contacts.unification import customer_unify, lead_contact_verify
from tests.factories import ChannelFactory, CustomerFactory
from tests.mu_support import mu_checked

MIGRATION = importlib.import_module(
    next(
        module.name
        for module in pkgutil.iter_modules(migrations.__path__, "contacts.migrations.")
        if module.name.endswith("_mu_counter")
    )
)
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite has one writer at a time"
)


def _triggers() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {name for (name,) in cursor.fetchall()}


@pytest.mark.django_db
def test_R_M1_the_mu_counter_triggers_exist():
    """A later migration that rebuilds the customer or channel table on SQLite drops them."""
    assert set(MIGRATION.TRIGGERS[connection.vendor]) <= _triggers()


def _every_kind(channel) -> None:
    """One customer for each combination of R-M1's five inputs: 32 customers."""
    now = timezone.now()
    kinds = enumerate(product((False, True), repeat=5))
    Customer.objects.bulk_create(
        Customer(
            channel=channel,
            member_id=f"M{n}" if member else None,
            email=f"c{n}@example.com" if email else None,
            mobile_number=f"+8210{n:08d}" if mobile else None,
            is_hidden=hidden,
            is_blocked=blocked,
            created_at=now,
            updated_at=now,
        )
        for n, (member, email, mobile, hidden, blocked) in kinds
    )


def test_R_M1_the_triggers_count_what_the_python_condition_counts(channel, other_channel):
    """The triggers' SQL form of R-M1 counts as IS_MU, for every combination of its inputs."""
    _every_kind(channel)
    assert mu_checked(channel) == 7  # 7 contact combinations, neither hidden nor blocked
    Customer.objects.filter(channel=channel).update(is_hidden=False)
    assert mu_checked(channel) == 14
    Customer.objects.filter(channel=channel).update(email=None)
    assert mu_checked(channel) == 12  # a memberId or a mobile number, not blocked
    Customer.objects.filter(channel=channel, member_id__isnull=False).update(channel=other_channel)
    assert (mu_checked(channel), mu_checked(other_channel)) == (4, 8)
    Customer.objects.filter(channel=channel).delete()
    assert (mu_checked(channel), mu_checked(other_channel)) == (0, 8)


@pytest.mark.django_db
def test_R_M1_a_new_channel_gets_its_counter_at_zero():
    channel = channels.channel_create(slug="shop", name="Shop", owner_email="boss@example.com")
    assert MuCounter.objects.get(channel=channel).mu_count == 0
    assert mu_count(ChannelFactory()) == 0


def test_R_M1_lead_add_counts_a_lead_and_one_hidden_by_the_limit(channel, owner):
    channel.mu_limit = 1
    channel.save()
    services.lead_add(channel=channel, by=owner, email="kim@example.com")
    assert mu_checked(channel) == 1
    hidden = services.lead_add(channel=channel, by=owner, email="lee@example.com")
    assert hidden.is_hidden and mu_checked(channel) == 1


def test_R_M1_an_edit_that_sets_or_clears_a_contact(channel, owner):
    visitor = CustomerFactory(channel=channel, email=None, has_booted=True)
    lead = CustomerFactory(channel=channel, email="kim@example.com", mobile_number="+821020203030")
    assert mu_checked(channel) == 1
    services.customer_update(customer=visitor, by=owner, changes={"email": "v@example.com"})
    assert mu_checked(channel) == 2
    services.customer_update(customer=lead, by=owner, changes={"email": None})
    assert mu_checked(channel) == 2
    with pytest.raises(services.CustomerError):
        services.customer_update(customer=visitor, by=owner, changes={"email": None})
    assert mu_checked(channel) == 2


def test_R_M1_deleting_one_and_many_and_the_hidden_shown_again(channel, owner):
    """R-D1 and R-M2: a deletion makes room, the latest seen hidden customer is shown."""
    channel.mu_limit = 2
    channel.save()
    first, second = CustomerFactory.create_batch(2, channel=channel)
    CustomerFactory(channel=channel, is_hidden=True)
    CustomerFactory(channel=channel, is_hidden=True, is_blocked=True)
    assert mu_checked(channel) == 2
    services.customer_delete(customer=first, by=owner)
    assert mu_checked(channel) == 2
    assert not Customer.objects.filter(channel=channel, is_hidden=True, is_blocked=False).exists()
    services.customers_delete(channel=channel, by=owner, customer_ids=[second.pk])
    assert mu_checked(channel) == 1
    services.customers_delete(channel=channel, by=owner, customers=Customer.objects.all())
    assert mu_checked(channel) == 0


def test_R_M1_hiding_and_showing_by_the_limit(channel, owner):
    """R-M2: a lower limit hides, a higher one or none shows again."""
    long_ago = timezone.now() - timedelta(days=9)
    CustomerFactory.create_batch(3, channel=channel, last_seen_at=long_ago)
    CustomerFactory.create_batch(2, channel=channel)
    assert services.mu_limit_set(channel=channel, by=owner, mu_limit=2) == (3, 0)
    assert mu_checked(channel) == 2
    assert services.mu_limit_set(channel=channel, by=owner, mu_limit=4) == (0, 2)
    assert mu_checked(channel) == 4
    assert services.mu_limit_set(channel=channel, by=owner, mu_limit=None) == (0, 1)
    assert mu_checked(channel) == 5


def test_R_M1_unification_of_a_verified_lead_and_of_a_waiting_one_R_U2_R_U3(channel, owner):
    CustomerFactory(channel=channel, member_id="M1", email="kim@example.com")
    CustomerFactory(channel=channel, member_id="M2", email="lee@example.com")
    lead = CustomerFactory(channel=channel, email="kim@example.com", email_verified=False)
    booted = CustomerFactory(
        channel=channel, email="lee@example.com", email_verified=False, has_booted=True
    )
    assert mu_checked(channel) == 4
    assert lead_contact_verify(lead=lead, by=owner, key="email").member is not None
    assert mu_checked(channel) == 3
    assert lead_contact_verify(lead=booted, by=owner, key="email").is_pending
    assert mu_checked(channel) == 3  # both count until it logs in (R-U3)
    pending = PendingUnification.objects.get(lead=booted)
    customer_unify(lead=booted, member=pending.member, by=owner)  # as its login does
    assert mu_checked(channel) == 2


def test_R_M1_an_admin_edit_of_the_channel_keeps_the_count(client, channel):
    """Saving a channel read before a write moved MU cannot write back an old count."""
    staff = get_user_model().objects.create_superuser("support@example.com", "s@example.com", "x")
    client.force_login(staff)
    stale = Channel.objects.get(pk=channel.pk)
    CustomerFactory.create_batch(2, channel=channel)
    stale.save()  # the counter is no column of Channel
    response = client.post(
        reverse("admin:contacts_channel_change", args=[channel.pk]),
        {
            "name": "Acme Inc",
            "plan": Channel.Plan.PRO,
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    assert Channel.objects.get(pk=channel.pk).plan == Channel.Plan.PRO
    assert mu_checked(channel) == 2


def test_R_M1_the_demo_loader(channel):
    channel.mu_limit = 30
    channel.save()
    demo_customers_load(channel=channel, count=60, seed=3, batch_size=25)
    assert mu_checked(channel) == 30


# mu_recount


def _corrupt(channel, count: int) -> None:
    MuCounter.objects.filter(channel=channel).update(mu_count=count)


def _recount(*args) -> tuple[str, CommandError | None]:
    """The command's output, and its error if it ended with one."""
    out = StringIO()
    try:
        call_command("mu_recount", *args, stdout=out)
    except CommandError as error:
        return out.getvalue(), error
    return out.getvalue(), None


def test_R_M1_mu_recount_fixes_a_corrupted_counter_and_exits_1(channel, other_channel):
    CustomerFactory.create_batch(3, channel=channel)
    CustomerFactory(channel=other_channel)
    _corrupt(channel, 1)
    out, error = _recount("--all")
    assert out == "acme: counter 1, counted 3, drift -2: fixed.\nglobex: 1, no drift.\n"
    assert (str(error), error.returncode) == (DRIFT_FOUND.format(count=1), 1)
    assert mu_checked(channel) == 3
    out, error = _recount("globex", "acme")
    assert (out, error) == ("globex: 1, no drift.\nacme: 3, no drift.\n", None)


def test_R_M1_mu_recount_refusals(channel):
    assert str(_recount()[1]) == SLUG_OR_ALL
    assert str(_recount("acme", "--all")[1]) == SLUG_OR_ALL
    assert str(_recount("acme", "nope")[1]) == NO_SUCH_CHANNEL.format(slug="nope")


def test_R_M1_mu_recount_makes_a_missing_counter(channel):
    CustomerFactory.create_batch(2, channel=channel)
    MuCounter.objects.filter(channel=channel).delete()
    result = mu_recount(channel=channel)
    assert (result.stored, result.counted, result.has_drifted) == (None, 2, True)
    assert mu_checked(channel) == 2


def test_R_M1_the_table_upkeep_recounts_its_channels(channel, other_channel):
    CustomerFactory.create_batch(2, channel=channel)
    _corrupt(channel, 5)
    _corrupt(other_channel, 5)
    services.customer_table_upkeep(channel_ids=[channel.pk])
    assert mu_checked(channel) == 2
    assert mu_count(other_channel) == 5  # not a channel it covers


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_R_M1_mu_recount_waits_for_a_write_in_flight_and_stays_exact(channel):
    written, release = threading.Event(), threading.Event()
    results = []

    def write():
        try:
            with transaction.atomic():
                CustomerFactory(channel=channel)  # holds the channel's counter row
                written.set()
                release.wait(10)
        finally:
            connection.close()

    def recount():
        try:
            results.append(mu_recount(channel=channel))
        finally:
            connection.close()

    writer = threading.Thread(target=write)
    writer.start()
    assert written.wait(10)
    checker = threading.Thread(target=recount)
    checker.start()
    checker.join(0.5)
    assert checker.is_alive()  # waits for the write to commit
    release.set()
    writer.join(10)
    checker.join(10)
    assert (results[0].counted, results[0].has_drifted) == (1, False)
    assert mu_checked(channel) == 1
