"""``verify_ledger`` trusting nothing on the host: a pinned key, a remembered checkpoint and a
staleness bound catch what a DBA holding the host's key file can do to the log."""

from __future__ import annotations

import base64
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.test import TestCase
from django.utils import timezone

from sanxiang.ledger import formats, keys, services, signing
from sanxiang.ledger.models import Checkpoint

from .helpers import add_entries, tamper
from .test_tampering import run_verify_ledger


@pytest.fixture(autouse=True)
def _tmp(request, tmp_path):
    if request.instance is not None:
        request.instance.tmp = tmp_path


class TrustTests(TestCase):
    tmp: Path

    def setUp(self) -> None:
        add_entries(6)
        self.first = services.make_checkpoint()
        add_entries(4)
        self.last = services.make_checkpoint()

    def remembered(self, cp: Checkpoint) -> str:
        path = self.tmp / f"checkpoint-{cp.tree_size}.txt"
        path.write_text(formats.checkpoint_record(cp)["note"], "utf-8")
        return str(path)

    def pinned(self) -> str:
        return str(keys.public_key_info()["public_key"])

    def test_an_intact_ledger_passes_with_the_pinned_key_and_a_remembered_checkpoint(self):
        code, text = run_verify_ledger(
            "--log-key", self.pinned(), "--trusted-checkpoint", self.remembered(self.first)
        )
        self.assertEqual(code, 0, text)

    def test_truncation_to_an_old_checkpoint_is_caught_by_a_remembered_later_one(self):
        remembered = self.remembered(self.last)
        tamper("DELETE FROM ledger_checkpoint WHERE tree_size > 6")
        tamper("DELETE FROM ledger_node WHERE 1 = 1")
        tamper("DELETE FROM ledger_entry WHERE seq >= 6")
        tamper("UPDATE ledger_entry SET seq = NULL")
        services.integrate()
        self.assertEqual(run_verify_ledger()[0], 0)  # self-consistent: the host cannot tell
        code, text = run_verify_ledger("--trusted-checkpoint", remembered)
        self.assertEqual(code, 1, text)
        self.assertIn("受信任检查点 声明 10 条，账本只有 6 条", text)
        self.assertIn("first_bad_seq=6", text)

    def test_a_rebuilt_log_re_signed_with_a_new_host_key_fails_under_the_pinned_key(self):
        pinned = self.pinned()
        attacker = signing.generate("ed25519")
        signing.write_key(keys.key_path(), attacker, overwrite=True)
        tamper("DELETE FROM ledger_checkpoint WHERE 1 = 1")
        tamper("UPDATE ledger_entry SET payload = payload WHERE 1 = 0")
        services.make_checkpoint()
        self.assertEqual(run_verify_ledger()[0], 0)
        code, text = run_verify_ledger("--log-key", pinned)
        self.assertEqual(code, 1, text)
        self.assertIn("不是本系统的密钥", text)

    def test_a_forked_history_fails_against_a_remembered_checkpoint(self):
        remembered = self.remembered(self.first)
        tamper("DELETE FROM ledger_checkpoint WHERE 1 = 1")
        tamper("DELETE FROM ledger_node WHERE 1 = 1")
        tamper("DELETE FROM ledger_entry WHERE seq >= 3")
        tamper("UPDATE ledger_entry SET seq = NULL")
        add_entries(9)
        services.integrate()
        services.make_checkpoint()
        self.assertEqual(run_verify_ledger()[0], 0)
        code, text = run_verify_ledger("--trusted-checkpoint", remembered)
        self.assertEqual(code, 1, text)
        self.assertIn("受信任检查点（条目数 6）的根摘要与条目重算结果不符", text)

    def test_a_remembered_checkpoint_signed_by_another_key_is_refused(self):
        other = signing.generate("ed25519")
        note = formats.checkpoint_record(self.last)["note"]
        body = note.split("\n\n")[0] + "\n"
        kid = signing.key_id(algorithm="ed25519", origin=keys.origin(), public_key=other.public)
        forged = signing.signed_note(
            body, origin=keys.origin(), key_id_bytes=kid, signature=other.sign(body.encode())
        )
        path = self.tmp / "forged.txt"
        path.write_text(forged, "utf-8")
        code, text = run_verify_ledger("--trusted-checkpoint", str(path))
        self.assertEqual(code, 1, text)
        self.assertIn("没有本日志公钥的有效签名", text)

    def test_deleted_checkpoints_leave_entries_unsigned_past_the_bound(self):
        past = timezone.now() - timedelta(hours=30)
        with mock.patch("sanxiang.ledger.services.timezone.now", return_value=past):
            add_entries(3)  # written 30 hours ago; their checkpoint is then deleted
            services.make_checkpoint()
        services.integrate()
        self.assertEqual(run_verify_ledger("--max-age-hours", "24")[0], 0)
        tamper("DELETE FROM ledger_checkpoint WHERE tree_size > 10")
        code, text = run_verify_ledger("--max-age-hours", "24")
        self.assertEqual(code, 1, text)
        self.assertIn("序号 10 起的条目超过", text)
        self.assertEqual(run_verify_ledger("--max-age-hours", "0")[0], 0)

    def test_a_missing_witness_cosignature_on_the_latest_checkpoint_fails(self):
        witness = base64.b64encode(b"\x01" * 32).decode()
        code, text = run_verify_ledger("--witness-key", f"sfj.example/witness {witness}")
        self.assertEqual(code, 1, text)
        self.assertIn("只有 0 个有效见证签名", text)

    def test_deleting_the_latest_witnessed_checkpoint_fails_the_quorum(self):
        from .test_bundle_trust import cosign, witness_key

        cosign(self.last)
        self.assertEqual(run_verify_ledger("--witness-key", witness_key())[0], 0)
        tamper("DELETE FROM ledger_cosignature WHERE 1 = 1")
        tamper("DELETE FROM ledger_checkpoint WHERE tree_size = 10")
        code, text = run_verify_ledger("--witness-key", witness_key(), "--quorum", "1")
        self.assertEqual(code, 1, text)
        self.assertIn("最新检查点", text)
        self.assertIn("只有 0 个有效见证签名", text)
