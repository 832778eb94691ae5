"""Execution of a penalty decision (issue 10, item 7, and the periods of item 6 that belong to
it): payments from their 缴款书 (partial ones too), the 15 days of 行政处罚法 第67条 (calendar
days, a holiday moving the last day), 延期/分期 (第66条第2款), 加处罚款 of 3 % a day capped at the
fine (第72条), the court application's window and its 催告书 (行政强制法 第53、54条), 终结执行
(第40条), and 结案 refused while the decision is not executed."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection
from django.utils import timezone

from sanxiang.cases import execution as ex
from sanxiang.cases.models import Case, Deadline, ExecutionRecord, Payment
from sanxiang.cases.services import (
    DraftData,
    apply_for_enforcement,
    approve_arrangement,
    conclude_enforcement,
    record_payment,
    request_closing,
    save_draft,
    terminate_execution,
    transition,
)
from sanxiang.cases.testing import company, open_test_case
from sanxiang.documents.services import issue_document
from sanxiang.documents.testing import quick_pdf, take_step
from sanxiang.documents.tests.helpers import QuickDocumentsTestCase
from sanxiang.ledger.models import Entry
from sanxiang.ledger.reconcile import reconcile
from sanxiang.lib.errors import DomainError
from sanxiang.lib.workdays import add_working_days, is_working_day

TODAY = timezone.localdate()


def refused(code: str, fn, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as caught:
        fn(**kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value


def next_working_day(day: date) -> date:
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


class ExecutionTestCase(QuickDocumentsTestCase):
    def delivered(
        self,
        *,
        delivered_on: date,
        fine: str = "5000",
        kind: str = "fine",
        additional: tuple[str, ...] = (),
    ) -> Case:
        """A company's case decided two days before ``delivered_on`` and delivered that day."""
        decided_on = delivered_on - timedelta(days=2)
        opened = decided_on - timedelta(days=12)
        case = open_test_case(
            self.w, parties=[company()], title="某公司违规组织宗教活动", opened_on=opened
        )
        take_step(self.w.head, case.pk, "investigation", on=opened)
        take_step(self.w.officer, case.pk, "case_review", on=opened)
        take_step(self.w.officer, case.pk, "notice", on=opened + timedelta(days=1))
        take_step(self.w.officer, case.pk, "defence", on=opened + timedelta(days=1))
        save_draft(
            actor=self.w.officer,
            case_id=case.pk,
            data=DraftData(
                violated_provision="《宗教事务条例》第四十一条",
                kind=kind,
                fine_amount=fine if kind == "fine" or "fine" in additional else None,
                additional_kinds=additional,
                legal_basis="《宗教事务条例》第七十一条",
            ),
        )
        take_step(self.w.head, case.pk, "decision", on=decided_on)
        take_step(self.w.officer, case.pk, "delivery", on=delivered_on)
        return take_step(self.w.officer, case.pk, "execution", on=delivered_on)

    def pay(self, case: Case, amount: str, on: date, receipt: str = "") -> Payment:
        count = Payment.objects.filter(case=case).count()
        return record_payment(
            actor=self.w.officer,
            case_id=case.pk,
            receipt_number=receipt or f"2100{case.pk:04d}{count + 1:04d}",
            amount=amount,
            paid_on=on,
        )

    def close(self, case: Case, on: date | None = None) -> Case:
        """The officer asks for 结案 and the head signs it (the 结案审批表 is the head's)."""
        request_closing(actor=self.w.officer, case_id=case.pk)
        return transition(actor=self.w.head, case_id=case.pk, target="closing", on=on)


