"""``manage.py mu_recount SLUG … | --all``: check channels' MU counters against a fresh count.

Decisions:
- A drift is fixed, and still the command ends with exit status 1 after its report: a counter
  that drifted means some write bypassed the triggers, which an operator must look into, and a
  scheduled run's non-zero status is what monitoring and cron mail notice.
- One transaction per channel (``mu_recount``): a channel's counter is locked only while that
  channel is counted.
"""

from django.core.management.base import BaseCommand, CommandError

from contacts.models import Channel
from contacts.mu_counter import mu_recount

NO_SUCH_CHANNEL = "No channel with the slug {slug!r}."
SLUG_OR_ALL = "Name channels by slug, or give --all."
DRIFT_FOUND = "MU counter drift found and fixed in {count} channel(s)."


class Command(BaseCommand):
    help = "Recount channels' managed users (R-M1) and fix any drift of their MU counters."

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", metavar="SLUG")
        parser.add_argument("--all", dest="every", action="store_true", help="Every channel.")

    def handle(self, *args, slugs, every, **options):
        if every == bool(slugs):
            raise CommandError(SLUG_OR_ALL)
        channels = list(Channel.objects.order_by("slug") if every else self._channels(slugs))
        drifted = 0
        for channel in channels:
            result = mu_recount(channel=channel)
            if result.has_drifted:
                drifted += 1
                self.stdout.write(
                    self.style.WARNING(
                        f"{channel.slug}: counter {result.stored}, counted {result.counted}, "
                        f"drift {result.drift:+d}: fixed."
                    )
                )
            else:
                self.stdout.write(f"{channel.slug}: {result.counted}, no drift.")
        if drifted:
            raise CommandError(DRIFT_FOUND.format(count=drifted))

    def _channels(self, slugs: list[str]) -> list[Channel]:
        found = {c.slug: c for c in Channel.objects.filter(slug__in=slugs)}
        for slug in slugs:
            if slug not in found:
                raise CommandError(NO_SUCH_CHANNEL.format(slug=slug))
        return [found[slug] for slug in dict.fromkeys(slugs)]
