"""Print a channel's API keys for an operator; --regenerate makes a new access secret.

The last line of standard output is JSON: {"pluginKey", "accessKey", "accessSecret"}, the
secret only when just generated (else null).
"""

import json

from django.core.management.base import BaseCommand, CommandError

from api.services import api_keys_ensure, api_secret_regenerate
from contacts.models import Channel

UNKNOWN_CHANNEL = "No channel with the slug {slug!r}."
NO_SECRET_YET = "No access secret yet: run again with --regenerate to make one."
SECRET_ONCE = "New access secret (shown once; the previous one no longer works): {secret}"


class Command(BaseCommand):
    help = "Print a channel's plugin key and access key; --regenerate makes a new access secret."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument(
            "--regenerate",
            action="store_true",
            help="Make a new access secret and print it; the old one stops working at once.",
        )

    def handle(self, *args, slug, regenerate, **options):
        channel = Channel.objects.filter(slug=slug).first()
        if channel is None:
            raise CommandError(UNKNOWN_CHANNEL.format(slug=slug))
        secret = None
        if regenerate:
            keys, secret = api_secret_regenerate(channel=channel)
        else:
            keys = api_keys_ensure(channel=channel)
        self.stdout.write(f"Plugin key: {keys.plugin_key}")
        self.stdout.write(f"Access key: {keys.access_key}")
        if secret is not None:
            self.stdout.write(SECRET_ONCE.format(secret=secret))
        elif not keys.has_secret:
            self.stdout.write(NO_SECRET_YET)
        self.stdout.write(
            json.dumps(
                {"pluginKey": keys.plugin_key, "accessKey": keys.access_key, "accessSecret": secret}
            )
        )
