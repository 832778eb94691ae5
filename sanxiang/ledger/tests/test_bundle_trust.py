"""``tools/verify_bundle.py`` trusting nothing that came with the bundle: a remembered
checkpoint, pinned witness keys with a quorum and an age bound catch a bundle made from a
truncated, forked, re-signed, unwitnessed or stale ledger (issue 9, item 5)."""

from __future__ import annotations

import base64
import io
import time
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone

from sanxiang.ledger import formats, keys, services, signing
from sanxiang.ledger.models import Checkpoint, Cosignature
from sanxiang.lib import tlog

from .helpers import add_entries, tamper
from .test_tampering import run_standalone

WITNESS = "sfj.example/witness"
SEED = bytes(range(32))


@pytest.fixture(autouse=True)
def _tmp(request, tmp_path):
    if request.instance is not None:
        request.instance.tmp = tmp_path


def cosign(cp: Checkpoint, *, seed: bytes = SEED, name: str = WITNESS) -> None:
    """What the witness task keeps after a witness answered (ledger.witnessing)."""
    sig = tlog.cosign(
        name=name, seed=seed, body=formats.checkpoint_body(cp), timestamp=int(time.time())
    )
    Cosignature.objects.create(
        checkpoint=cp,
        witness=name,
        key_id=sig.key_id.hex(),
        timestamp=int(time.time()),
        line=sig.line().rstrip("\n"),
    )


def witness_key(seed: bytes = SEED, name: str = WITNESS) -> str:
    return f"{name} {base64.b64encode(tlog.ed25519_public(seed)).decode()}"


