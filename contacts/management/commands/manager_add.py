from django.core.management.base import BaseCommand, CommandError

from contacts.channels import ChannelError, manager_add
from contacts.models import Channel

NO_SUCH_CHANNEL = "No channel with the slug {slug!r}."


class Command(BaseCommand):
    help = "Give a person a manager seat in a channel."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("email")
        parser.add_argument(
            "--can-edit",
            action="store_true",
            help="May edit customer information, add leads and import (R-I17).",
        )
        parser.add_argument("--can-delete", action="store_true", help="May delete customers.")
        parser.add_argument(
            "--password", help="Password for a new account (or a new one for an existing account)."
        )

    def handle(self, *args, slug, email, can_edit, can_delete, password, **options):
        channel = Channel.objects.filter(slug=slug).first()
        if channel is None:
            raise CommandError(NO_SUCH_CHANNEL.format(slug=slug))
        try:
            membership = manager_add(
                channel=channel,
                email=email,
                password=password,
                can_edit_customers=can_edit,
                can_delete_customers=can_delete,
            )
        except ChannelError as error:
            raise CommandError(str(error)) from error
        rights = [r for r, on in (("edit", can_edit), ("delete", can_delete)) if on]
        self.stdout.write(
            self.style.SUCCESS(
                f"{membership.user.email} manages {channel.slug!r} "
                f"(permissions: {', '.join(rights) if rights else 'view only'})."
            )
        )
