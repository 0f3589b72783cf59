"""Every file of the corpus (tests/corpus) imports with its expected counts, or is refused with its
expected message: the dry run and the run agree (R-I11, R-I14, R-I22)."""

import pytest
from django.core.files.base import ContentFile

from contacts.models import Customer
from imports import checking, lifecycle, refusals, running
from tests.corpus.make_corpus import CORPUS, HERE, Entry


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _import(channel, owner, entry: Entry, data: bytes) -> tuple[dict, dict]:
    """The dry run's counts and the run's."""
    imp = lifecycle.import_upload(
        channel=channel,
        by=owner,
        file=ContentFile(data, name=entry.file),
        file_name=entry.file,
        encoding=entry.encoding,
    )
    lifecycle.import_configure(
        imp=imp,
        by=owner,
        kind=entry.kind,
        identifier=entry.identifier,
        new_keys=entry.new_keys,
        skip=entry.skip,
    )
    check = checking.import_check(imp=imp)
    lifecycle.import_start(imp=imp, by=owner, enqueue=False)
    imp = running.import_run(import_id=imp.id)
    assert imp.status == imp.Status.SUCCEEDED, imp.error_message
    counts = ("created", "updated", "failed")
    return {k: check[k] for k in counts}, {k: running.import_summary(imp)[k] for k in counts}


@pytest.mark.parametrize("entry", CORPUS, ids=[entry.id for entry in CORPUS])
def test_corpus_file_gives_its_expected_counts_or_refusal(channel, owner, entry):
    data = (HERE / entry.file).read_bytes()
    assert data == entry.build(), "run tests/corpus/make_corpus.py"
    try:
        checked, done = _import(channel, owner, entry, data)
    except refusals.ImportRefused as refusal:
        assert {"refused": refusal.message} == entry.expected
        return
    assert checked == done == entry.expected
    for identifier, values in entry.values.items():
        customer = Customer.objects.get(channel=channel, email=identifier)
        for name, value in values.items():
            stored = getattr(customer, name) if hasattr(customer, name) else customer.profile[name]
            assert stored == value, name
