"""The import rule tests' fixtures, asked for by name: pure tests run without Django."""

import pytest


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(params=[2, 5000], ids=["chunks-of-2", "one-chunk"])
def chunked(request, settings):
    """Run a test with tiny chunks too: the rules must hold across chunk borders."""
    settings.IMPORT_CHUNK_ROWS = request.param
    return request.param


SIX_MEMBERS = "memberId,name,unsubscribeEmail,unsubscribeTexting\n" + "".join(
    f"M{n},Customer {n},false,false\n" for n in range(6)
)


@pytest.fixture
def queued(channel, editor, owner, settings, tmp_path):
    """A started import of six members in chunks of two, not yet run."""
    from django.core.files.base import ContentFile

    from imports import lifecycle

    settings.MEDIA_ROOT = tmp_path
    settings.IMPORT_CHUNK_ROWS = 2
    imp = lifecycle.import_upload(
        channel=channel,
        by=editor,
        file=ContentFile(SIX_MEMBERS.encode(), name="six.csv"),
        file_name="six.csv",
    )
    lifecycle.import_configure(imp=imp, by=editor, kind="member")
    return lifecycle.import_start(imp=imp, by=editor, enqueue=False)