class Payments(ExecutionTestCase):
    def test_a_full_payment_within_fifteen_days_executes_the_decision_and_stops_the_pay_clock(
        self,
    ):
        case = self.delivered(delivered_on=TODAY - timedelta(days=5))
        self.pay(case, "5000", TODAY - timedelta(days=1))
        s = ex.schedule(case)
        assert s.paid == Decimal("5000.00") and s.surcharge == 0 and s.executed
        clock = Deadline.objects.get(case=case, rule="pay")
        assert clock.status == "met" and clock.stopped_on == TODAY - timedelta(days=1)
        assert self.close(case).stage == "closing"
        # The ledger replays the payment, its stopped clock and the 结案 without a divergence.
        assert [d.line() for d in reconcile() if d.table.startswith("cases_")] == []

    def test_partial_payments_add_up_and_the_rest_is_shown_owed(self):
        case = self.delivered(delivered_on=TODAY - timedelta(days=5))
        self.pay(case, "1200.50", TODAY - timedelta(days=3))
        self.pay(case, "800", TODAY - timedelta(days=1))
        s = ex.schedule(case)
        assert s.paid == Decimal("2000.50")
        assert s.outstanding == Decimal("2999.50") and not s.executed
        assert Deadline.objects.get(case=case, rule="pay").status == "running"

    def test_a_payment_above_what_is_due_is_refused_and_nothing_is_saved(self):
        case = self.delivered(delivered_on=TODAY - timedelta(days=5))
        self.pay(case, "3000", TODAY - timedelta(days=2))
        entries = Entry.objects.filter(case_id=case.pk).count()
        error = refused(
            "payment_exceeds_due",
            record_payment,
            actor=self.w.officer,
            case_id=case.pk,
            receipt_number="X-2",
            amount="2000.01",
            paid_on=TODAY,
        )
        assert "2,000.00元" in error.message and "第72条" in error.message
        assert Payment.objects.filter(case=case).count() == 1
        assert Entry.objects.filter(case_id=case.pk).count() == entries

    def test_a_payment_dated_before_the_decision_is_refused(self):
        case = self.delivered(delivered_on=TODAY - timedelta(days=5))
        error = refused(
            "payment_before_decision",
            record_payment,
            actor=self.w.officer,
            case_id=case.pk,
            receipt_number="X-1",
            amount="100",
            paid_on=TODAY - timedelta(days=8),  # the decision was made seven days ago
        )
        assert "早于处罚决定日期" in error.message
        assert not Payment.objects.filter(case=case).exists()

    def test_a_payment_dated_after_today_is_refused(self):
        case = self.delivered(delivered_on=TODAY - timedelta(days=5))
        refused(
            "validation_error",
            record_payment,
            actor=self.w.officer,
            case_id=case.pk,
            receipt_number="X-1",
            amount="100",
            paid_on=TODAY + timedelta(days=1),
        )

    def test_the_same_receipt_cannot_be_recorded_twice(self):
        case = self.delivered(delivered_on=TODAY - timedelta(days=5))
        self.pay(case, "100", TODAY, receipt="2100-0001")
        refused(
            "conflict",
            record_payment,
            actor=self.w.officer,
            case_id=case.pk,
            receipt_number="2100-0001",
            amount="100",
            paid_on=TODAY,
        )

    def test_an_undecided_case_takes_no_payment(self):
        case = open_test_case(self.w, parties=[company()])
        refused(
            "conflict",
            record_payment,
            actor=self.w.officer,
            case_id=case.pk,
            receipt_number="X-1",
            amount="100",
            paid_on=TODAY,
        )

    def test_the_payment_is_a_ledger_entry_on_the_timeline(self):
        case = self.delivered(delivered_on=TODAY - timedelta(days=5))
        payment = self.pay(case, "100", TODAY, receipt="2100-0009")
        entry = Entry.objects.filter(case_id=case.pk, event_type="case.payment_recorded").get()
        assert f'"payment":{payment.pk}' in entry.payload and '"amount":"100.00"' in entry.payload
        response = self.client_for(self.w.officer).get(f"/cases/{case.pk}/")
        assert "缴款书2100-0009" in response.content.decode()

    def client_for(self, user):
        from sanxiang.testing import signed_in

        return signed_in(user)


