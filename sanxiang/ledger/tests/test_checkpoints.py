"""Signed checkpoints: key file outside the database, Ed25519 by default, SM2 selectable."""

from __future__ import annotations

import io
import stat

import pytest
from django.core.management import call_command
from django.test import TestCase, override_settings

from sanxiang.ledger import formats, keys, queries, services, signing, tasks
from sanxiang.ledger.models import Checkpoint

from .helpers import add_entries
from .test_tampering import run_standalone, run_verify_ledger


@pytest.fixture(autouse=True)
def _own_key_file(request, tmp_path, settings):
    settings.SANXIANG_LEDGER_KEY_FILE = tmp_path / "keys" / "ledger.pem"
    if request.instance is not None:
        request.instance.tmp = tmp_path


class CheckpointTests(TestCase):
    def test_the_key_is_generated_on_first_use_readable_only_by_its_owner(self) -> None:
        services.make_checkpoint()
        path = keys.key_path()
        self.assertTrue(path.exists())
        self.assertEqual(stat.S_IMODE(path.stat().st_mode), 0o600)

    def test_the_checkpoint_text_is_a_signed_note(self) -> None:
        add_entries(3)
        cp = services.make_checkpoint()
        note = formats.checkpoint_record(cp)["note"]
        lines = note.split("\n")
        self.assertEqual(lines[0], keys.origin())
        self.assertEqual(lines[1], "3")
        self.assertTrue(lines[3].startswith("time "))
        self.assertEqual(lines[4], "")
        self.assertTrue(lines[5].startswith(f"— {keys.origin()} "))
        self.assertTrue(queries.checkpoint_signature_ok(cp))

    def test_a_checkpoint_is_only_repeated_when_asked_even_if_the_log_did_not_grow(self) -> None:
        add_entries(2)
        first = services.make_checkpoint()
        self.assertEqual(services.make_checkpoint(only_if_grown=True).pk, first.pk)
        self.assertNotEqual(services.make_checkpoint().pk, first.pk)

    def test_the_empty_log_can_be_signed(self) -> None:
        cp = services.make_checkpoint()
        self.assertEqual(cp.tree_size, 0)
        self.assertEqual(run_verify_ledger()[0], 0)

    def test_the_checkpoint_command_prints_the_note(self) -> None:
        add_entries(1)
        out = io.StringIO()
        call_command("ledger_checkpoint", stdout=out)
        self.assertIn("\n1\n", out.getvalue())
        self.assertEqual(Checkpoint.objects.count(), 1)

    def test_keygen_makes_a_key_once_and_shows_the_public_half(self) -> None:
        out = io.StringIO()
        call_command("ledger_keygen", stdout=out)
        self.assertIn("已生成 ed25519 密钥", out.getvalue())
        first = keys.key_path().read_bytes()
        out = io.StringIO()
        call_command("ledger_keygen", stdout=out)
        self.assertIn("密钥已存在", out.getvalue())
        self.assertEqual(keys.key_path().read_bytes(), first)
        self.assertIn(keys.public_key_info()["public_key"], out.getvalue())

    def test_a_key_file_of_another_algorithm_is_refused_with_an_explanation(self) -> None:
        services.make_checkpoint()
        with (
            override_settings(SANXIANG_LEDGER_SIGNATURE="sm2"),
            self.assertRaisesMessage(signing.SigningKeyError, "SANXIANG_LEDGER_SIGNATURE"),
        ):
            services.make_checkpoint()


@override_settings(SANXIANG_LEDGER_SIGNATURE="sm2")
class SM2CheckpointTests(TestCase):
    def test_sm2_checkpoints_verify_in_both_verifiers(self) -> None:
        add_entries(4)
        cp = services.make_checkpoint()
        self.assertEqual(cp.algorithm, "sm2")
        self.assertEqual(len(keys.public_key_info()["public_key"]), 88)  # 64 bytes, base64
        self.assertEqual(run_verify_ledger()[0], 0)
        path = self.tmp / "bundle.json"  # type: ignore[attr-defined]
        call_command("export_ledger", str(path), stdout=io.StringIO())
        code, text = run_standalone(path)
        self.assertEqual(code, 0, text)

    def test_a_forged_sm2_signature_fails(self) -> None:
        key = signing.generate("sm2")
        other = signing.generate("sm2")
        signature = key.sign(b"message")
        self.assertTrue(signing.verify("sm2", key.public, b"message", signature))
        self.assertFalse(signing.verify("sm2", other.public, b"message", signature))
        self.assertFalse(signing.verify("sm2", key.public, b"messagf", signature))


class PeriodicTaskTests(TestCase):
    def test_the_checkpoint_task_signs_and_queues_its_next_run_once(self) -> None:
        from django_tasks_db.models import DBTaskResult

        add_entries(2)
        size = tasks.make_checkpoint.call()
        self.assertEqual(size, 2)
        tasks.make_checkpoint.call()
        waiting = DBTaskResult.objects.filter(
            task_path=tasks.make_checkpoint.module_path, status="READY"
        )
        self.assertEqual(waiting.count(), 1)
        self.assertEqual(Checkpoint.objects.count(), 1)  # the log did not grow

    def test_schedule_does_not_queue_twice(self) -> None:
        out = io.StringIO()
        call_command("schedule_tasks", stdout=out)
        self.assertIn("integrate_pending", out.getvalue())
        out = io.StringIO()
        call_command("schedule_tasks", stdout=out)
        self.assertIn("均已在队列中", out.getvalue())

    def test_the_integration_task_sequences_what_is_waiting(self) -> None:
        add_entries(3)
        self.assertEqual(tasks.integrate_pending.call(), 3)


@override_settings(SANXIANG_HASH="sm3")
class SM3TreeTests(TestCase):
    def test_an_sm3_tree_verifies_in_both_verifiers_and_says_so_in_the_note(self) -> None:
        add_entries(5)
        cp = services.make_checkpoint()
        self.assertEqual(cp.hash_name, "sm3")
        self.assertIn("\nhash sm3\n", formats.checkpoint_record(cp)["note"])
        proof = services.prove_inclusion(add_entries(1)[0].pk)
        self.assertTrue(queries.verify_inclusion_payload(proof)[0])
        self.assertEqual(run_verify_ledger()[0], 0)
        path = self.tmp / "bundle.json"  # type: ignore[attr-defined]
        call_command("export_ledger", str(path), stdout=io.StringIO())
        code, text = run_standalone(path)
        self.assertEqual(code, 0, text)
