"""查封、扣押 (行政强制法): the 清单 as items on the case, printed in the 查封扣押决定书 and its
清单 (第24条); the 三十日 clock extended once by at most 三十日 with the head's approval and a
written reason (第25条); the 解除查封扣押决定书 on one of 第28条's grounds stopping the clock and
required before closing unless the goods were 没收 (第27条); the report of a measure carried out
on the spot within 二十四小时 (第19条)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from sanxiang.cases.models import Case, Deadline, DeadlineExtension
from sanxiang.cases.services import extend_deadline, transition
from sanxiang.cases.testing import company, open_test_case
from sanxiang.coercion import services
from sanxiang.coercion.models import SeizureItem, SeizureOutcome
from sanxiang.coercion.services import ItemData
from sanxiang.coercion.testing import prepare_seizure, record_items
from sanxiang.documents.models import IssuedDocument
from sanxiang.documents.services import issue_document
from sanxiang.documents.testing import take_step
from sanxiang.documents.tests.helpers import QuickDocumentsTestCase
from sanxiang.ledger.models import Entry
from sanxiang.ledger.reconcile import reconcile
from sanxiang.lib.errors import DomainError, ValidationFailed

TODAY = timezone.localdate()


def refused(fn, **kwargs):
    with pytest.raises(DomainError) as caught:
        fn(**kwargs)
    return caught.value


class SeizureTestCase(QuickDocumentsTestCase):
    def opened(self, *, on=None):
        return open_test_case(
            self.w,
            procedure="coercion",
            parties=[company()],
            title="某公司散发非法宗教宣传品",
            opened_on=on or TODAY,
        )

    def executing(self, *, on=None):
        case = self.opened(on=on)
        prepare_seizure(self.w.officer, case.pk)
        take_step(self.w.head, case.pk, "decision", on=on)
        for target in ("delivery", "execution"):
            take_step(self.w.officer, case.pk, target, on=on)
        return Case.objects.get(pk=case.pk)

    def kinds(self, case):
        return list(
            IssuedDocument.objects.filter(case=case).order_by("pk").values_list("kind", flat=True)
        )


class Walk(SeizureTestCase):
    def test_a_seizure_is_decided_with_its_list_extended_once_released_and_closed(self):
        case = self.executing()
        kinds = self.kinds(case)
        assert kinds.index("seizure_decision") < kinds.index("seizure_inventory")
        assert "delivery_receipt" in kinds
        clock = Deadline.objects.get(case=case, rule="seizure")
        assert (clock.days, clock.unit, clock.due_on) == (30, "calendar", TODAY + timedelta(30))
        extend_deadline(
            actor=self.w.head, case_id=case.pk, rule="seizure", reason="宣传品来源需协查", days=20
        )
        clock.refresh_from_db()
        assert (clock.days, clock.due_on) == (50, TODAY + timedelta(50))
        issue_document(actor=self.w.officer, case_id=case.pk, kind="seizure_extension")
        error = refused(transition, actor=self.w.head, case_id=case.pk, target="closing")
        assert error.code in {"document_required", "seizure_not_released"}
        services.release(actor=self.w.head, case_id=case.pk, ground="no_violation")
        # Decided but not yet served: closing still waits for the 解除查封扣押决定书.
        issue_document(actor=self.w.officer, case_id=case.pk, kind="site_record")
        error = refused(transition, actor=self.w.head, case_id=case.pk, target="closing")
        assert error.code == "document_required" and "解除查封扣押决定书" in error.message
        issue_document(actor=self.w.officer, case_id=case.pk, kind="seizure_release")
        clock.refresh_from_db()
        assert clock.status == "met" and clock.stopped_on == TODAY  # 第28条 ends it
        take_step(self.w.head, case.pk, "closing")
        take_step(self.w.officer, case.pk, "archived")
        assert not list(reconcile())

    def test_goods_confiscated_need_no_release_and_stop_the_clock(self):
        case = self.executing()
        services.record_confiscation(
            actor=self.w.officer, case_id=case.pk, decision_number="测民宗罚决字〔2026〕第9号"
        )
        clock = Deadline.objects.get(case=case, rule="seizure")
        assert clock.status == "met"
        take_step(self.w.head, case.pk, "closing")
        assert "seizure_release" not in self.kinds(case)
        assert not list(reconcile())

    def test_closing_with_the_goods_neither_released_nor_confiscated_is_refused(self):
        case = self.executing()
        issue_document(actor=self.w.officer, case_id=case.pk, kind="site_record")
        error = refused(transition, actor=self.w.head, case_id=case.pk, target="closing")
        assert error.code == "seizure_not_released"
        assert "第28条" in error.message and "第27条" in error.message


class Items(SeizureTestCase):
    def test_the_decision_needs_its_list_and_prints_it(self):
        case = self.opened()
        from sanxiang.cases.services import DraftData, save_draft

        save_draft(
            actor=self.w.officer,
            case_id=case.pk,
            data=DraftData(kind="seizure", violated_provision="《宗教事务条例》第四十五条"),
        )
        transition(actor=self.w.head, case_id=case.pk, target="decision")
        with pytest.raises(ValidationFailed) as caught:
            issue_document(actor=self.w.officer, case_id=case.pk, kind="seizure_decision")
        assert "第24条" in caught.value.message
        record_items(self.w.officer, case.pk)
        issue_document(actor=self.w.officer, case_id=case.pk, kind="seizure_decision")
        from sanxiang.documents.queries import sheet_from_case

        provided = sheet_from_case(Case.objects.get(pk=case.pk)).provided["seizure_decision"]
        assert provided.splitlines()[0].split("\t")[:4] == [
            "宗教宣传册《某某》",
            "32开，彩色印刷",
            "1200",
            "册",
        ]
        error = refused(
            services.set_items,
            actor=self.w.officer,
            case_id=case.pk,
            items=[ItemData("另一物品", "1", "件")],
        )
        assert error.code == "seizure_list_issued"
        assert SeizureItem.objects.filter(case=case).count() == 2

    def test_bad_items_are_refused_and_nothing_is_written(self):
        case = self.opened()
        record_items(self.w.officer, case.pk)
        for items, words in (
            ([], "至少登记一项"),
            ([ItemData("", "1", "册")], "未填写名称"),
            ([ItemData("宣传册", "0", "册")], "大于零"),
            ([ItemData("宣传册", "-3", "册")], "大于零"),
            ([ItemData("宣传册", "很多", "册")], "不是数字"),
            ([ItemData("宣传册", "NaN", "册")], "大于零"),
            ([ItemData("宣传册", "1.0001", "册")], "三位小数"),
            ([ItemData("宣传册", "2", " ")], "未填写单位"),
        ):
            with pytest.raises(ValidationFailed) as caught:
                services.set_items(actor=self.w.officer, case_id=case.pk, items=items)
            assert words in caught.value.message, words
        assert SeizureItem.objects.filter(case=case).count() == 2
        assert Entry.objects.filter(case_id=case.pk, event_type="coercion.items_set").count() == 1

    def test_another_agency_and_the_supervisor_cannot_set_the_list(self):
        case = self.opened()
        for user, codes in (
            (self.w.other_officer, {"not_found"}),
            (self.w.supervisor, {"forbidden", "not_found"}),
            (self.w.reviewer, {"forbidden", "not_found"}),
        ):
            error = refused(
                services.set_items, actor=user, case_id=case.pk, items=[ItemData("书", "1", "本")]
            )
            assert error.code in codes
        assert not SeizureItem.objects.exists()

    def test_a_list_changed_behind_the_application_is_named(self):
        case = self.opened()
        items = record_items(self.w.officer, case.pk)
        assert not list(reconcile())
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE coercion_seizureitem SET quantity = 1000 WHERE id = %s", [items[0].pk]
            )
        found = [d for d in reconcile() if d.table == "coercion_seizureitem"]
        assert found and found[0].field == "quantity" and "1200" in found[0].message


class Extension(SeizureTestCase):
    def test_a_second_extension_or_one_beyond_thirty_days_is_refused(self):
        case = self.executing()
        with pytest.raises(ValidationFailed) as caught:
            extend_deadline(
                actor=self.w.head, case_id=case.pk, rule="seizure", reason="复杂", days=31
            )
        assert "1至30日" in caught.value.message
        error = refused(
            extend_deadline, actor=self.w.officer, case_id=case.pk, rule="seizure", reason="复杂"
        )
        assert error.code == "forbidden"
        extend_deadline(actor=self.w.head, case_id=case.pk, rule="seizure", reason="复杂")
        error = refused(
            extend_deadline, actor=self.w.head, case_id=case.pk, rule="seizure", reason="又复杂"
        )
        assert error.code == "deadline_extended_once" and "第25条" in error.message
        assert Deadline.objects.get(case=case, rule="seizure").days == 60

    def test_an_extension_after_the_thirty_days_is_refused(self):
        case = self.executing(on=TODAY - timedelta(days=35))
        error = refused(
            extend_deadline, actor=self.w.head, case_id=case.pk, rule="seizure", reason="复杂"
        )
        assert error.code == "deadline_passed"
        assert not DeadlineExtension.objects.exists()

    def test_the_extension_decision_is_refused_before_the_head_extends(self):
        case = self.executing()
        with pytest.raises(ValidationFailed) as caught:
            issue_document(actor=self.w.officer, case_id=case.pk, kind="seizure_extension")
        assert "第25条" in caught.value.message


class Release(SeizureTestCase):
    def test_the_grounds_are_the_law_s_and_checked(self):
        case = self.executing()
        with pytest.raises(ValidationFailed):
            services.release(actor=self.w.head, case_id=case.pk, ground="because")
        with pytest.raises(ValidationFailed) as caught:
            services.release(actor=self.w.head, case_id=case.pk, ground="expired")
        assert "尚未届满" in caught.value.message
        with pytest.raises(ValidationFailed) as caught:
            services.release(actor=self.w.head, case_id=case.pk, ground="other")
        assert "写明情形" in caught.value.message
        error = refused(services.release, actor=self.w.officer, case_id=case.pk, ground="decided")
        assert error.code == "forbidden"
        assert not SeizureOutcome.objects.exists()
        services.release(actor=self.w.head, case_id=case.pk, ground="unrelated")
        error = refused(services.release, actor=self.w.head, case_id=case.pk, ground="decided")
        assert error.code == "conflict"

    def test_a_release_on_expiry_once_the_period_ran_out(self):
        case = self.executing(on=TODAY - timedelta(days=31))
        services.release(actor=self.w.head, case_id=case.pk, ground="expired")
        doc = issue_document(actor=self.w.officer, case_id=case.pk, kind="seizure_release")
        assert doc.number.startswith("测民宗解封字")

    def test_nothing_seized_nothing_to_release(self):
        case = self.opened()
        error = refused(services.release, actor=self.w.head, case_id=case.pk, ground="decided")
        assert error.code == "conflict"

    def test_an_outcome_deleted_behind_the_application_is_named(self):
        case = self.executing()
        services.release(actor=self.w.head, case_id=case.pk, ground="no_violation")
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM coercion_seizureoutcome WHERE case_id = %s", [case.pk])
        found = [d for d in reconcile() if d.table == "coercion_seizureoutcome"]
        assert found and "不存在" in found[0].message


class OnTheSpot(SeizureTestCase):
    def test_a_measure_taken_on_the_spot_is_reported_before_the_approval_is_made_up(self):
        case = self.opened()
        prepare_seizure(self.w.officer, case.pk)
        now = timezone.now()
        report = services.report_on_spot(
            actor=self.w.officer,
            case_id=case.pk,
            carried_out_at=now - timedelta(hours=3),
            circumstances="当事人正在街头散发，不当场扣押将继续扩散",
        )
        assert not services.report_is_late(report)
        error = refused(transition, actor=self.w.head, case_id=case.pk, target="decision")
        assert error.code == "document_required" and "第19条" in error.message
        issue_document(actor=self.w.officer, case_id=case.pk, kind="on_spot_report")
        take_step(self.w.head, case.pk, "decision")
        from sanxiang.documents.queries import sheet_from_case

        text = sheet_from_case(Case.objects.get(pk=case.pk)).provided["on_spot_report"]
        assert "24小时内" in text

    def test_a_late_report_is_recorded_as_late_and_bad_times_are_refused(self):
        now = timezone.now()
        # Opened (报批) on the local day the measure was taken, 30 hours ago: today's date
        # would be two days later when the test runs shortly after midnight in Asia/Shanghai.
        case = self.opened(on=timezone.localdate(now - timedelta(hours=30)))
        with pytest.raises(ValidationFailed):
            services.report_on_spot(
                actor=self.w.officer,
                case_id=case.pk,
                carried_out_at=now,
                reported_at=now - timedelta(hours=1),
                circumstances="紧急",
            )
        with pytest.raises(ValidationFailed):
            services.report_on_spot(
                actor=self.w.officer,
                case_id=case.pk,
                carried_out_at=now - timedelta(hours=1),
                circumstances=" ",
            )
        report = services.report_on_spot(
            actor=self.w.officer,
            case_id=case.pk,
            carried_out_at=now - timedelta(hours=30),
            circumstances="紧急",
        )
        assert services.report_is_late(report)
        from sanxiang.coercion.queries import report_text

        assert "逾期报告" in report_text(case)
        # The head decides on the report (第19条): not before it is on file.
        error = refused(transition, actor=self.w.head, case_id=case.pk, target="closing")
        assert error.code == "document_required" and "当场实施行政强制措施报告" in error.message
        issue_document(actor=self.w.officer, case_id=case.pk, kind="on_spot_report")
        # The head who finds the measure unwarranted lifts it at once: 不予批准 then requires
        # the release.
        error = refused(transition, actor=self.w.head, case_id=case.pk, target="closing")
        assert error.code == "seizure_not_released"
        services.release(
            actor=self.w.head, case_id=case.pk, ground="other", explanation="不应当采取"
        )
        issue_document(actor=self.w.officer, case_id=case.pk, kind="seizure_release")
        assert transition(actor=self.w.head, case_id=case.pk, target="closing").stage == "closing"
