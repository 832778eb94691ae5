"""The same evidence store on a real S3 server (SeaweedFS started by the session fixture)."""

import hashlib
import os
from typing import Any

import boto3
import pytest

from sanxiang.cases.testing import open_test_case
from sanxiang.records import blobs
from sanxiang.testing import World

from .helpers import WEBM, upload

pytestmark = [pytest.mark.s3, pytest.mark.xdist_group("s3"), pytest.mark.django_db]


@pytest.fixture
def world(db):
    return World.build()


def s3_client(endpoint: str) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="any",
        aws_secret_access_key="any",
        region_name="us-east-1",
    )


def test_an_upload_lands_in_the_bucket_at_its_content_address(s3_storage, world):
    case = open_test_case(world)
    record = upload(world.officer, case, WEBM, media_kind="video", evidence_type="audiovisual")
    body = s3_client(s3_storage).get_object(Bucket="sanxiang", Key=record.storage_name)["Body"]
    assert hashlib.sha256(body.read()).hexdigest() == record.sha256


def test_a_multipart_sized_upload_streams_and_reads_back_by_range(s3_storage, world, settings):
    case = open_test_case(world)
    content = WEBM + os.urandom(20 * 1024 * 1024)  # above boto3's 8 MiB multipart threshold
    record = upload(world.officer, case, content, media_kind="video", evidence_type="audiovisual")
    head = s3_client(s3_storage).head_object(Bucket="sanxiang", Key=record.storage_name)
    assert head["ContentLength"] == len(content)
    start, end = 15_000_000, 15_000_099
    assert b"".join(blobs.read_range(record.storage_name, start, end)) == content[start : end + 1]


def test_the_same_bytes_are_stored_once_in_the_bucket(s3_storage, world):
    case = open_test_case(world)
    first = upload(world.officer, case, WEBM, media_kind="video", evidence_type="audiovisual")
    second = upload(world.officer, case, WEBM, media_kind="video", evidence_type="audiovisual")
    listed = s3_client(s3_storage).list_objects_v2(
        Bucket="sanxiang", Prefix=first.storage_name.rsplit("/", 1)[0]
    )
    assert [o["Key"] for o in listed["Contents"]] == [first.storage_name]
    assert second.storage_name == first.storage_name
