"""Uploaded files as they arrive: bounded in size, and never left behind on disk.

Django's own handlers keep a large upload in a named file in the temporary directory, deleted when the request
ends; a worker killed before that (by a timeout, or the out-of-memory killer) leaves the file there. This handler
keeps files in memory when the whole request fits in FILE_UPLOAD_MAX_MEMORY_SIZE (as Django's do), and otherwise
in temporary files that have no name (tempfile.TemporaryFile: on Linux the directory entry is never made, or
removed at once), which go with the process however it ends.

A file larger than WARRANT_MAX_FILE_BYTES is counted to its end but not kept, so that no view can read a huge
upload into memory before looking at its size: its size is known, and reading it raises IngestError saying how
large it was. Each form then applies its own, smaller limit (documents: WARRANT_MAX_UPLOAD_BYTES).
"""

import io
import os
import tempfile
from io import UnsupportedOperation

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.template.defaultfilters import filesizeformat

from .extractors import IngestError


class BoundedUploadHandler(FileUploadHandler):
    in_memory = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None) -> None:
        # As Django's own handlers decide: files stay in memory only when the whole body fits in
        # FILE_UPLOAD_MAX_MEMORY_SIZE, so that a request of many files cannot hold more than that. Under ASGI the
        # body is already a seekable file whose true size is known; elsewhere the server enforces Content-Length.
        stream = getattr(input_data, "_stream", input_data)
        try:
            content_length = stream.seek(0, os.SEEK_END)
            stream.seek(0)
        except (UnsupportedOperation, AttributeError):
            pass
        self.in_memory = content_length is not None and content_length <= settings.FILE_UPLOAD_MAX_MEMORY_SIZE

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        # Closed with the UploadedFile that takes it over (Django closes a request's files when it ends).
        self.file = io.BytesIO() if self.in_memory else tempfile.TemporaryFile(dir=settings.FILE_UPLOAD_TEMP_DIR)  # noqa: SIM115
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.received += len(raw_data)
        if self.received <= settings.WARRANT_MAX_FILE_BYTES:
            self.file.write(raw_data)
        elif not self.file.closed:
            self.file.close()  # what was kept goes at once; the rest is only counted

    def file_complete(self, file_size: int) -> UploadedFile:
        if file_size > settings.WARRANT_MAX_FILE_BYTES:
            return RefusedUpload(self.file_name, self.content_type, file_size, self.charset, self.content_type_extra)
        self.file.seek(0)
        return UploadedFile(
            self.file, self.file_name, self.content_type, file_size, self.charset, self.content_type_extra
        )

    def upload_interrupted(self) -> None:
        if hasattr(self, "file"):
            self.file.close()


class RefusedUpload(UploadedFile):
    """A file over WARRANT_MAX_FILE_BYTES: its name and size are known, its content was not kept."""

    def __init__(self, name, content_type, size, charset, content_type_extra) -> None:
        super().__init__(io.BytesIO(), name, content_type, size, charset, content_type_extra)

    def refusal(self) -> IngestError:
        return IngestError(
            f"This file is {filesizeformat(self.size)}, over the {filesizeformat(settings.WARRANT_MAX_FILE_BYTES)} "
            "that any upload may be."
        )

    def read(self, *args, **kwargs) -> bytes:
        raise self.refusal()

    def chunks(self, chunk_size: int | None = None):
        raise self.refusal()

    def __iter__(self):
        raise self.refusal()
