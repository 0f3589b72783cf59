from django.core.management.base import BaseCommand, CommandError

from contacts.management.demo import demo_customers_load
from contacts.models import Channel

NO_SUCH_CHANNEL = "No channel with the slug {slug!r}."


class Command(BaseCommand):
    help = (
        "Fill a channel with realistic generated customers: members and leads, Korean and Latin "
        "names, E.164 mobile numbers, opt-outs and import tags (spring-2025 on about 1%)."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--customers", type=int, required=True, help="How many to add.")
        parser.add_argument("--seed", type=int, help="Random seed, for a repeatable data set.")

    def handle(self, *args, slug, customers, seed, **options):
        if customers < 0:
            raise CommandError("--customers must be 0 or more.")
        channel = Channel.objects.filter(slug=slug).first()
        if channel is None:
            raise CommandError(NO_SUCH_CHANNEL.format(slug=slug))
        result = demo_customers_load(channel=channel, count=customers, seed=seed)
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {result.created:,} customers and {result.conversations:,} conversations "
                f"to {channel.slug!r} in {result.seconds:.1f} s."
            )
        )
