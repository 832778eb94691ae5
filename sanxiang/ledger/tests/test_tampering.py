"""Editing the ledger in the database (after dropping the triggers) is detected and named,
by ``verify_ledger`` and by the standalone verifier on an export."""

from __future__ import annotations

import base64
import io
import json
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import TestCase

from sanxiang.ledger import formats, keys, services, signing, tree
from sanxiang.ledger.models import Checkpoint, Entry

from .helpers import add_entries, tamper, verifier


def run_verify_ledger(*args: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_ledger", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue() + err.getvalue()
    return 0, out.getvalue() + err.getvalue()


def run_standalone(path: Path, *args: str) -> tuple[int, str]:
    """The standalone verifier, with the deployment's published key pinned unless ``args``
    pin another one (or ``--no-pin`` asks for no pinned key at all)."""
    out, err = io.StringIO(), io.StringIO()
    if "--no-pin" in args:
        args = tuple(a for a in args if a != "--no-pin")
    elif "--public-key" not in args:
        args = (*args, "--public-key", keys.public_key_info()["public_key"])
    with redirect_stdout(out), redirect_stderr(err):
        code = verifier().main([str(path), *args])
    return code, out.getvalue() + err.getvalue()


@pytest.fixture(autouse=True)
def _tmp(request, tmp_path):
    if request.instance is not None:
        request.instance.tmp = tmp_path


class TamperingTests(TestCase):
    tmp: Path

    def setUp(self) -> None:
        add_entries(6, case_id=7)
        services.make_checkpoint()
        add_entries(4)
        self.last = services.make_checkpoint()

    def export(self) -> Path:
        path = self.tmp / "ledger.json"
        call_command("export_ledger", str(path), stdout=io.StringIO())
        return path

    def assert_named(self, seq: int, *, standalone_seq: int | None = None) -> None:
        code, text = run_verify_ledger()
        self.assertEqual(code, 1, text)
        self.assertIn(f"first_bad_seq={seq}", text)
        code, text = run_standalone(self.export())
        self.assertEqual(code, 1, text)
        self.assertIn(f"first_bad_seq={seq if standalone_seq is None else standalone_seq}", text)

    def test_an_intact_ledger_passes_both_verifiers(self) -> None:
        code, text = run_verify_ledger()
        self.assertEqual(code, 0, text)
        self.assertIn("账本完好：10 条，2 个检查点", text)
        code, text = run_standalone(self.export())
        self.assertEqual(code, 0, text)

    def test_a_changed_payload_is_named(self) -> None:
        tamper("UPDATE ledger_entry SET payload = %s WHERE seq = 4", ['{"i":99}'])
        self.assert_named(4)

    def test_a_changed_leaf_hash_is_named(self) -> None:
        tamper("UPDATE ledger_entry SET leaf_hash = %s WHERE seq = 3", ["ab" * 32])
        self.assert_named(3)

    def test_a_rewritten_entry_with_recomputed_hashes_is_named(self) -> None:
        entry = Entry.objects.get(seq=2)
        record = formats.entry_record(entry)
        payload = '{"i":2,"text":"改过"}'
        payload_hash = __import__("hashlib").sha256(payload.encode()).hexdigest()
        leaf = verifier().merkle.leaf_hash(verifier().leaf_input(record, payload_hash)).hex()
        tamper(
            "UPDATE ledger_entry SET payload = %s, payload_hash = %s, leaf_hash = %s WHERE seq = 2",
            [payload, payload_hash, leaf],
        )
        # The database still holds the leaf the integrator stored at position 2; the export
        # alone can only say which signed checkpoint no longer matches.
        self.assert_named(2, standalone_seq=5)

    def test_a_deleted_row_is_named(self) -> None:
        tamper("DELETE FROM ledger_entry WHERE seq = 5")
        self.assert_named(5)

    def test_a_deleted_last_row_is_named(self) -> None:
        tamper("DELETE FROM ledger_entry WHERE seq = 9")
        self.assert_named(9)

    def test_reordered_rows_are_named(self) -> None:
        tamper("UPDATE ledger_entry SET seq = -1 WHERE seq = 2")
        tamper("UPDATE ledger_entry SET seq = 2 WHERE seq = 7")
        tamper("UPDATE ledger_entry SET seq = 7 WHERE seq = -1")
        self.assert_named(2, standalone_seq=5)

    def test_a_forged_checkpoint_root_is_named(self) -> None:
        tamper(
            "UPDATE ledger_checkpoint SET root_hash = %s WHERE id = %s", ["cd" * 32, self.last.pk]
        )
        self.assert_named(9)

    def test_a_checkpoint_signed_with_another_key_is_named(self) -> None:
        other = signing.generate("ed25519")
        body = formats.checkpoint_body(self.last).encode()
        tamper(
            "UPDATE ledger_checkpoint SET signature = %s WHERE id = %s",
            [base64.b64encode(other.sign(body)).decode(), self.last.pk],
        )
        self.assert_named(9)

    def test_a_reused_signature_is_named(self) -> None:
        first = Checkpoint.objects.order_by("tree_size").first()
        assert first is not None
        Checkpoint.objects.create(
            origin=first.origin,
            tree_size=8,
            root_hash=tree.root(8).hex(),
            hash_name=first.hash_name,
            created_at=first.created_at,
            algorithm=first.algorithm,
            key_id=first.key_id,
            signature=first.signature,
        )
        code, text = run_verify_ledger()
        self.assertEqual(code, 1)
        self.assertIn("first_bad_seq=7", text)
        self.assertIn("签名无效", text)
        code, text = run_standalone(self.export())
        self.assertIn("first_bad_seq=7", text)

    def test_a_changed_tree_node_is_named_when_nodes_are_checked(self) -> None:
        self.assertEqual(run_verify_ledger("--nodes")[0], 0)
        tamper('UPDATE ledger_node SET hash = %s WHERE level = 1 AND "index" = 2', [b"\x07" * 32])
        code, text = run_verify_ledger("--nodes")
        self.assertEqual(code, 1)
        self.assertIn("first_bad_seq=4", text)
        self.assertIn("节点表被改动", text)

    def test_a_changed_leaf_node_is_named_when_nodes_are_checked(self) -> None:
        tamper('UPDATE ledger_node SET hash = %s WHERE level = 0 AND "index" = 8', [b"\x07" * 32])
        code, text = run_verify_ledger("--nodes")
        self.assertEqual(code, 1)
        self.assertIn("first_bad_seq=8", text)

    def test_a_deleted_tree_node_is_named_by_default(self) -> None:
        tamper('DELETE FROM ledger_node WHERE level = 1 AND "index" = 3')
        code, text = run_verify_ledger()
        self.assertEqual(code, 1, text)
        self.assertIn("树节点 (1, 3)（序号 6–7）", text)
        self.assertIn("first_bad_seq=6", text)

    def test_a_missing_last_node_of_a_level_is_named(self) -> None:
        tamper('DELETE FROM ledger_node WHERE level = 0 AND "index" = 9')
        code, text = run_verify_ledger()
        self.assertEqual(code, 1, text)
        self.assertIn("first_bad_seq=9", text)

    def test_a_node_moved_to_another_index_is_named(self) -> None:
        tamper('DELETE FROM ledger_node WHERE level = 0 AND "index" = 9')
        tamper('UPDATE ledger_node SET "index" = 9 WHERE level = 0 AND "index" = 5')
        code, text = run_verify_ledger()
        self.assertEqual(code, 1, text)
        self.assertIn("树节点 (0, 5)", text)
        self.assertIn("first_bad_seq=5", text)

    def test_a_bundle_with_one_byte_changed_is_refused(self) -> None:
        path = self.export()
        data = path.read_bytes()
        at = data.index(b'"leaf_hash": "') + len(b'"leaf_hash": "')
        flipped = b"1" if data[at : at + 1] != b"1" else b"2"
        path.write_bytes(data[:at] + flipped + data[at + 1 :])
        code, text = run_standalone(path)
        self.assertEqual(code, 1)
        self.assertIn("first_bad_seq=0", text)

    def test_a_damaged_zip_bundle_is_refused_with_a_message(self) -> None:
        path = self.tmp / "ledger.zip"
        call_command("export_ledger", str(path), stdout=io.StringIO())
        code, text = run_standalone(path)
        self.assertEqual(code, 0, text)
        data = bytearray(path.read_bytes())
        data[len(data) // 3] ^= 0x01
        path.write_bytes(bytes(data))
        code, text = run_standalone(path)
        self.assertEqual(code, 1)
        self.assertIn("核验失败", text)

    def test_without_a_pinned_key_the_standalone_verifier_refuses_to_say_valid(self) -> None:
        code, text = run_standalone(self.export(), "--no-pin")
        self.assertEqual(code, 2, text)
        self.assertNotIn("核验通过", text)
        self.assertIn("--public-key", text)

    def test_a_bundle_rebuilt_and_re_signed_by_another_key_fails_under_the_pinned_key(
        self,
    ) -> None:
        path = self.export()
        bundle = json.loads(path.read_text("utf-8"))
        attacker = signing.generate("ed25519")
        attacker_kid = signing.key_id(
            algorithm="ed25519", origin=keys.origin(), public_key=attacker.public
        )
        bundle["public_key"]["public_key"] = base64.b64encode(attacker.public).decode()
        bundle["public_key"]["key_id"] = attacker_kid.hex()
        for cp in bundle["checkpoints"]:
            body = signing.note_body(
                origin=cp["origin"],
                tree_size=cp["tree_size"],
                root_hash=bytes.fromhex(cp["root_hash"]),
                time_text=cp["time"],
                hash_name=cp["hash"],
            )
            cp["key_id"] = attacker_kid.hex()
            cp["signature"] = base64.b64encode(attacker.sign(body.encode())).decode()
        path.write_text(json.dumps(bundle), "utf-8")
        self.assertEqual(run_standalone(path, "--no-pin")[0], 2)  # self-consistent, not valid
        code, text = run_standalone(path)
        self.assertEqual(code, 1, text)
        self.assertNotIn("核验通过", text)

    def test_a_pinned_public_key_that_differs_fails_every_checkpoint(self) -> None:
        other = signing.generate("ed25519")
        code, text = run_standalone(
            self.export(), "--public-key", base64.b64encode(other.public).decode()
        )
        self.assertEqual(code, 1)
        self.assertIn("不是由所给公钥签署", text)


class InclusionBundleTests(TestCase):
    tmp: Path

    def setUp(self) -> None:
        add_entries(3)
        self.case_entries = add_entries(5, case_id=42)
        add_entries(2)
        self.checkpoint = services.make_checkpoint()

    def write(self, bundle: dict) -> Path:
        path = self.tmp / "proofs.json"
        path.write_text(json.dumps(bundle, ensure_ascii=False), encoding="utf-8")
        return path

    def test_a_case_bundle_verifies_against_the_named_checkpoint(self) -> None:
        add_entries(3)  # later entries do not matter
        services.make_checkpoint()
        bundle = services.inclusion_bundle(case_id=42, checkpoint=self.checkpoint.pk)
        self.assertEqual([e["seq"] for e in bundle["entries"]], [3, 4, 5, 6, 7])
        self.assertEqual(bundle["checkpoint"]["tree_size"], 10)
        code, text = run_standalone(self.write(bundle))
        self.assertEqual(code, 0, text)

    def test_a_changed_payload_in_a_case_bundle_is_named(self) -> None:
        bundle = services.inclusion_bundle(entry_ids=[e.pk for e in self.case_entries])
        bundle["entries"][2]["payload"] = bundle["entries"][2]["payload"].replace("2", "3")
        code, text = run_standalone(self.write(bundle))
        self.assertEqual(code, 1)
        self.assertIn("first_bad_seq=5", text)

    def test_a_proof_with_one_hash_changed_is_named(self) -> None:
        bundle = services.inclusion_bundle(case_id=42)
        proof = bundle["entries"][0]["proof"]
        proof[0] = ("0" if proof[0][0] != "0" else "1") + proof[0][1:]
        code, text = run_standalone(self.write(bundle))
        self.assertEqual(code, 1)
        self.assertIn("存在性证明不成立", text)

    def test_a_single_proof_from_prove_inclusion_verifies_offline(self) -> None:
        proof = services.prove_inclusion(self.case_entries[0].pk)
        code, text = run_standalone(self.write(proof))
        self.assertEqual(code, 0, text)

    def test_entries_newer_than_the_checkpoint_are_refused(self) -> None:
        (late,) = add_entries(1, case_id=42)
        services.integrate()
        from sanxiang.lib.errors import DomainError

        with self.assertRaises(DomainError) as caught:
            services.inclusion_bundle(case_id=42, checkpoint=self.checkpoint)
        self.assertEqual(caught.exception.code, "conflict")
        self.assertIn(str(late.pk), caught.exception.message)

    def test_an_unknown_checkpoint_is_not_found(self) -> None:
        from sanxiang.lib.errors import DomainError

        with self.assertRaises(DomainError) as caught:
            services.inclusion_bundle(case_id=42, checkpoint=987654)
        self.assertEqual(caught.exception.code, "not_found")


def test_the_standalone_verifier_runs_without_django(tmp_path):
    """What a court runs: a plain interpreter, no settings, no database."""
    import subprocess
    import sys

    from .helpers import ROOT

    code = (
        "import runpy, sys\n"
        f"sys.argv = ['verify_bundle.py', '--help']\n"
        "try:\n"
        f"    runpy.run_path({str(ROOT / 'tools' / 'verify_bundle.py')!r}, run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules), 'django'\n"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", code], capture_output=True, text=True, env={}, check=False
    )
    assert result.returncode == 0, result.stderr


class AwkwardTextTests(TestCase):
    def test_entries_with_quotes_controls_and_any_script_verify_on_this_database(self) -> None:
        class Actor:
            pk = 12

            def __init__(self, name: str) -> None:
                self.name = name

            def get_username(self) -> str:
                return self.name

        from django.db import transaction

        names = ['a"b\\c', "tab\there\nnew", "\x01\x1f\x7f", "张三\u2028\u2029", "😀 é ß"]
        with transaction.atomic():
            for name in names:
                services.append(event_type="test.event", payload={"k": name}, actor=Actor(name))
        services.make_checkpoint()
        code, text = run_verify_ledger()
        self.assertEqual(code, 0, text)
