"""The same evidence store on a real S3 server (SeaweedFS started by the session fixture)."""

import hashlib
import os
from pathlib import Path
from typing import Any

import boto3
import pytest
from django.conf import settings

from sanxiang.cases.models import Case
from sanxiang.cases.testing import open_test_case
from sanxiang.records import blobs
from sanxiang.records.models import Record
from sanxiang.testing import WorldTestCase

from . import tus_client as tus
from .helpers import WEBM, staff_client, upload

pytestmark = [pytest.mark.s3, pytest.mark.xdist_group("s3")]


def s3_client(endpoint: str) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="any",
        aws_secret_access_key="any",
        region_name="us-east-1",
    )


@pytest.mark.usefixtures("s3_storage")
class S3Tests(WorldTestCase):
    case: Case
    endpoint: str

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.case = open_test_case(cls.w)

    @pytest.fixture(autouse=True)
    def _endpoint(self, s3_storage):
        self.endpoint = s3_storage

    def add(self, content: bytes):
        return upload(
            self.w.officer, self.case, content, media_kind="video", evidence_type="audiovisual"
        )

    def test_an_upload_lands_in_the_bucket_at_its_content_address(self):
        record = self.add(WEBM)
        s3 = s3_client(self.endpoint)
        body = s3.get_object(Bucket="sanxiang", Key=record.storage_name)["Body"]
        assert hashlib.sha256(body.read()).hexdigest() == record.sha256

    def test_a_multipart_sized_upload_streams_and_reads_back_by_range(self):
        content = WEBM + os.urandom(20 * 1024 * 1024)  # above boto3's 8 MiB multipart threshold
        record = self.add(content)
        head = s3_client(self.endpoint).head_object(Bucket="sanxiang", Key=record.storage_name)
        assert head["ContentLength"] == len(content)
        start, end = 15_000_000, 15_000_099
        piece = b"".join(blobs.read_range(record.storage_name, start, end))
        assert piece == content[start : end + 1]

    def test_a_resumable_upload_lands_in_the_bucket_once_its_last_chunk_is_verified(self):
        content = WEBM + os.urandom(12 * 1024 * 1024)  # the bucket gets it in parts
        client = staff_client(self.w.officer)
        created = tus.create(client, self.case.pk, content, media_kind="video")
        url = created["Location"]
        last = tus.send_all(client, url, content, 4 * 1024 * 1024)
        record = Record.objects.get(pk=int(last["X-Record-Id"]))
        body = s3_client(self.endpoint).get_object(Bucket="sanxiang", Key=record.storage_name)
        assert hashlib.sha256(body["Body"].read()).hexdigest() == record.sha256
        assert record.sha256 == hashlib.sha256(content).hexdigest()
        assert list(Path(settings.SANXIANG_UPLOAD_TMP_DIR).glob("*")) == []

    def test_the_same_bytes_are_stored_once_in_the_bucket(self):
        first = self.add(WEBM + b"twice")
        second = self.add(WEBM + b"twice")
        listed = s3_client(self.endpoint).list_objects_v2(
            Bucket="sanxiang", Prefix=first.storage_name.rsplit("/", 1)[0]
        )
        assert [o["Key"] for o in listed["Contents"]] == [first.storage_name]
        assert second.storage_name == first.storage_name

    def test_a_large_upload_does_not_hold_the_file_in_memory(self):
        content = WEBM + bytes(96 * 1024 * 1024)
        self.add(WEBM + b"warm-up")  # the S3 client itself is not what we measure
        before = status_kib("VmRSS")
        Path("/proc/self/clear_refs").write_text("5")  # reset the peak (VmHWM)
        record = self.add(content)
        growth_mib = (status_kib("VmHWM") - before) / 1024
        assert record.size == len(content)
        # the bytes object of the test itself is already counted in `before`
        assert growth_mib < 64, f"peak memory grew by {growth_mib:.0f} MiB"


def status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"{field} missing from /proc/self/status")
