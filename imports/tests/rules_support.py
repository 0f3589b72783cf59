"""The import rule tests' helpers: upload, map, start and run a CSV in-process, read back."""

from django.core.files.base import ContentFile

from contacts.models import Customer
from imports import lifecycle, running
from imports.models import ImportFailure

OPT = "unsubscribeEmail,unsubscribeTexting"


def upload(channel, by, text, file_name="customers.csv", encoding=None):
    data = text.encode() if isinstance(text, str) else text
    return lifecycle.import_upload(
        channel=channel,
        by=by,
        file=ContentFile(data, name=file_name),
        file_name=file_name,
        encoding=encoding,
    )


def run_csv(
    channel,
    by,
    text,
    *,
    kind="member",
    identifier=None,
    file_name="customers.csv",
    encoding=None,
    **options,
):
    """Upload, map, start and run an import in-process; return the finished Import."""
    imp = upload(channel, by, text, file_name, encoding)
    lifecycle.import_configure(imp=imp, by=by, kind=kind, identifier=identifier, **options)
    lifecycle.import_start(imp=imp, by=by, enqueue=False)
    return running.import_run(import_id=imp.id)


def csv(*lines):
    return "\n".join(lines) + "\n"


def counters(imp):
    return running.import_summary(imp)


def customer(channel, **lookup):
    return Customer.objects.get(channel=channel, **lookup)


def failures(imp):
    return list(
        ImportFailure.objects.filter(import_run=imp).values_list(
            "row_number", "error_columns", "error_reasons"
        )
    )


def services_keys(channel, by, **keys):
    from contacts.services import profile_key_add

    for name, type_name in keys.items():
        profile_key_add(channel=channel, by=by, name=name, type=type_name)