class PaymentPeriod(ExecutionTestCase):
    def test_the_fifteen_days_are_calendar_days_and_a_deadline_on_a_holiday_moves_on(self):
        # Delivered 16 September 2026: the 15th day is 1 October, the National Day holiday.
        case = self.delivered(delivered_on=date(2026, 9, 16))
        s = ex.schedule(case)
        assert date(2026, 9, 16) + timedelta(days=15) == date(2026, 10, 1)
        assert s.base_due_on == next_working_day(date(2026, 10, 1)) == date(2026, 10, 8)
        # The case's 缴纳罚款 clock says the same.
        assert Deadline.objects.get(case=case, rule="pay").due_on == date(2026, 10, 8)

    def test_a_deadline_on_a_working_day_is_fifteen_calendar_days_not_working_days(self):
        delivered = TODAY - timedelta(days=3)
        while not is_working_day(delivered + timedelta(days=15)):
            delivered -= timedelta(days=1)
        case = self.delivered(delivered_on=delivered)
        assert ex.schedule(case).base_due_on == delivered + timedelta(days=15)

    def test_late_payment_adds_three_percent_of_the_fine_a_day(self):
        delivered = TODAY - timedelta(days=40)
        case = self.delivered(delivered_on=delivered, fine="3333.33")
        due = next_working_day(delivered + timedelta(days=15))
        paid_on = due + timedelta(days=7)
        # 3,333.33 × 3 % × 7 = 699.9993, to the fen: 700.00.
        s = ex.schedule(case, as_of=paid_on)
        assert s.days_late == 7 and s.surcharge == Decimal("700.00")
        assert s.total_due == Decimal("4033.33")
        self.pay(case, "4033.33", paid_on)
        assert ex.schedule(case).executed

    def test_the_surcharge_never_exceeds_the_fine(self):
        delivered = TODAY - timedelta(days=90)
        case = self.delivered(delivered_on=delivered, fine="5000")
        s = ex.schedule(case)
        assert s.days_late > 34  # 34 days × 150 = 5,100 > 5,000
        assert s.surcharge == Decimal("5000.00") and s.total_due == Decimal("10000.00")

    def test_the_surcharge_stops_on_the_day_the_fine_is_paid(self):
        delivered = TODAY - timedelta(days=40)
        case = self.delivered(delivered_on=delivered, fine="5000")
        due = next_working_day(delivered + timedelta(days=15))
        self.pay(case, "5000", due + timedelta(days=2))
        s = ex.schedule(case)
        assert s.days_late == 2 and s.surcharge == Decimal("300.00")
        assert s.outstanding == Decimal("300.00") and not s.executed
        error = refused("execution_incomplete", self.close, case=case)
        assert "加处罚款300.00元（逾期2日）" in error.message
        self.pay(case, "300", TODAY)
        assert ex.schedule(case).executed and self.close(case).stage == "closing"

    def test_a_deferral_approved_by_the_head_moves_the_deadline_and_the_clock(self):
        delivered = TODAY - timedelta(days=30)
        case = self.delivered(delivered_on=delivered)
        later = TODAY + timedelta(days=30)
        approve_arrangement(
            actor=self.w.head,
            case_id=case.pk,
            kind="deferral",
            on=TODAY - timedelta(days=20),
            due_on=later,
            note="当事人申请延期，提交了经营困难的证明",
        )
        s = ex.schedule(case)
        assert s.due_on == later and s.surcharge == 0 and s.level() == "yellow"
        assert Deadline.objects.get(case=case, rule="pay").due_on == later

    def test_only_the_head_approves_a_deferral(self):
        case = self.delivered(delivered_on=TODAY - timedelta(days=5))
        error = refused(
            "forbidden",
            approve_arrangement,
            actor=self.w.officer,
            case_id=case.pk,
            kind="deferral",
            on=TODAY,
            due_on=TODAY + timedelta(days=40),
            note="申请",
        )
        assert "第66条第2款" in error.message
        assert not ExecutionRecord.objects.filter(case=case).exists()

    def test_instalments_must_add_up_to_the_fine(self):
        case = self.delivered(delivered_on=TODAY - timedelta(days=5))
        refused(
            "validation_error",
            approve_arrangement,
            actor=self.w.head,
            case_id=case.pk,
            kind="instalments",
            on=TODAY,
            instalments=[
                (TODAY + timedelta(days=20), "2000"),
                (TODAY + timedelta(days=50), "2000"),
            ],
            note="分期申请",
        )

    def test_a_missed_instalment_starts_the_surcharge_from_its_day(self):
        delivered = TODAY - timedelta(days=60)
        case = self.delivered(delivered_on=delivered)
        first = TODAY - timedelta(days=10)
        approve_arrangement(
            actor=self.w.head,
            case_id=case.pk,
            kind="instalments",
            on=delivered + timedelta(days=3),
            instalments=[(first, "2500"), (TODAY + timedelta(days=20), "2500")],
            note="当事人申请分期缴纳",
        )
        s = ex.schedule(case)
        assert s.late_from == first + timedelta(days=1) and s.days_late == 10
        assert s.surcharge == Decimal("1500.00")

    def test_instalments_paid_on_time_add_nothing(self):
        delivered = TODAY - timedelta(days=60)
        case = self.delivered(delivered_on=delivered)
        first = TODAY - timedelta(days=10)
        approve_arrangement(
            actor=self.w.head,
            case_id=case.pk,
            kind="instalments",
            on=delivered + timedelta(days=3),
            instalments=[(first, "2500"), (TODAY + timedelta(days=20), "2500")],
            note="当事人申请分期缴纳",
        )
        self.pay(case, "2500", first)
        s = ex.schedule(case)
        assert s.surcharge == 0 and s.outstanding == Decimal("2500.00")


