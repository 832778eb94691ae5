"""The restore drill of docs/operations.md ("备份与恢复"), on PostgreSQL: the database, the
evidence objects and the keys are backed up together, restored into a fresh database and a
fresh directory, and the restored deployment passes verify_ledger and verify_records."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import TransactionTestCase

from sanxiang.cases.testing import open_test_case
from sanxiang.ledger import keys, services
from sanxiang.records.tests.helpers import PDF, upload
from sanxiang.testing import World

from .helpers import ROOT


def _pg(*args: str) -> None:
    subprocess.run(args, check=True, capture_output=True)  # noqa: S603 - PostgreSQL's own tools


@pytest.fixture(autouse=True)
def _tmp(request, tmp_path):
    if request.instance is not None:
        request.instance.tmp = tmp_path


class RestoreDrillTests(TransactionTestCase):
    tmp: Path

    def test_a_restored_backup_passes_both_verifiers(self) -> None:
        if connection.vendor != "postgresql":
            pytest.skip("the drill uses pg_dump and pg_restore")
        world = World.build()
        case = open_test_case(world)
        upload(world.officer, case, PDF)
        services.make_checkpoint()
        published_key = keys.public_key_info()["public_key"]

        # Backup: the database (pg_dump -Fc), the objects and the key directory, together.
        db = connection.settings_dict
        base = ["-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"] or 5432), "-U", db["USER"]]
        dump = self.tmp / "sanxiang.dump"
        _pg("pg_dump", *base, "-Fc", "-f", str(dump), db["NAME"])
        backup = self.tmp / "backup"
        shutil.copytree(settings.MEDIA_ROOT, backup / "media")
        shutil.copytree(Path(settings.SANXIANG_LEDGER_KEY_FILE).parent, backup / "keys")

        # Restore on "another machine": a new database and a new var directory.
        restored = f"{db['NAME']}_restored"
        _pg("dropdb", *base, "--if-exists", restored)
        _pg("createdb", *base, restored)
        try:
            _pg("pg_restore", *base, "--no-owner", "-d", restored, str(dump))
            var = self.tmp / "restored-var"
            shutil.copytree(backup / "media", var / "media")
            shutil.copytree(backup / "keys", var / "keys")
            key_name = Path(settings.SANXIANG_LEDGER_KEY_FILE).name
            env = {
                "PATH": "/usr/bin:/bin",
                "SANXIANG_DEBUG": "1",
                "SANXIANG_VAR_DIR": str(var),
                "SANXIANG_LEDGER_KEY_FILE": str(var / "keys" / key_name),
                "SANXIANG_DATABASE_URL": (
                    f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:"
                    f"{db['PORT'] or 5432}/{restored}"
                ),
            }
            for command in (
                ["verify_ledger", "--log-key", published_key],
                ["verify_records", "--rehash"],
            ):
                done = subprocess.run(  # noqa: S603 - our own manage.py
                    [sys.executable, "manage.py", *command],
                    cwd=ROOT,
                    env=env,
                    capture_output=True,
                    text=True,
                    check=False,
                )
                assert done.returncode == 0, done.stdout + done.stderr
            assert "证据与音像记录核验通过" in done.stdout

            # The drill would catch a restore that lost the objects.
            shutil.rmtree(var / "media")
            lost = subprocess.run(
                [sys.executable, "manage.py", "verify_records"],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            assert lost.returncode == 1
        finally:
            connection.close()
            _pg("dropdb", *base, "--if-exists", restored)
