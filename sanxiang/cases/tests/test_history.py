"""One history: the ledger entry is the case event (issue 9, item 1).

The timeline, ``had_stage`` (was a hearing held, hence is the decision major) and the clocks are
read from the case's ledger entries, which the database refuses to change or delete.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import SimpleTestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sanxiang.cases.history import cases_that_entered, stages_entered
from sanxiang.cases.models import Case
from sanxiang.cases.queries import had_stage, timeline
from sanxiang.cases.services import pause_deadline, resume_deadline, transition
from sanxiang.cases.testing import open_test_case
from sanxiang.documents.services import issue_document
from sanxiang.documents.testing import take_step
from sanxiang.documents.tests.helpers import QuickDocumentsTestCase, case_at
from sanxiang.ledger import guard, registry
from sanxiang.ledger.models import Entry
from sanxiang.ledger.services import append
from sanxiang.procedures.definitions import StageRole
from sanxiang.records.tests.helpers import upload
from sanxiang.review.tests.helpers import case_at_defence, submitted
from sanxiang.testing import WorldTestCase

# A code as the machine writes it (``case.opened``, ``review.submitted``, ``filing``).
CODE = re.compile(r"[a-z]+[._][a-z_]+|\b[a-z_]{4,}\b")


def titles(case: Case) -> list[str]:
    return [item.title for item in timeline(case)]


def to_hearing(world, case: Case) -> None:
    transition(actor=world.head, case_id=case.pk, target="investigation")
    for target in ("case_review", "notice", "hearing"):
        take_step(world.officer, case.pk, target)  # with the 告知书 the 告知 requires


class EveryTypeOnTheTimelineHasAChineseLabel(SimpleTestCase):
    def test_no_label_is_a_code_and_every_label_is_chinese(self):
        for event_type in registry.all_types():
            label = event_type.label
            assert re.search(r"[\u4e00-\u9fff]", label), event_type
            assert not CODE.search(label), event_type

    def test_the_steps_of_review_records_documents_and_disclosure_are_shown(self):
        shown = set(registry.codes_with(timeline=True))
        for code in ("review.opinion", "record.added", "document.issued", "disclosure.published"):
            assert code in shown


class TheTimelineIsTheLedger(QuickDocumentsTestCase):
    def test_a_review_round_shows_on_the_timeline_without_review_writing_timeline_code(self):
        case = case_at_defence(self.w)
        submitted(self.w, case)
        assert titles(case)[-1] == registry.label_of("review.submitted") == "提交法制审核"

    def test_a_record_upload_shows_on_the_timeline(self):
        case = open_test_case(self.w)
        upload(self.w.officer, case, title="现场检查笔录")
        last = timeline(case)[-1]
        assert last.title == "添加全过程记录"
        assert last.actor == self.w.officer

    def test_a_document_issued_shows_on_the_timeline(self):
        case = case_at(self.w, "investigation")
        issue_document(actor=self.w.officer, case_id=case.pk, kind="inquiry_record")
        assert titles(case)[-1] == "制发文书"

    def test_a_decision_queued_for_publication_shows_on_the_timeline(self):
        from sanxiang.disclosure.tests.helpers import decided_case

        case = decided_case(self.w, kind="warning", fine=None)
        assert "列入公示计划" in titles(case)

    def test_a_downloaded_document_is_not_on_the_timeline_as_its_type_says(self):
        assert not registry.lookup("document.downloaded").timeline  # type: ignore[union-attr]
        case = open_test_case(self.w)
        assert "下载文书" not in titles(case)

    def test_steps_are_titled_with_stage_names_and_no_code_is_shown(self):
        case = open_test_case(self.w)
        transition(actor=self.w.head, case_id=case.pk, target="investigation", note="同意立案")
        upload(self.w.officer, case)
        items = timeline(case)
        assert items[0].title == "登记立案，进入“立案”"
        assert items[1].title == "批准立案：立案 → 调查取证"
        assert items[1].note == "同意立案"
        for item in items:
            assert not CODE.search(item.title + item.note), item

    def test_a_step_recorded_after_the_fact_shows_its_legal_date(self):
        case = open_test_case(self.w, opened_on=timezone.localdate() - timedelta(days=3))
        day = timezone.localdate() - timedelta(days=2)
        transition(actor=self.w.head, case_id=case.pk, target="investigation", on=day)
        assert timeline(case)[-1].note == f"办理日期：{day:%Y-%m-%d}"

    def test_an_entry_under_a_legacy_code_reads_under_its_current_label(self):
        case = open_test_case(self.w)
        # As an old deployment wrote it (append itself accepts only current codes).
        Entry.objects.create(
            created_at=timezone.now(),
            case_id=case.pk,
            agency_id=case.agency_id,
            event_type="member_added",
            payload='{"officer":"TEST-1"}',
            payload_hash="0" * 64,
            leaf_hash="0" * 64,
        )
        last = timeline(case)[-1]
        assert (last.kind, last.title, last.note) == ("case.member_added", "增加办案人员", "TEST-1")

    def test_the_timeline_costs_two_queries_however_long_it_is(self):
        case = open_test_case(self.w)
        with CaptureQueriesContext(connection) as short:
            assert len(timeline(case)) == 1
        for _ in range(12):
            upload(self.w.officer, case)
        with CaptureQueriesContext(connection) as long:
            assert len(timeline(case)) == 13
        assert len(long.captured_queries) == len(short.captured_queries) == 2


class HadStageAnswersFromTheLedger(WorldTestCase):
    def test_a_hearing_is_held_when_the_ledger_records_the_case_entering_it(self):
        case = open_test_case(self.w)
        assert not had_stage(case, "hearing")
        to_hearing(self.w, case)
        assert had_stage(case, "hearing")
        assert stages_entered(case) == [
            "filing",
            "investigation",
            "case_review",
            "notice",
            "hearing",
        ]

    def test_a_stage_set_behind_the_application_is_not_a_hearing_held(self):
        case = open_test_case(self.w)
        Case.objects.filter(pk=case.pk).update(stage="hearing")
        assert not had_stage(Case.objects.get(pk=case.pk), "hearing")

    def test_an_entry_is_all_it_takes(self):
        case = open_test_case(self.w)
        with transaction.atomic():
            append(
                event_type="case.transition",
                payload={"source": "filing", "target": "hearing", "note": ""},
                case_id=case.pk,
                agency_id=case.agency_id,
            )
        assert had_stage(case, "hearing")

    def test_the_hearing_cannot_be_erased_the_database_refuses_to_delete_its_entry(self):
        case = open_test_case(self.w)
        to_hearing(self.w, case)
        hearing = Entry.objects.get(case_id=case.pk, payload__contains='"target":"hearing"')
        with (
            pytest.raises(DatabaseError, match=guard.REFUSAL),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute("DELETE FROM ledger_entry WHERE id = %s", [hearing.pk])
        with pytest.raises(DatabaseError, match=guard.REFUSAL), transaction.atomic():
            Entry.objects.filter(case_id=case.pk).update(payload="{}")
        assert had_stage(case, "hearing")

    def test_cases_that_entered_a_stage_are_found_in_one_query_and_notes_do_not_count(self):
        quoted = open_test_case(self.w)
        transition(
            actor=self.w.head,
            case_id=quoted.pk,
            target="investigation",
            note='"target":"hearing"',
        )
        held = open_test_case(self.w)
        to_hearing(self.w, held)
        with CaptureQueriesContext(connection) as queries:
            found = cases_that_entered(Case.objects.all(), StageRole.HEARING)
        assert found == {held.pk}
        assert len(queries.captured_queries) == 1


class TheClocksAreInTheLedger(WorldTestCase):
    def payloads(self, case: Case, code: str) -> list[dict]:
        import json

        rows = Entry.objects.filter(case_id=case.pk, event_type=code).order_by("id")
        return [json.loads(raw) for raw in rows.values_list("payload", flat=True)]

    def test_filing_starts_and_a_later_stage_stops_a_clock_as_its_entries_say(self):
        case = open_test_case(self.w)
        [opened] = self.payloads(case, "case.opened")
        started = {c["rule"]: c for c in opened["clocks"]["started"]}
        for clock in case.deadlines.all():
            assert started[clock.rule]["due_on"] == clock.due_on.isoformat()
            assert started[clock.rule]["days"] == clock.days
        to_hearing(self.w, case)
        stopped = [
            c for p in self.payloads(case, "case.transition") for c in p["clocks"]["stopped"]
        ]
        met = case.deadlines.filter(status="met")
        assert sorted(c["rule"] for c in stopped) == sorted(met.values_list("rule", flat=True))

    def test_a_pause_and_its_resumption_carry_the_rule_the_days_and_the_new_due_date(self):
        case = open_test_case(self.w)
        clock = case.deadlines.get()
        today = timezone.localdate()
        pause_deadline(actor=self.w.officer, deadline_id=clock.pk, reason="检测", on=today)
        resumed = resume_deadline(actor=self.w.officer, deadline_id=clock.pk, on=today)
        [paused] = self.payloads(case, "case.deadline_paused")
        [back] = self.payloads(case, "case.deadline_resumed")
        assert (paused["rule"], paused["on"], paused["reason"]) == (clock.rule, str(today), "检测")
        assert back["due_on"] == resumed.due_on.isoformat()
        assert back["warn_on"] == resumed.warn_on.isoformat()
        assert [t for t in titles(case)][-2:] == ["时限暂停", "时限恢复"]


def raw(sql: str, params: list) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


class VerifyLedgerRebuildsTheClocks(WorldTestCase):
    def verify(self) -> tuple[int, str]:
        from sanxiang.ledger import services as ledger
        from sanxiang.ledger.tests.test_tampering import run_verify_ledger

        ledger.make_checkpoint()
        return run_verify_ledger()

    def paused_case(self) -> Case:
        case = open_test_case(self.w)
        clock = case.deadlines.get()
        pause_deadline(
            actor=self.w.officer, deadline_id=clock.pk, reason="检测", on=timezone.localdate()
        )
        return case

    def test_clocks_handled_through_the_services_reconcile(self):
        case = self.paused_case()
        resume_deadline(
            actor=self.w.officer, deadline_id=case.deadlines.get().pk, on=timezone.localdate()
        )
        to_hearing(self.w, Case.objects.get(pk=case.pk))
        code, text = self.verify()
        assert code == 0, text

    def test_a_paused_clock_set_running_behind_the_application_is_named(self):
        case = self.paused_case()
        clock = case.deadlines.get()
        raw("UPDATE cases_deadline SET status = 'running' WHERE id = %s", [clock.pk])
        code, text = self.verify()
        assert code == 1
        assert f"cases_deadline #{clock.pk} 字段 status" in text
        assert "账本记载的时限状态为“已暂停”，表中为“计时中”" in text

    def test_a_deleted_pause_and_a_moved_start_are_named(self):
        case = self.paused_case()
        clock = case.deadlines.get()
        raw("DELETE FROM cases_deadlinepause WHERE deadline_id = %s", [clock.pk])
        raw("UPDATE cases_deadline SET starts_on = %s WHERE id = %s", ["2020-01-01", clock.pk])
        code, text = self.verify()
        assert code == 1
        assert "cases_deadlinepause" in text and "账本记载暂停1次，表中有0条暂停记录" in text
        assert f"cases_deadline #{clock.pk} 字段 starts_on" in text

    def test_a_deleted_clock_is_named(self):
        case = open_test_case(self.w)
        raw("DELETE FROM cases_deadline WHERE case_id = %s", [case.pk])
        code, text = self.verify()
        assert code == 1
        assert "账本记载的时限在表中不存在" in text

    def test_a_ledger_naming_more_snapshots_than_a_statement_takes_variables_is_checked(self):
        import sqlite3

        from sanxiang.cases import reconcile
        from sanxiang.ledger.reconcile import Fact

        # SQLite limits the variables of a statement (250,000 as built here, 999 in older
        # builds: lowered to that for the test). Django binds PostgreSQL parameters client-side,
        # without such a limit, so there the test only shows the same result.
        count = 5_000
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            raw_connection = connection.connection
            limit = raw_connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
            raw_connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)
            self.addCleanup(raw_connection.setlimit, sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, limit)
        facts = [Fact(n, n, 1, "case.draft_saved", {"snapshot": f"{n:064x}"}) for n in range(count)]
        found = list(reconcile.check(facts))
        assert sum(d.message == "账本记载的草稿快照已不存在" for d in found) == count
