"""The upload handler of the plain (no-JavaScript) form: a multipart file goes straight into a
``blobs.Spool`` — hashed while received, never held in memory, never a Django temp file.

records.js sends the file as a raw PUT body instead; both end in ``services.add_record``.
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile

from sanxiang.lib.errors import ValidationFailed

from . import blobs

FIELD = "file"


class CountingStream:
    """The request body as the parser reads it, counted: fewer bytes than the declared
    Content-Length means the client stopped sending (a truncated upload)."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self.count = 0

    def read(self, *args: Any) -> bytes:
        data: bytes = self._stream.read(*args)
        self.count += len(data)
        return data

    def readline(self, *args: Any) -> bytes:
        data: bytes = self._stream.readline(*args)
        self.count += len(data)
        return data


class SpooledUpload(UploadedFile):
    def __init__(self, received: blobs.Received, name: str, content_type: str) -> None:
        super().__init__(None, name, content_type, received.size)
        self.received = received


class SpoolingUploadHandler(FileUploadHandler):
    """Takes the one file field ``file``; anything else is skipped."""

    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        self.spool: blobs.Spool | None = None
        self.received: blobs.Received | None = None

    def handle_raw_input(
        self,
        input_data: Any,
        META: Any,
        content_length: int,
        boundary: Any,
        encoding: str | None = None,
    ) -> None:
        if content_length > blobs.max_bytes():
            raise ValidationFailed(blobs.too_large_message(), field="file")  # refused early

    def new_file(self, field_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, *args, **kwargs)
        if field_name != FIELD or self.spool is not None:
            raise SkipFile()
        self.spool = blobs.Spool()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        assert self.spool is not None  # noqa: S101 - new_file made it
        self.spool.write(raw_data)

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if self.spool is None or self.received is not None:
            return None
        self.received = self.spool.finish()
        return SpooledUpload(self.received, self.file_name or "", self.content_type or "")

    def upload_interrupted(self) -> None:
        self.discard()

    def discard(self) -> None:
        """Remove whatever was spooled and not moved to the storage (safe to call always)."""
        if self.spool is not None:
            self.spool.discard()