class Court(ExecutionTestCase):
    def test_the_court_window_opens_after_six_months_and_closes_three_months_later(self):
        case = self.delivered(delivered_on=date(2026, 3, 10))
        s = ex.schedule(case)
        assert s.review_ends == next_working_day(date(2026, 5, 9))  # 60 days
        assert s.suit_ends == next_working_day(date(2026, 9, 10))  # 6 months
        assert s.court_from == s.suit_ends + timedelta(days=1)
        assert s.court_until == next_working_day(date(2026, 12, 10))  # 3 months more

    def test_applying_before_the_review_and_suit_periods_ran_is_refused(self):
        case = self.delivered(delivered_on=TODAY - timedelta(days=30))
        error = refused(
            "enforcement_not_ready",
            apply_for_enforcement,
            actor=self.w.head,
            case_id=case.pk,
            on=TODAY,
        )
        assert "行政诉讼法 第46条" in error.message and "行政强制法 第53条" in error.message

    def test_applying_needs_a_reminder_delivered_ten_days_before_and_the_application(self):
        # Delivered seven months ago: the 复议 and 诉讼 periods ran a month ago.
        case = self.delivered(delivered_on=ex.add_months(TODAY, -7))
        error = refused(
            "enforcement_not_ready",
            apply_for_enforcement,
            actor=self.w.head,
            case_id=case.pk,
            on=TODAY,
        )
        assert "尚未制发《催告书》" in error.message and "第54条" in error.message
        with mock.patch("sanxiang.documents.services.render_pdf", quick_pdf):
            issue_document(actor=self.w.officer, case_id=case.pk, kind="payment_reminder")
            error = refused(
                "enforcement_not_ready",
                apply_for_enforcement,
                actor=self.w.head,
                case_id=case.pk,
                on=TODAY,
            )
            assert "《催告书》尚未送达" in error.message
            issue_document(actor=self.w.officer, case_id=case.pk, kind="delivery_receipt")
            error = refused(
                "enforcement_not_ready",
                apply_for_enforcement,
                actor=self.w.head,
                case_id=case.pk,
                on=TODAY,
            )
            # 行政强制法 第69条: the ten days are working days; the day after them.
            ripe = add_working_days(TODAY, 10) + timedelta(days=1)
            assert f"须至{ex.cn(ripe)}起方可申请" in error.message
        # After the ten days (the application's day is the service's "today").
        with mock.patch("sanxiang.cases.services.execution.local_today", return_value=ripe):
            error = refused(
                "enforcement_not_ready",
                apply_for_enforcement,
                actor=self.w.head,
                case_id=case.pk,
                on=ripe,
            )
            assert "强制执行申请书" in error.message
            with mock.patch("sanxiang.documents.services.render_pdf", quick_pdf):
                issue_document(
                    actor=self.w.officer, case_id=case.pk, kind="enforcement_application"
                )
            record = apply_for_enforcement(
                actor=self.w.head, case_id=case.pk, on=ripe, note="向测试区人民法院申请"
            )
            assert record.kind == "enforcement_applied"
            refused("execution_incomplete", self.close, case=case)
            conclude_enforcement(
                actor=self.w.officer, case_id=case.pk, on=ripe, note="（2026）辽1103执123号"
            )
        assert self.close(case).stage == "closing"

    def test_applying_after_the_three_months_is_refused(self):
        case = self.delivered(delivered_on=date(2026, 1, 5))
        s = ex.schedule(case)
        assert s.court_until is not None and s.court_until < TODAY
        error = refused(
            "enforcement_not_ready",
            apply_for_enforcement,
            actor=self.w.head,
            case_id=case.pk,
            on=TODAY,
        )
        assert "申请期限已于" in error.message


