"""The import upload's handlers: to disk, cut off past the limit, CSRF still checked (R-I17)."""

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.http import JsonResponse
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import path

from contacts.access import EDIT, channel_view
from imports.engine.reading import FILE_TOO_LARGE
from imports.uploads import MULTIPART_ALLOWANCE_BYTES, limited_uploads, upload_refusal

LIMIT = 8 * 1024
URL = "/c/acme/upload/"


@channel_view(EDIT)
@limited_uploads
def probe(request):
    """Report what arrived: the fields, each file and where it lives, the refusal."""
    refusal = upload_refusal(request)
    files = {}
    for name, upload in request.FILES.items():
        on_disk = isinstance(upload, TemporaryUploadedFile)
        files[name] = {
            "on_disk": on_disk and os.path.getsize(upload.temporary_file_path()) == upload.size,
            "size": upload.size,
            "content": upload.read().decode(),
        }
    return JsonResponse(
        {
            "fields": {key: request.POST.getlist(key) for key in request.POST},
            "files": files,
            "refusal": refusal,
            "written": request.upload_handlers[0].received_bytes,
        }
    )


urlpatterns = [path("c/<slug:channel_slug>/upload/", probe)]
pytestmark = pytest.mark.urls(__name__)


@pytest.fixture
def temp_dir(settings, tmp_path):
    """The upload limit made small, and the temporary files kept where the test can look."""
    settings.IMPORT_MAX_FILE_BYTES = LIMIT
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    return tmp_path


@pytest.fixture
def client_as(client):
    def login(user) -> Client:
        client.force_login(user)
        return client

    return login


def csv_file(size: int) -> SimpleUploadedFile:
    line = b"memberId\n" + b"M\n" * (size // 2)
    return SimpleUploadedFile("customers.csv", line[:size], content_type="text/csv")


def post(client: Client, data: dict, **extra):
    return client.post(URL, data, **extra).json()


def test_file_at_the_limit_arrives_as_a_temporary_file_on_disk_R_I17(client_as, editor, temp_dir):
    upload = csv_file(LIMIT)
    report = post(client_as(editor), {"kind": "member", "file": upload})
    assert report["refusal"] is None
    assert report["files"]["file"]["on_disk"]
    assert report["files"]["file"]["size"] == LIMIT
    assert report["files"]["file"]["content"].encode() == upload.file.getvalue()
    assert report["fields"] == {"kind": ["member"]}
    assert list(temp_dir.iterdir()) == []  # closed and deleted with the request


def test_one_byte_over_the_limit_is_refused_and_leaves_no_temporary_file_R_I17(
    client_as, editor, temp_dir
):
    report = post(client_as(editor), {"kind": "member", "file": csv_file(LIMIT + 1)})
    assert report["refusal"] == FILE_TOO_LARGE
    assert report["files"] == {}
    assert report["written"] <= LIMIT
    assert list(temp_dir.iterdir()) == []


def test_fields_around_a_refused_file_are_still_parsed_R_I17(client_as, editor, temp_dir):
    data = {"kind": "lead", "file": csv_file(LIMIT * 3), "identifier": "email"}
    report = post(client_as(editor), data)
    assert report["refusal"] == FILE_TOO_LARGE
    assert report["fields"] == {"kind": ["lead"], "identifier": ["email"]}


def test_declared_length_over_the_limit_is_refused_before_a_byte_is_written_R_I17(
    client_as, editor, temp_dir
):
    size = LIMIT + MULTIPART_ALLOWANCE_BYTES + 1
    report = post(client_as(editor), {"kind": "member", "file": csv_file(size)})
    assert report["refusal"] == FILE_TOO_LARGE
    assert report["written"] == 0
    assert report["fields"] == {"kind": ["member"]}
    assert list(temp_dir.iterdir()) == []


def test_content_length_below_the_body_is_read_no_further_R_I17(client_as, editor, temp_dir):
    """A lying Content-Length: the server reads what it declares, so the file arrives cut."""
    body = encode_multipart(BOUNDARY, {"kind": "member", "file": csv_file(LIMIT * 4)})
    declared = LIMIT // 2
    report = client_as(editor).generic(
        "POST", URL, body, content_type=MULTIPART_CONTENT, CONTENT_LENGTH=str(declared)
    )
    report = report.json()
    assert report["files"] == {}
    assert report["written"] < declared
    assert report["fields"] == {"kind": ["member"]}
    assert list(temp_dir.iterdir()) == []


def test_small_files_go_to_disk_too_and_the_django_memory_limits_do_not_cut_a_file(
    client_as, editor, settings, temp_dir
):
    """DATA_UPLOAD_MAX_MEMORY_SIZE and FILE_UPLOAD_MAX_MEMORY_SIZE bound fields, not the file."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = settings.FILE_UPLOAD_MAX_MEMORY_SIZE = LIMIT // 4
    report = post(client_as(editor), {"kind": "member", "file": csv_file(LIMIT)})
    assert report["refusal"] is None
    assert report["files"]["file"]["on_disk"]
    small = post(client_as(editor), {"kind": "member", "file": csv_file(10)})
    assert small["files"]["file"]["on_disk"]


def test_a_large_text_field_is_still_refused(client_as, editor, settings, temp_dir):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = LIMIT // 4
    response = client_as(editor).post(URL, {"kind": "x" * LIMIT, "file": csv_file(10)})
    assert response.status_code == 400
    assert list(temp_dir.iterdir()) == []


def test_csrf_token_is_checked_after_the_handlers_are_installed(editor, temp_dir):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    token = "t" * 32
    client.cookies["csrftoken"] = token
    refused = client.post(URL, {"kind": "member", "file": csv_file(10)})
    assert refused.status_code == 403
    data = {"csrfmiddlewaretoken": token, "kind": "member", "file": csv_file(LIMIT + 1)}
    accepted = client.post(URL, data)
    assert accepted.status_code == 200
    assert accepted.json()["refusal"] == FILE_TOO_LARGE


def test_manager_without_edit_permission_is_refused_before_the_body_is_read_R_I17(
    client_as, viewer, temp_dir
):
    response = client_as(viewer).post(URL, {"kind": "member", "file": csv_file(LIMIT)})
    assert response.status_code == 403
    assert list(temp_dir.iterdir()) == []
