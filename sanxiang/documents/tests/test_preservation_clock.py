"""先行登记保存 (行政处罚法 第56条): the 先行登记保存证据通知书 starts a clock of 七日
(working days, 第85条) for the 处理决定, the 先行登记保存物品处理决定书 stops it, and both are
in the ledger so the clock replays (the reconciler finds nothing)."""

from __future__ import annotations

import json

from django.utils import timezone

from sanxiang.cases.models import Deadline, DeadlineStatus
from sanxiang.documents.queries import allowed_kinds
from sanxiang.documents.services import issue_document
from sanxiang.ledger.models import Entry
from sanxiang.ledger.reconcile import reconcile
from sanxiang.lib.workdays import add_working_days

from .helpers import QuickDocumentsTestCase, case_at


class ThePreservationClock(QuickDocumentsTestCase):
    def test_the_notice_starts_seven_working_days_for_the_handling_decision(self):
        case = case_at(self.w, "investigation")
        issue_document(actor=self.w.officer, case_id=case.pk, kind="evidence_preservation")
        clock = Deadline.objects.get(case=case, rule="preservation")
        today = timezone.localdate()
        assert clock.status == DeadlineStatus.RUNNING and clock.unit == "working"
        assert clock.due_on == add_working_days(today, 7)
        assert "第56条" in clock.basis and "第85条" in clock.basis
        entry = Entry.objects.get(case_id=case.pk, event_type="document.issued")
        assert json.loads(entry.payload)["clocks"]["started"][0]["rule"] == "preservation"

    def test_the_handling_decision_stops_it_and_is_offered_while_investigating(self):
        case = case_at(self.w, "investigation")
        assert "preservation_decision" in {k.code for k in allowed_kinds(case)}
        issue_document(actor=self.w.officer, case_id=case.pk, kind="evidence_preservation")
        doc = issue_document(actor=self.w.officer, case_id=case.pk, kind="preservation_decision")
        assert "保处" in doc.number
        clock = Deadline.objects.get(case=case, rule="preservation")
        assert clock.status == DeadlineStatus.MET and clock.stopped_on == timezone.localdate()
        # Started and stopped in the ledger: the clocks rebuilt from it match the table.
        assert [d for d in reconcile() if d.table == "cases_deadline"] == []

    def test_a_second_notice_does_not_start_a_second_clock_and_other_documents_none(self):
        case = case_at(self.w, "investigation")
        issue_document(actor=self.w.officer, case_id=case.pk, kind="inquiry_record")
        assert not Deadline.objects.filter(case=case, rule="preservation").exists()
        entry = Entry.objects.get(case_id=case.pk, event_type="document.issued")
        assert "clocks" not in json.loads(entry.payload)
        issue_document(actor=self.w.officer, case_id=case.pk, kind="evidence_preservation")
        issue_document(actor=self.w.officer, case_id=case.pk, kind="evidence_preservation")
        assert Deadline.objects.filter(case=case, rule="preservation").count() == 1
