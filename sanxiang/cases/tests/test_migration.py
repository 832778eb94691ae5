"""The case-event table goes only once every row is shown to have its ledger entry."""

from __future__ import annotations

import importlib
from datetime import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import SimpleTestCase, TransactionTestCase
from django.utils import timezone

from sanxiang.cases.services import transition
from sanxiang.cases.testing import open_test_case
from sanxiang.testing import World

migration = importlib.import_module("sanxiang.cases.migrations.0003_case_events_are_ledger_entries")
BEFORE = [("cases", "0002_draft_snapshots")]
AFTER = [("cases", "0003_case_events_are_ledger_entries")]
AT = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.get_current_timezone())


class MatchingRowsToEntries(SimpleTestCase):
    def test_each_row_needs_an_entry_of_its_own_and_a_step_the_stage_it_entered(self):
        events = [
            (1, 7, "opened", "filing", AT),
            (2, 7, "transition", "investigation", AT),
            (3, 7, "transition", "hearing", AT),
            (4, 7, "draft_saved", "", AT),
            (5, 7, "draft_saved", "", AT),
        ]
        entries = [
            (7, "case.opened", "{}"),
            (7, "case.transition", '{"target":"investigation"}'),
            (7, "case.transition", '{"target":"notice"}'),
            (7, "draft_saved", "{}"),  # a legacy code counts as its current one
        ]
        missing = migration.unmatched(events, entries)
        assert [row[0] for row in missing] == [3, 5]

    def test_the_refusal_names_the_rows_and_counts_the_rest(self):
        missing = [(pk, 7, "transition", "hearing", AT) for pk in range(1, 26)]
        text = migration.refusal(missing)
        assert "以下 25 条案件动态在账本中没有对应条目" in text
        assert (
            "案件动态 #1：案件 7，类型 transition，进入阶段 hearing，时间 2026-03-02 09:30:00"
            in text
        )
        assert "#20：" in text and "#21：" not in text
        assert "另有 5 条" in text


class TheMigration(TransactionTestCase):
    def migrate(self, targets: list[tuple[str, str]]) -> None:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(targets)

    def tearDown(self) -> None:
        # Leave the schema as the other tests expect it: every migration of every app applied
        # (going back to 0002 also unapplied the other apps' migrations that depend on later
        # cases migrations).
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        self.migrate(executor.loader.graph.leaf_nodes())
        super().tearDown()

    def test_it_refuses_while_a_row_has_no_entry_and_removes_the_table_once_all_have(self):
        world = World.build()
        case = open_test_case(world)
        transition(actor=world.head, case_id=case.pk, target="investigation")
        self.migrate(BEFORE)
        CaseEvent = (
            MigrationExecutor(connection)
            .loader.project_state(BEFORE)
            .apps.get_model("cases", "CaseEvent")
        )
        assert CaseEvent.objects.count() == 2  # going back filled it from the ledger
        orphan = CaseEvent.objects.create(case_id=case.pk, kind="transition", target="hearing")
        with pytest.raises(RuntimeError, match=f"案件动态 #{orphan.pk}：案件 {case.pk}"):
            self.migrate(AFTER)
        assert "cases_caseevent" in connection.introspection.table_names()
        orphan.delete()
        self.migrate(AFTER)
        assert "cases_caseevent" not in connection.introspection.table_names()

    def test_going_back_fills_the_old_table_from_the_ledger(self):
        world = World.build()
        case = open_test_case(world)
        transition(actor=world.head, case_id=case.pk, target="investigation", note="同意立案")
        self.migrate(BEFORE)
        CaseEvent = (
            MigrationExecutor(connection)
            .loader.project_state(BEFORE)
            .apps.get_model("cases", "CaseEvent")
        )
        rows = list(CaseEvent.objects.order_by("pk").values_list("kind", "target", "note"))
        assert rows == [("opened", "filing", ""), ("transition", "investigation", "同意立案")]
