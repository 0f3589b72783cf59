import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from blocking.services import customer_block
from contacts.channels import ChannelError, channel_create, manager_add, password_set
from contacts.management.demo import demo_customers_load
from contacts.models import Channel, Customer, Membership

DEMO_SLUG = "demo"
DEMO_NAME = "Demo Company"
DEMO_EMAIL = "demo@example.com"
DEMO_CUSTOMERS = 500
DEMO_BLOCKED = 3
DEMO_SEED = 2025


class Command(BaseCommand):
    help = (
        "Create the demo channel once (500 customers, a few conversations and blocked "
        "customers) and print a login that works: the owner's password is reset on every run."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--password", help="Demo owner's password (default: a new random one each run)."
        )

    def handle(self, *args, password, **options):
        password = password or secrets.token_urlsafe(9)
        channel = Channel.objects.filter(slug=DEMO_SLUG).first()
        try:
            if channel is None:
                channel = self._create(password)
            else:
                self._reset_login(channel, password)
        except ChannelError as error:
            raise CommandError(str(error)) from error
        port = os.environ.get("PORT") or "8000"
        self.stdout.write(
            self.style.SUCCESS(f"Demo channel {channel.slug!r} is ready. Log in at:")
            + f"\n\n    URL:      http://127.0.0.1:{port}/"
            + f"\n    Email:    {DEMO_EMAIL}"
            + f"\n    Password: {password}\n"
        )

    def _create(self, password: str) -> Channel:
        with transaction.atomic():
            channel = channel_create(
                slug=DEMO_SLUG,
                name=DEMO_NAME,
                owner_email=DEMO_EMAIL,
                owner_password=password,
                plan=Channel.Plan.ENTERPRISE,
                has_security_package=True,
            )
            result = demo_customers_load(channel=channel, count=DEMO_CUSTOMERS, seed=DEMO_SEED)
            owner = get_user_model().objects.get(username=DEMO_EMAIL)
            for customer in Customer.objects.filter(channel=channel).order_by("id")[:DEMO_BLOCKED]:
                customer_block(customer=customer, by=owner)
        self.stdout.write(
            f"Created the demo channel with {result.created} customers and "
            f"{result.conversations} conversations."
        )
        return channel

    @transaction.atomic
    def _reset_login(self, channel: Channel, password: str) -> None:
        """Make the printed login work even if someone changed or removed the demo owner."""
        User = get_user_model()
        user = User.objects.filter(username__iexact=DEMO_EMAIL).first()
        if user is None:
            user = User.objects.create_user(username=DEMO_EMAIL, email=DEMO_EMAIL)
        password_set(user=user, password=password)
        user.is_active = True
        user.save(update_fields=["is_active"])
        if not Membership.objects.filter(channel=channel, user=user).exists():
            manager_add(
                channel=channel,
                email=DEMO_EMAIL,
                can_edit_customers=True,
                can_delete_customers=True,
            )
