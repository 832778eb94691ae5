"""Crash safety, for real: a process killed with SIGKILL in the middle of an upload leaves no
row pointing at a partial file, and ``records_cleanup`` removes what it left behind."""

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

SCRIPT = Path(__file__).with_name("crash_upload.py")


def wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.django_db  # records_cleanup also expires resumable uploads (rows)
def test_a_process_killed_mid_upload_leaves_no_record_and_cleanup_removes_its_temp_file(
    tmp_path_factory,
):
    # Memory-backed when available: the subprocess migrates a fresh database first.
    shm = Path("/dev/shm")  # noqa: S108 - only as the parent of a private mkdtemp directory
    tmp_path = Path(tempfile.mkdtemp(dir=shm)) if shm.is_dir() else tmp_path_factory.mktemp("c")
    try:
        run_and_kill(tmp_path)
    finally:
        shutil.rmtree(tmp_path, ignore_errors=True)


def run_and_kill(tmp_path: Path) -> None:
    var = tmp_path / "var"
    uploads = var / "tmp-uploads"
    env = {
        **os.environ,
        "SANXIANG_DEBUG": "1",
        "SANXIANG_VAR_DIR": str(var),
        "SANXIANG_DATABASE_URL": f"sqlite:///{tmp_path / 'crash.sqlite3'}",
        "SANXIANG_UPLOAD_TMP_DIR": str(uploads),
        "SANXIANG_S3_ENDPOINT": "",
    }
    process = subprocess.Popen(  # noqa: S603 - our own script
        [sys.executable, str(SCRIPT)], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "uploading"

        def partial_file_growing() -> bool:
            files = list(uploads.glob("*.part"))
            return bool(files) and files[0].stat().st_size > 1 << 20

        wait_for(partial_file_growing, 60, "the upload to write its temporary file")
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL

    db = sqlite3.connect(tmp_path / "crash.sqlite3")
    assert db.execute("select count(*) from records_record").fetchone() == (0,)
    added = db.execute("select count(*) from ledger_entry where event_type = 'record.added'")
    assert added.fetchone() == (0,)
    db.close()
    assert not (var / "media" / "sha256").exists(), "nothing reached the content address"
    leftovers = list(uploads.glob("*.part"))
    assert len(leftovers) == 1

    with override_settings(SANXIANG_UPLOAD_TMP_DIR=uploads):
        call_command("records_cleanup", minutes=60)
        assert leftovers[0].exists(), "a recent file may still be an upload in progress"
        old = time.time() - 2 * 3600
        os.utime(leftovers[0], (old, old))
        call_command("records_cleanup", minutes=60)
    assert list(uploads.glob("*")) == []
