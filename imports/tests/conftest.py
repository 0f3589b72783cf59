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
