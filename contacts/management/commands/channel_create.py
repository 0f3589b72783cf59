from django.core.management.base import BaseCommand, CommandError

from contacts.channels import ChannelError, channel_create
from contacts.models import Channel


class Command(BaseCommand):
    help = "Create a channel with its owner (the owner holds every permission)."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="Short name used in URLs: /c/<slug>/")
        parser.add_argument("--name", help="Company name shown in the app (default: the slug).")
        parser.add_argument("--owner-email", required=True, help="Email the owner logs in with.")
        parser.add_argument(
            "--password",
            help="Owner's password. Without it a new owner cannot log in until "
            "`manage.py changepassword EMAIL`; an existing account keeps its password.",
        )
        parser.add_argument("--plan", choices=Channel.Plan.values, default=Channel.Plan.FREE)
        parser.add_argument(
            "--security-package",
            action="store_true",
            help="Enterprise security package: log each customer edit an import makes (R-I15).",
        )
        parser.add_argument("--mu-limit", type=int, help="Manual MU limit (R-M2).")

    def handle(
        self, *args, slug, name, owner_email, password, plan, security_package, mu_limit, **options
    ):
        if mu_limit is not None and mu_limit < 0:
            raise CommandError("--mu-limit must be 0 or more.")
        try:
            channel = channel_create(
                slug=slug,
                name=name or slug,
                owner_email=owner_email,
                owner_password=password,
                plan=plan,
                has_security_package=security_package,
                mu_limit=mu_limit,
            )
        except ChannelError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Created channel {channel.slug!r} ({channel.name}, plan {channel.plan}) "
                f"owned by {owner_email.lower()}."
            )
        )