class Closing(ExecutionTestCase):
    def test_closing_with_the_fine_unpaid_is_refused_naming_what_is_missing(self):
        case = self.delivered(delivered_on=TODAY - timedelta(days=5))
        self.pay(case, "1000", TODAY)
        error = refused("execution_incomplete", self.close, case=case)
        assert "罚款尚欠4,000.00元" in error.message and "第40条" in error.message
        assert Case.objects.get(pk=case.pk).stage == "execution"

    def test_closing_is_refused_through_the_api_too(self):
        from sanxiang.testing import signed_in

        case = self.delivered(delivered_on=TODAY - timedelta(days=5))
        response = signed_in(self.w.head).post(
            f"/api/v1/cases/{case.pk}/transitions",
            {"target": "closing"},
            content_type="application/json",
        )
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "execution_incomplete"

    def test_a_fine_imposed_together_with_a_warning_must_be_paid_too(self):
        case = self.delivered(
            delivered_on=TODAY - timedelta(days=5), kind="warning", additional=("fine",)
        )
        assert ex.schedule(case).fine == Decimal("5000.00")
        assert Deadline.objects.filter(case=case, rule="pay").exists()
        refused("execution_incomplete", self.close, case=case)

    def test_a_warning_alone_closes_without_any_payment(self):
        case = self.delivered(delivered_on=TODAY - timedelta(days=5), kind="warning")
        assert not ex.schedule(case).owed
        assert self.close(case).stage == "closing"

    def test_a_lawful_termination_recorded_by_the_head_lets_the_case_close(self):
        case = self.delivered(delivered_on=TODAY - timedelta(days=5))
        refused(
            "forbidden",
            terminate_execution,
            actor=self.w.officer,
            case_id=case.pk,
            reason="organisation_ended",
            on=TODAY,
            note="注销",
        )
        refused(
            "validation_error",
            terminate_execution,
            actor=self.w.head,
            case_id=case.pk,
            reason="bored",
            on=TODAY,
            note="无",
        )
        terminate_execution(
            actor=self.w.head,
            case_id=case.pk,
            reason="organisation_ended",
            on=TODAY,
            note="市场监管部门出具的注销登记通知书，无财产、无承受人",
        )
        assert ex.schedule(case).executed
        assert self.close(case).stage == "closing"


class Attacks(ExecutionTestCase):
    def test_another_agencys_officer_can_neither_read_nor_pay_through_the_api(self):
        from sanxiang.testing import signed_in

        case = self.delivered(delivered_on=TODAY - timedelta(days=5))
        client = signed_in(self.w.other_officer)
        assert client.get(f"/api/v1/cases/{case.pk}/execution").status_code == 404
        response = client.post(
            f"/api/v1/cases/{case.pk}/payments",
            {"receipt_number": "X", "amount": "100", "paid_on": TODAY.isoformat()},
            content_type="application/json",
        )
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
        assert not Payment.objects.filter(case=case).exists()

    def test_the_team_records_a_payment_through_the_api_and_reads_what_is_owed(self):
        from sanxiang.testing import signed_in

        case = self.delivered(delivered_on=TODAY - timedelta(days=5))
        client = signed_in(self.w.officer)
        response = client.post(
            f"/api/v1/cases/{case.pk}/payments",
            {"receipt_number": "2100-77", "amount": "1500.00", "paid_on": TODAY.isoformat()},
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["paid"] == "1500.00" and body["outstanding"] == "3500.00"
        assert "第72条" in body["bases"]["surcharge"]
        too_much = client.post(
            f"/api/v1/cases/{case.pk}/payments",
            {"receipt_number": "2100-78", "amount": "3500.01", "paid_on": TODAY.isoformat()},
            content_type="application/json",
        )
        assert too_much.status_code == 422
        assert too_much.json()["error"]["code"] == "payment_exceeds_due"

    def test_a_supervisor_and_an_anonymous_caller_cannot_record_a_payment(self):
        from django.test import Client

        from sanxiang.testing import signed_in

        case = self.delivered(delivered_on=TODAY - timedelta(days=5))
        body = {"receipt_number": "X", "amount": "100", "paid_on": TODAY.isoformat()}
        response = signed_in(self.w.supervisor).post(
            f"/api/v1/cases/{case.pk}/payments", body, content_type="application/json"
        )
        assert response.status_code == 403
        anonymous = Client().post(
            f"/api/v1/cases/{case.pk}/payments", body, content_type="application/json"
        )
        assert anonymous.status_code == 401
        assert not Payment.objects.filter(case=case).exists()

    def test_a_case_closed_by_raw_sql_with_the_fine_unpaid_is_caught_by_the_state_check(self):
        case = self.delivered(delivered_on=TODAY - timedelta(days=5))
        assert not [d for d in reconcile() if d.table.startswith("cases_")]
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE cases_case SET stage = 'closing', closed_on = %s WHERE id = %s",
                [TODAY, case.pk],
            )
        found = [d for d in reconcile() if d.table == "cases_case" and d.row == str(case.pk)]
        messages = " ".join(d.message for d in found)
        assert "罚款5000.00元未缴清" in messages and "账本记载的阶段为“execution”" in messages

    def test_a_payment_changed_or_inserted_by_raw_sql_is_caught_by_the_state_check(self):
        case = self.delivered(delivered_on=TODAY - timedelta(days=5))
        payment = self.pay(case, "100", TODAY)
        with connection.cursor() as cursor:
            cursor.execute("UPDATE cases_payment SET amount = 5000 WHERE id = %s", [payment.pk])
        found = [d for d in reconcile() if d.table == "cases_payment"]
        assert [(d.row, d.field) for d in found] == [(str(payment.pk), "amount")]
        with connection.cursor() as cursor:
            cursor.execute("UPDATE cases_payment SET amount = 100 WHERE id = %s", [payment.pk])
            cursor.execute(
                "INSERT INTO cases_payment (case_id, receipt_number, amount, paid_on, note, "
                "recorded_by_id, recorded_at) VALUES (%s, 'FORGED', 4900, %s, '', %s, %s)",
                [case.pk, TODAY, self.w.officer.pk, timezone.now()],
            )
        found = [d for d in reconcile() if d.table == "cases_payment"]
        assert len(found) == 1 and "没有登记条目" in found[0].message


