"""Factories and helpers of the notification tests (R-I13)."""

import factory
from django.core.files.base import ContentFile

from imports import lifecycle, running
from imports.models import Import, Notification
from tests.factories import ChannelFactory, UserFactory

MEMBERS_CSV = "memberId,unsubscribeEmail,unsubscribeTexting\nM1,false,false\nM2,false,false\n"


class EndedImportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Import

    channel = factory.SubFactory(ChannelFactory)
    kind = Import.Kind.MEMBER
    file_name = "spring.csv"
    tag = "spring"
    status = Import.Status.SUCCEEDED


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    import_run = factory.SubFactory(EndedImportFactory)
    channel = factory.SelfAttribute("import_run.channel")
    text = factory.Sequence(lambda n: f'The import of "file-{n}.csv" has finished.')


def import_finished(channel, by, text: str = MEMBERS_CSV) -> Import:
    """Upload, map, start and run a member import in-process, as the worker would."""
    imp = lifecycle.import_upload(
        channel=channel,
        by=by,
        file=ContentFile(text.encode(), name="spring.csv"),
        file_name="spring.csv",
    )
    lifecycle.import_configure(imp=imp, by=by, kind=Import.Kind.MEMBER)
    lifecycle.import_start(imp=imp, by=by, enqueue=False)
    return running.import_run(import_id=imp.id)
