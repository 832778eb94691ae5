"""The integrator numbers committed entries contiguously and stores the subtree hashes."""

from __future__ import annotations

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from sanxiang.ledger import queries, services, tree
from sanxiang.ledger.models import Entry, Node
from sanxiang.lib import merkle
from sanxiang.lib.errors import DomainError

from .helpers import add_entries


def leaves() -> list[bytes]:
    return [
        bytes.fromhex(h) for h in Entry.objects.order_by("seq").values_list("leaf_hash", flat=True)
    ]


class IntegratorTests(TestCase):
    def test_append_writes_the_entry_without_a_position(self) -> None:
        (entry,) = add_entries(1)
        self.assertIsNone(entry.seq)

    def test_append_refuses_to_run_outside_a_transaction(self) -> None:
        with (
            self.assertRaisesMessage(RuntimeError, "inside the business transaction"),
            connection.cursor(),
        ):
            # TestCase wraps every test in a transaction; leave it to see the refusal.
            connection.in_atomic_block = False
            try:
                services.append(event_type="x", payload={})
            finally:
                connection.in_atomic_block = True

    def test_positions_are_contiguous_in_id_order_across_batches(self) -> None:
        add_entries(7)
        self.assertEqual(services.integrate(batch=3), 7)
        add_entries(4)
        self.assertEqual(services.integrate(batch=3), 4)
        rows = list(Entry.objects.order_by("id").values_list("seq", flat=True))
        self.assertEqual(rows, list(range(11)))
        self.assertEqual(services.integrate(), 0)

    def test_stored_nodes_give_the_rfc_root_for_every_size(self) -> None:
        for _ in range(1, 20):
            add_entries(1)
            services.integrate()
        all_leaves = leaves()
        for size in range(0, 20):
            self.assertEqual(tree.root(size), merkle.root_hash(all_leaves[:size]))

    def test_proofs_from_stored_nodes_equal_the_reference_proofs(self) -> None:
        add_entries(21)
        services.integrate(batch=5)
        all_leaves = leaves()
        for size in (1, 2, 7, 8, 13, 21):
            for index in range(size):
                self.assertEqual(
                    tree.inclusion_proof(index, size),
                    merkle.inclusion_proof(all_leaves[:size], index),
                )
            for old in range(0, size + 1):
                self.assertEqual(
                    tree.consistency_proof(old, size),
                    merkle.consistency_proof(all_leaves[:size], old),
                )

    def test_a_proof_reads_the_nodes_in_one_query(self) -> None:
        add_entries(37)
        services.integrate()
        with CaptureQueriesContext(connection) as queries_run:
            tree.inclusion_proof(5, 37)
        self.assertEqual(len(queries_run), 1)

    def test_nodes_cover_each_perfect_subtree_once(self) -> None:
        add_entries(8)
        services.integrate(batch=3)
        levels = sorted(Node.objects.values_list("level", flat=True))
        self.assertEqual(levels, [0] * 8 + [1] * 4 + [2] * 2 + [3])

    def test_a_later_committed_lower_id_is_numbered_after_the_higher_one(self) -> None:
        low, high = add_entries(2)
        # Simulate: the higher id committed and was integrated while the lower one was not
        # yet visible (its transaction still open).
        Entry.objects.filter(pk=high.pk).update(seq=0)
        Node.objects.create(level=0, index=0, hash=bytes.fromhex(high.leaf_hash))
        services.integrate()
        self.assertEqual(Entry.objects.get(pk=low.pk).seq, 1)

    def test_prove_inclusion_integrates_and_signs_when_needed(self) -> None:
        entries = add_entries(5)
        proof = services.prove_inclusion(entries[3].pk)
        self.assertEqual((proof["seq"], proof["tree_size"]), (3, 5))
        ok, explanation = queries.verify_inclusion_payload(proof)
        self.assertTrue(ok, explanation)
        self.assertIn("验证通过", explanation)

    def test_an_unsequenced_entry_cannot_be_proven(self) -> None:
        (entry,) = add_entries(1)
        original = services.integrate
        services.integrate = lambda **kwargs: 0  # an integrator that cannot see it yet
        try:
            with self.assertRaises(DomainError) as caught:
                services.prove_inclusion(entry.pk)
        finally:
            services.integrate = original
        self.assertEqual(caught.exception.code, "conflict")
        self.assertIn("尚未排入账本序列", caught.exception.message)

    def test_an_unknown_entry_is_not_found(self) -> None:
        with self.assertRaises(DomainError) as caught:
            services.prove_inclusion(999999)
        self.assertEqual(caught.exception.code, "not_found")

    def test_a_tampered_proof_payload_is_explained(self) -> None:
        entries = add_entries(6)
        proof = services.prove_inclusion(entries[2].pk)
        bad = {**proof, "proof": ["00" * 32, *proof["proof"][1:]]}
        ok, explanation = queries.verify_inclusion_payload(bad)
        self.assertFalse(ok)
        self.assertIn("存在性证明不成立", explanation)
        forged = {**proof, "checkpoint": {**proof["checkpoint"], "tree_size": 7}}
        ok, explanation = queries.verify_inclusion_payload(forged)
        self.assertFalse(ok)
        self.assertIn("签名无效", explanation)
        ok, explanation = queries.verify_inclusion_payload({"seq": 1})
        self.assertFalse(ok)
        self.assertIn("格式", explanation)

    def test_entries_written_in_a_rolled_back_transaction_never_get_a_position(self) -> None:
        from django.db import transaction

        add_entries(1)
        try:
            with transaction.atomic():
                services.append(event_type="x", payload={})
                raise ValueError("business refusal")
        except ValueError:
            pass
        services.integrate()
        self.assertEqual(Entry.objects.count(), 1)
