"""The import upload: the file streams to a temporary file on disk, cut off past 100 MB (R-I17).

Installed for the upload view alone, before anything reads the body::

    @channel_view(EDIT)
    @limited_uploads
    def import_new(request):
        refusal = upload_refusal(request)  # FILE_TOO_LARGE or None
        ...

``limited_uploads`` sets ``request.upload_handlers = limited_upload_handlers(request)`` and then
checks the CSRF token: the CSRF middleware reads ``request.POST`` before the view runs, which
would parse the body with Django's default handlers, so the view is exempted from the
middleware and protected inside, after the handlers are in place (Django's documented way).

Decisions where the rules leave room:
- Every file goes to disk, however small: no file is ever held in the web process's memory, and
  ``import_upload`` copies it to the storage from there.
- The limit counts the file bytes of the whole request (the wizard sends one file). At most
  ``IMPORT_MAX_FILE_BYTES`` are ever written: a chunk that would pass the limit is not written,
  the partial file is deleted at once and the file is left out of ``request.FILES``.
- A Content-Length over the limit plus ``MULTIPART_ALLOWANCE_BYTES`` (the form's other fields
  and the multipart framing) is refused before a byte of the file is written. A smaller
  Content-Length is counted, never trusted: the server reads no more than it declares, and the
  bytes that do arrive are counted against the limit.
- The rest of a refused file is read and thrown away in 64 KiB chunks rather than left unread,
  and the form's other fields are still parsed: the browser then gets the refusal page instead
  of a reset connection, the CSRF token still counts, and Django's own server (``runserver``,
  which reads whatever a view left unread in one piece) never holds the rest in memory. A proxy
  in front (nginx ``client_max_body_size 101m``) can cut a huge body off earlier.
- ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bounds the non-file fields only; file parts do not count
  toward it, so it stays small.
"""

import contextlib
import os
from functools import wraps

from django.conf import settings
from django.core.files.uploadhandler import SkipFile, TemporaryFileUploadHandler
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from imports.engine.reading import FILE_TOO_LARGE

MULTIPART_ALLOWANCE_BYTES = 64 * 1024


class LimitedUploadHandler(TemporaryFileUploadHandler):
    """Stream file parts to temporary files on disk; refuse them past ``max_bytes`` in all."""

    def __init__(self, request=None, *, max_bytes: int) -> None:
        super().__init__(request)
        self.max_bytes = max_bytes
        self.received_bytes = 0  # file bytes written to disk for this request
        self.is_too_large = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length > self.max_bytes + MULTIPART_ALLOWANCE_BYTES:
            self.is_too_large = True
        return None  # the multipart parser goes on; new_file() skips the file parts

    def new_file(self, *args, **kwargs) -> None:
        if self.is_too_large:
            raise SkipFile
        super().new_file(*args, **kwargs)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        if self.received_bytes + len(raw_data) > self.max_bytes:
            self.is_too_large = True
            self._discard()
            raise SkipFile
        self.received_bytes += len(raw_data)
        self.file.write(raw_data)

    def upload_interrupted(self) -> None:
        self._discard()

    def _discard(self) -> None:
        """Close and delete the partial temporary file, if one is open."""
        file = self.__dict__.pop("file", None)
        if file is None:
            return
        path = file.temporary_file_path()
        file.close()  # a NamedTemporaryFile deletes itself on close
        with contextlib.suppress(FileNotFoundError):
            os.remove(path)


def limited_upload_handlers(request) -> list[LimitedUploadHandler]:
    """The upload handlers of the import upload view (R-I17); install before reading the body."""
    return [LimitedUploadHandler(request, max_bytes=settings.IMPORT_MAX_FILE_BYTES)]


def upload_refusal(request) -> str | None:
    """FILE_TOO_LARGE when the request's file was refused for its size, else None."""
    request.FILES  # noqa: B018 -- parses the body if nothing has yet
    too_large = any(getattr(h, "is_too_large", False) for h in request.upload_handlers)
    return FILE_TOO_LARGE if too_large else None


def limited_uploads(view):
    """Run ``view`` with the limited upload handlers, CSRF checked after they are installed."""
    protected = csrf_protect(view)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        request.upload_handlers = limited_upload_handlers(request)
        return protected(request, *args, **kwargs)

    return csrf_exempt(wrapped)