class Limitation(ExecutionTestCase):
    """行政处罚法 第36条: two years from the act (or its end), five where 公民生命健康安全、金融安全
    are concerned with harm, checked at 立案."""

    def open(self, violation_on: date, **kwargs):
        from sanxiang.cases.services import Limitation as Facts
        from sanxiang.cases.services import open_case
        from sanxiang.cases.testing import make_matter
        from sanxiang.catalog.models import Matter

        matter = Matter.objects.filter(agency=self.w.agency, code="T-L").first() or make_matter(
            self.w.agency, "penalty", code="T-L"
        )
        return open_case(
            actor=self.w.officer,
            matter_id=matter.pk,
            procedure="penalty_ordinary",
            title="时效测试",
            source="inspection",
            facts="",
            parties=[company()],
            team=[self.w.officer.officer.pk, self.w.officer2.officer.pk],
            opened_on=TODAY,
            limitation=Facts(violation_on=violation_on, **kwargs),
        )

    def test_filing_more_than_two_years_after_the_act_is_refused_citing_article_36(self):
        two_years_ago = TODAY.replace(year=TODAY.year - 2)
        error = refused("limitation_expired", self.open, violation_on=two_years_ago - timedelta(1))
        assert "第36条" in error.message and "不予立案" in error.message
        assert not Case.objects.filter(title="时效测试").exists()

    def test_filing_on_the_last_day_of_the_two_years_goes_and_keeps_the_facts(self):
        two_years_ago = TODAY.replace(year=TODAY.year - 2)
        case = self.open(two_years_ago)
        assert case.violation_on == two_years_ago and case.limitation_years == 2
        assert case.discovered_on == TODAY
        entry = Entry.objects.get(case_id=case.pk, event_type="case.opened")
        assert '"limitation":' in entry.payload

    def test_a_continuing_act_counts_from_its_end(self):
        # Begun four years ago, it went on until last month: the period runs from its end.
        case = self.open(TODAY - timedelta(days=30))
        assert case.violation_on == TODAY - timedelta(days=30)

    def test_what_counts_is_the_day_the_act_was_discovered(self):
        three_years_ago = TODAY.replace(year=TODAY.year - 3)
        case = self.open(three_years_ago, discovered_on=three_years_ago + timedelta(days=600))
        assert case.discovered_on == three_years_ago + timedelta(days=600)

    def test_five_years_apply_only_with_the_facts_that_justify_them(self):
        four_years_ago = TODAY.replace(year=TODAY.year - 4)
        refused("validation_error", self.open, violation_on=four_years_ago, years=5)
        case = self.open(four_years_ago, years=5, basis="非法集资，涉及金融安全，造成群众财产损失")
        assert case.limitation_years == 5

    def test_an_act_after_its_discovery_is_refused(self):
        refused(
            "validation_error",
            self.open,
            violation_on=TODAY - timedelta(days=3),
            discovered_on=TODAY - timedelta(days=5),
        )

    def test_the_api_refuses_a_filing_past_the_period(self):
        from sanxiang.cases.testing import make_matter, person
        from sanxiang.testing import signed_in

        matter = make_matter(self.w.agency, "penalty", code="T-L-API")
        party = person()
        response = signed_in(self.w.officer).post(
            "/api/v1/cases",
            {
                "matter_id": matter.pk,
                "procedure": "penalty_ordinary",
                "title": "API 时效",
                "source": "inspection",
                "opened_on": TODAY.isoformat(),
                "violation_on": TODAY.replace(year=TODAY.year - 3).isoformat(),
                "team": [self.w.officer.officer.pk, self.w.officer2.officer.pk],
                "parties": [{"kind": party.kind, "name": party.name, "id_number": party.id_number}],
            },
            content_type="application/json",
        )
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "limitation_expired"


