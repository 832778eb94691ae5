"""The append-only triggers refuse every change except the integrator's seq assignment."""

from __future__ import annotations

from typing import Any

from django.db import DatabaseError, connection, transaction
from django.test import TestCase

from sanxiang.ledger import guard, reconcile, services
from sanxiang.ledger.models import Checkpoint, Cosignature, Entry, Node

from .helpers import add_entries


class AppendOnlyTriggerTests(TestCase):
    def setUp(self) -> None:
        self.first, self.second = add_entries(2)

    def _refused(self, sql: str, params: list[Any]) -> None:
        with (
            self.assertRaisesMessage(DatabaseError, guard.REFUSAL),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, params)

    def test_integrator_may_set_seq_once(self) -> None:
        Entry.objects.filter(pk=self.first.pk).update(seq=0)
        self.assertEqual(Entry.objects.get(pk=self.first.pk).seq, 0)

    def test_changing_a_set_seq_is_refused(self) -> None:
        services.integrate()
        self._refused("UPDATE ledger_entry SET seq = seq + 10 WHERE id = %s", [self.first.pk])

    def test_setting_seq_together_with_another_column_is_refused(self) -> None:
        self._refused(
            "UPDATE ledger_entry SET seq = 5, payload = '{}' WHERE id = %s", [self.first.pk]
        )

    def test_changing_the_payload_is_refused(self) -> None:
        self._refused("UPDATE ledger_entry SET payload = '{}' WHERE id = %s", [self.first.pk])

    def test_changing_the_leaf_hash_is_refused(self) -> None:
        self._refused(
            "UPDATE ledger_entry SET leaf_hash = payload_hash WHERE id = %s", [self.first.pk]
        )

    def test_clearing_a_seq_is_refused(self) -> None:
        services.integrate()
        self._refused("UPDATE ledger_entry SET seq = NULL WHERE id = %s", [self.first.pk])

    def test_deleting_an_entry_is_refused(self) -> None:
        self._refused("DELETE FROM ledger_entry WHERE id = %s", [self.second.pk])

    def test_deleting_through_the_orm_is_refused_too(self) -> None:
        with self.assertRaisesMessage(DatabaseError, guard.REFUSAL), transaction.atomic():
            Entry.objects.filter(pk=self.second.pk).delete()

    def test_nodes_are_insert_only(self) -> None:
        services.integrate()
        node = Node.objects.first()
        assert node is not None
        self._refused("UPDATE ledger_node SET hash = hash WHERE id = %s", [node.pk])
        self._refused("DELETE FROM ledger_node WHERE id = %s", [node.pk])

    def test_checkpoints_are_insert_only(self) -> None:
        cp = services.make_checkpoint()
        self._refused("UPDATE ledger_checkpoint SET tree_size = 0 WHERE id = %s", [cp.pk])
        self._refused("DELETE FROM ledger_checkpoint WHERE id = %s", [cp.pk])
        self.assertEqual(Checkpoint.objects.count(), 1)

    def test_cosignatures_are_insert_only(self) -> None:
        cp = services.make_checkpoint()
        cosig = Cosignature.objects.create(
            checkpoint=cp, witness="sfj.example/witness", key_id="00000000", timestamp=1, line="x"
        )
        self._refused("UPDATE ledger_cosignature SET line = 'forged' WHERE id = %s", [cosig.pk])
        self._refused("DELETE FROM ledger_cosignature WHERE id = %s", [cosig.pk])
        self.assertEqual(Cosignature.objects.get(pk=cosig.pk).line, "x")


class InstalledTriggerCheckTests(TestCase):
    def test_every_ledger_trigger_is_found_as_installed(self) -> None:
        self.assertEqual(reconcile.check_triggers(), [])

    def test_a_dropped_cosignature_trigger_is_named(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(guard.later_drop_statements(connection.vendor)[0])
        found = [(d.table, d.row) for d in reconcile.check_triggers()]
        postgres = connection.vendor == "postgresql"
        name = "ledger_cosignature_append_only" if postgres else "ledger_cosignature_no_update"
        self.assertEqual(found, [("ledger_cosignature", name)])

    def test_a_dropped_append_only_trigger_makes_verify_ledger_fail_naming_it(self) -> None:
        from .test_tampering import run_verify_ledger

        add_entries(2)
        services.make_checkpoint()
        self.assertEqual(run_verify_ledger()[0], 0)
        with connection.cursor() as cursor:
            cursor.execute(guard.drop_statements(connection.vendor)[0])
        code, text = run_verify_ledger()
        self.assertEqual(code, 1, text)
        postgres = connection.vendor == "postgresql"
        name = "ledger_entry_append_only" if postgres else "ledger_entry_no_update"
        self.assertIn(
            f"ledger_entry #{name} 字段 trigger（账本无对应条目）：数据库触发器已被删除", text
        )

    def test_an_entry_inserted_with_its_own_seq_is_refused(self) -> None:
        with (
            self.assertRaisesMessage(DatabaseError, guard.REFUSAL),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(
                "INSERT INTO ledger_entry (seq, created_at, actor_label, event_type, payload, "
                "payload_hash, leaf_hash) VALUES (0, %s, 'x', 'test.event', '{}', '', '')",
                ["2026-12-02 00:00:00+00:00"],
            )