class BundleTrustTests(TestCase):
    tmp: Path

    def setUp(self) -> None:
        add_entries(6)
        self.first = services.make_checkpoint()
        add_entries(4)
        self.last = services.make_checkpoint()
        cosign(self.last)

    def export(self, name: str = "ledger.json") -> Path:
        path = self.tmp / name
        call_command("export_ledger", str(path), stdout=io.StringIO())
        return path

    def remembered(self, cp: Checkpoint) -> str:
        path = self.tmp / f"checkpoint-{cp.tree_size}.txt"
        path.write_text(formats.checkpoint_record(cp)["note"], "utf-8")
        return str(path)

    def test_an_intact_bundle_passes_every_pin_at_once(self) -> None:
        code, text = run_standalone(
            self.export(),
            "--trusted-checkpoint", self.remembered(self.first),
            "--witness-key", witness_key(), "--quorum", "1",
            "--max-age-hours", "24",
        )  # fmt: skip
        self.assertEqual(code, 0, text)
        self.assertIn("1 个有效见证签名", text)
        self.assertIn("核验通过", text)

    def test_the_export_carries_each_checkpoints_cosignatures(self) -> None:
        import json

        bundle = json.loads(self.export().read_text("utf-8"))
        by_size = {cp["tree_size"]: cp["cosignatures"] for cp in bundle["checkpoints"]}
        self.assertEqual(by_size[6], [])
        self.assertEqual(len(by_size[10]), 1)
        self.assertTrue(by_size[10][0].startswith(f"— {WITNESS} "))

    def test_a_bundle_truncated_to_before_a_trusted_checkpoint_fails(self) -> None:
        remembered = self.remembered(self.last)
        tamper("DELETE FROM ledger_cosignature WHERE 1 = 1")
        tamper("DELETE FROM ledger_checkpoint WHERE tree_size > 6")
        tamper("DELETE FROM ledger_node WHERE 1 = 1")
        tamper("DELETE FROM ledger_entry WHERE seq >= 6")
        tamper("UPDATE ledger_entry SET seq = NULL")
        services.integrate()
        bundle = self.export()
        self.assertEqual(run_standalone(bundle)[0], 0)  # self-consistent without the memory
        code, text = run_standalone(bundle, "--trusted-checkpoint", remembered)
        self.assertEqual(code, 1, text)
        self.assertIn("受信任检查点声明 10 条，包内只有 6 条", text)
        self.assertIn("first_bad_seq=6", text)

    def test_a_forked_bundle_fails_against_a_trusted_checkpoint(self) -> None:
        remembered = self.remembered(self.first)
        tamper("DELETE FROM ledger_cosignature WHERE 1 = 1")
        tamper("DELETE FROM ledger_checkpoint WHERE 1 = 1")
        tamper("DELETE FROM ledger_node WHERE 1 = 1")
        tamper("DELETE FROM ledger_entry WHERE seq >= 3")
        tamper("UPDATE ledger_entry SET seq = NULL")
        add_entries(9)
        services.integrate()
        services.make_checkpoint()
        bundle = self.export()
        self.assertEqual(run_standalone(bundle)[0], 0)
        code, text = run_standalone(bundle, "--trusted-checkpoint", remembered)
        self.assertEqual(code, 1, text)
        self.assertIn("受信任检查点（条目数 6）的根摘要与包内条目重算结果不符", text)
        self.assertIn("first_bad_seq=5", text)

    def test_a_bundle_re_signed_by_another_key_fails_under_the_pinned_key(self) -> None:
        pinned = str(keys.public_key_info()["public_key"])
        remembered = self.remembered(self.first)
        attacker = signing.generate("ed25519")
        signing.write_key(keys.key_path(), attacker, overwrite=True)
        tamper("DELETE FROM ledger_cosignature WHERE 1 = 1")
        tamper("DELETE FROM ledger_checkpoint WHERE 1 = 1")
        services.make_checkpoint()
        bundle = self.export()
        self.assertEqual(run_standalone(bundle)[0], 0)  # under the attacker's own key
        code, text = run_standalone(bundle, "--public-key", pinned)
        self.assertEqual(code, 1, text)
        self.assertIn("不是由所给公钥签署的", text)
        # A checkpoint the attacker signs cannot stand in for the remembered one either.
        code, text = run_standalone(
            bundle, "--public-key", pinned, "--trusted-checkpoint", remembered
        )
        self.assertEqual(code, 1, text)

    def test_a_bundle_missing_cosignatures_fails_under_a_quorum(self) -> None:
        tamper("DELETE FROM ledger_cosignature WHERE 1 = 1")
        bundle = self.export()
        self.assertEqual(run_standalone(bundle)[0], 0)
        code, text = run_standalone(bundle, "--witness-key", witness_key())
        self.assertEqual(code, 1, text)
        self.assertIn("只有 0 个有效见证签名，少于要求的 1 个", text)
        self.assertIn("first_bad_seq=9", text)

    def test_a_cosignature_of_an_unpinned_witness_does_not_count(self) -> None:
        other = bytes(reversed(range(32)))
        cosign(self.last, seed=other, name="other.example/witness")
        second = witness_key(seed=b"\x07" * 32, name="b.example/w")
        pins = ("--witness-key", witness_key(), "--witness-key", second)
        code, text = run_standalone(self.export(), *pins)
        self.assertEqual(code, 1, text)
        self.assertIn("只有 1 个有效见证签名，少于要求的 2 个", text)
        self.assertEqual(run_standalone(self.export(), *pins, "--quorum", "1")[0], 0)


class StaleBundleTests(TestCase):
    tmp: Path

    def export(self) -> Path:
        path = self.tmp / "ledger.zip"
        call_command("export_ledger", str(path), stdout=io.StringIO())
        return path

    def test_a_bundle_whose_latest_checkpoint_is_old_fails_the_age_bound(self) -> None:
        past = timezone.now() - timedelta(hours=30)
        with mock.patch("django.utils.timezone.now", return_value=past):
            add_entries(5)
            services.make_checkpoint()
        bundle = self.export()
        self.assertEqual(run_standalone(bundle)[0], 0)  # no bound asked: a case file may be old
        code, text = run_standalone(bundle, "--max-age-hours", "24")
        self.assertEqual(code, 1, text)
        self.assertIn("最新检查点（5 条", text)
        self.assertIn("包过旧，或其后的检查点被删除", text)
        self.assertEqual(run_standalone(bundle, "--max-age-hours", "48")[0], 0)

    def test_old_entries_outside_every_checkpoint_fail_the_age_bound(self) -> None:
        past = timezone.now() - timedelta(hours=30)
        add_entries(2)
        services.make_checkpoint()
        with mock.patch("sanxiang.ledger.services.timezone.now", return_value=past):
            add_entries(3)
        services.integrate()
        code, text = run_standalone(self.export(), "--max-age-hours", "24")
        self.assertEqual(code, 1, text)
        self.assertIn("序号 2 起的条目超过", text)
        self.assertIn("first_bad_seq=2", text)