class Page(ExecutionTestCase):
    def test_the_filing_form_asks_a_penalty_case_for_the_day_of_the_act(self):
        from sanxiang.cases.testing import make_matter
        from sanxiang.testing import signed_in

        matter = make_matter(self.w.agency, "penalty", code="T-FORM")
        form = {
            "matter": matter.pk,
            "procedure": "penalty_ordinary",
            "title": "网页时效",
            "source": "complaint",
            "facts": "举报",
            "opened_on": TODAY.isoformat(),
            "team": [self.w.officer.officer.pk, self.w.officer2.officer.pk],
            "party_kind": "organisation",
            "party_name": "某公司",
        }
        client = signed_in(self.w.officer)
        page = client.post("/cases/new/", form).content.decode()
        assert "处罚案件须填写违法行为发生（终了）日期" in page
        form["violation_on"] = TODAY.replace(year=TODAY.year - 3).isoformat()
        page = client.post("/cases/new/", form).content.decode()
        assert "已超过2年的追责时效" in page and "第36条" in page
        assert not Case.objects.filter(title="网页时效").exists()

    def test_the_case_page_shows_what_is_owed_with_the_articles(self):
        from sanxiang.testing import signed_in

        case = self.delivered(delivered_on=TODAY - timedelta(days=5))
        page = signed_in(self.w.officer).get(f"/cases/{case.pk}/").content.decode()
        assert 'id="case-execution"' in page and "5,000.00 元" in page
        assert "第67条第3款" in page and "第72条第1款第（一）项" in page
        assert 'name="receipt_number"' in page
        # The supervisor reads it but gets no form.
        page = signed_in(self.w.supervisor).get(f"/cases/{case.pk}/").content.decode()
        assert 'id="case-execution"' in page and 'name="receipt_number"' not in page

    def test_the_payment_form_records_a_payment_and_shows_a_refusal(self):
        from sanxiang.testing import signed_in

        case = self.delivered(delivered_on=TODAY - timedelta(days=5))
        client = signed_in(self.w.officer)
        url = f"/cases/{case.pk}/execution/"
        body = {"action": "payment", "receipt_number": "2100-1", "paid_on": TODAY.isoformat()}
        response = client.post(url, {**body, "amount": "6000"}, follow=True)
        assert "payment_exceeds_due" in response.content.decode()
        assert not Payment.objects.filter(case=case).exists()
        response = client.post(url, {**body, "amount": "5000"}, follow=True)
        assert "缴款已登记" in response.content.decode()
        assert Payment.objects.get(case=case).amount == Decimal("5000.00")

    def test_another_agencys_officer_cannot_post_the_form(self):
        from sanxiang.testing import signed_in

        case = self.delivered(delivered_on=TODAY - timedelta(days=5))
        response = signed_in(self.w.other_officer).post(
            f"/cases/{case.pk}/execution/",
            {"action": "payment", "receipt_number": "X", "amount": "1", "paid_on": TODAY},
        )
        assert response.status_code == 404
        assert not Payment.objects.filter(case=case).exists()
