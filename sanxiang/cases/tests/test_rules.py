"""Bad input, discretion benchmarks, recusal and deadlines (arithmetic, pauses, board)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sanxiang.cases.models import (
    Case,
    CaseMember,
    Deadline,
    DeadlineSetting,
    DeadlineStatus,
    DecisionDraft,
    DiscretionBenchmark,
)
from sanxiang.cases.queries import deadline_board, my_cases
from sanxiang.cases.services import (
    DraftData,
    add_member,
    decide_recusal,
    pause_deadline,
    request_recusal,
    resume_deadline,
    save_draft,
)
from sanxiang.cases.testing import company, make_matter, open_test_case, org_credit_code
from sanxiang.catalog.models import Matter
from sanxiang.ledger.models import Entry
from sanxiang.lib.errors import DomainError
from sanxiang.testing import WorldTestCase, make_user


class BadMoney(WorldTestCase):
    def test_negative_non_numeric_and_sub_fen_fines_are_refused_and_nothing_changes(self):
        case = open_test_case(self.w, parties=[company()])
        for raw in ["-100", "一百元", "100.123", "abc"]:
            with pytest.raises(DomainError) as caught:
                save_draft(
                    actor=self.w.officer,
                    case_id=case.pk,
                    data=DraftData(kind="fine", fine_amount=raw),
                )
            assert caught.value.code == "validation_error"
            assert caught.value.field == "fine_amount"
        assert not DecisionDraft.objects.filter(case=case).exists()
        assert not Entry.objects.filter(case_id=case.pk, event_type="case.draft_saved").exists()

    def test_a_wrong_credit_code_is_refused(self):
        bad = org_credit_code(3)[:-1] + ("0" if org_credit_code(3)[-1] != "0" else "1")
        with pytest.raises(DomainError) as caught:
            open_test_case(self.w, parties=[company(credit_code=bad)])
        assert caught.value.code == "validation_error"


class Benchmarks(WorldTestCase):
    matter: Matter

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.matter = make_matter(cls.w.agency, "penalty", "CF-B")
        DiscretionBenchmark.objects.create(
            matter=cls.matter,
            circumstance="serious",
            description="多次提供条件",
            fine_min=Decimal("20000"),
            fine_max=Decimal("100000"),
        )

    def draft(self, case: Case, amount: str, reason: str = "", circumstance: str = "serious"):
        return save_draft(
            actor=self.w.officer,
            case_id=case.pk,
            data=DraftData(
                kind="fine",
                fine_amount=amount,
                circumstance=circumstance,
                outside_reason=reason,
            ),
        )

    def test_the_draft_records_the_applicable_range(self):
        case = open_test_case(self.w, matter=self.matter, parties=[company()])
        draft = self.draft(case, "50000")
        assert (draft.benchmark_min, draft.benchmark_max) == (Decimal("20000"), Decimal("100000"))
        assert not draft.outside_benchmark

    def test_outside_the_range_needs_a_written_reason_and_is_flagged(self):
        case = open_test_case(self.w, matter=self.matter, parties=[company()])
        with pytest.raises(DomainError) as caught:
            self.draft(case, "150000")
        assert caught.value.field == "outside_reason"
        draft = self.draft(case, "150000", reason="违法所得巨大，社会影响恶劣")
        assert draft.outside_benchmark
        assert draft.outside_reason

    def test_a_fine_needs_a_circumstance_when_the_matter_has_benchmarks(self):
        case = open_test_case(self.w, matter=self.matter, parties=[company()])
        with pytest.raises(DomainError) as caught:
            self.draft(case, "50000", circumstance="")
        assert caught.value.field == "circumstance"


class Recusal(WorldTestCase):
    def test_the_head_decides_a_recusal_and_the_officer_leaves_the_team(self):
        case = open_test_case(self.w)
        member = case.members.get(officer__user=self.w.officer2)
        recusal = request_recusal(
            actor=self.w.officer,
            case_id=case.pk,
            member_id=member.pk,
            requested_by="当事人张某",
            reason="办案人员与当事人有亲属关系",
        )
        with pytest.raises(DomainError) as caught:
            decide_recusal(actor=self.w.officer, recusal_id=recusal.pk, grant=True)
        assert caught.value.code == "forbidden"
        decide_recusal(actor=self.w.head, recusal_id=recusal.pk, grant=True, note="属实")
        assert CaseMember.objects.get(pk=member.pk).recused
        with pytest.raises(DomainError) as again:
            decide_recusal(actor=self.w.head, recusal_id=recusal.pk, grant=False)
        assert again.value.code == "conflict"
        # A recused officer can no longer act on the case.
        with pytest.raises(DomainError):
            save_draft(actor=self.w.officer2, case_id=case.pk, data=DraftData(kind="warning"))

    def test_the_head_adds_a_certified_officer_only(self):
        case = open_test_case(self.w)
        extra = make_user("officer3", "officer", self.w.agency, certificate="T0010")
        extra.officer.certificate_expires = timezone.localdate() - timedelta(days=1)
        extra.officer.save()
        with pytest.raises(DomainError) as caught:
            add_member(actor=self.w.head, case_id=case.pk, officer_id=extra.officer.pk)
        assert caught.value.code == "officer_not_certified"


class Deadlines(WorldTestCase):
    def test_working_day_deadlines_skip_national_day_and_count_make_up_days(self):
        # 2026: 10月1日—7日放假, 10月10日(周六)上班. 行政许可法 第32条: 5 working days.
        case = open_test_case(self.w, procedure="licence", opened_on=date(2026, 9, 29))
        supplement = case.deadlines.get(rule="supplement")
        assert supplement.due_on == date(2026, 10, 12)
        assert supplement.unit == "working"

    def test_calendar_day_deadline_of_ninety_days_from_filing(self):
        opened = timezone.localdate() - timedelta(days=10)
        case = open_test_case(self.w, opened_on=opened)
        assert case.deadlines.get(rule="decide").due_on == opened + timedelta(days=90)

    def test_an_agency_setting_overrides_the_default_and_a_matter_setting_overrides_both(self):
        matter = make_matter(self.w.agency, "penalty", "CF-S")
        DeadlineSetting.objects.create(
            agency=self.w.agency,
            procedure="penalty_ordinary",
            rule="decide",
            days=60,
            unit="calendar",
        )
        today = timezone.localdate()
        case = open_test_case(self.w, matter=matter)
        assert case.deadlines.get(rule="decide").due_on == today + timedelta(days=60)
        DeadlineSetting.objects.create(
            agency=self.w.agency,
            matter=matter,
            procedure="penalty_ordinary",
            rule="decide",
            days=120,
            unit="calendar",
            warn_days=5,
        )
        case = open_test_case(self.w, matter=matter)
        assert case.deadlines.get(rule="decide").due_on == today + timedelta(days=120)

    def test_a_deadline_beyond_the_provisional_calendar_is_a_clear_error(self):
        DeadlineSetting.objects.create(
            agency=self.w.agency,
            procedure="licence",
            rule="supplement",
            days=2500,  # about ten years of working days: past the four provisional years
            unit="working",
        )
        with pytest.raises(DomainError) as caught:
            open_test_case(self.w, procedure="licence")
        assert caught.value.code == "calendar_gap"
        assert "年的法定节假日" in caught.value.message
        assert Case.objects.count() == 0

    def test_pausing_and_resuming_moves_the_due_date_by_the_paused_days(self):
        opened = timezone.localdate() - timedelta(days=20)
        case = open_test_case(self.w, opened_on=opened)
        decide = case.deadlines.get(rule="decide")
        pause_deadline(
            actor=self.w.officer,
            deadline_id=decide.pk,
            reason="委托鉴定",
            on=opened + timedelta(days=5),
        )
        with pytest.raises(DomainError) as caught:
            pause_deadline(actor=self.w.officer, deadline_id=decide.pk, reason="x", on=opened)
        assert caught.value.code == "conflict"
        resumed = resume_deadline(
            actor=self.w.officer, deadline_id=decide.pk, on=opened + timedelta(days=15)
        )
        assert resumed.status == DeadlineStatus.RUNNING
        assert resumed.due_on == opened + timedelta(days=100)
        pause = resumed.pauses.get()
        assert pause.reason == "委托鉴定" and pause.resumed_on == opened + timedelta(days=15)

    def test_pausing_working_days_skips_holidays(self):
        case = open_test_case(self.w, procedure="licence", opened_on=date(2026, 9, 29))
        supplement = case.deadlines.get(rule="supplement")
        pause_deadline(
            actor=self.w.officer, deadline_id=supplement.pk, reason="检测", on=date(2026, 9, 30)
        )
        # Paused 9-30 → 10-09: working days in between are 10-08 and 10-09 only.
        resumed = resume_deadline(
            actor=self.w.officer, deadline_id=supplement.pk, on=date(2026, 10, 9)
        )
        assert resumed.due_on == date(2026, 10, 14)

    def test_a_pause_needs_a_reason(self):
        case = open_test_case(self.w)
        decide = case.deadlines.get(rule="decide")
        with pytest.raises(DomainError) as caught:
            pause_deadline(
                actor=self.w.officer, deadline_id=decide.pk, reason=" ", on=case.opened_on
            )
        assert caught.value.field == "reason"

    def test_another_agency_may_not_pause(self):
        case = open_test_case(self.w)
        decide = case.deadlines.get(rule="decide")
        with pytest.raises(DomainError) as caught:
            pause_deadline(
                actor=self.w.other_officer, deadline_id=decide.pk, reason="x", on=case.opened_on
            )
        assert caught.value.code == "not_found"


class Board(WorldTestCase):
    today: date
    overdue: Case
    near: Case
    fresh: Case

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        today = timezone.localdate()
        cls.today = today
        cls.overdue = open_test_case(cls.w, opened_on=today - timedelta(days=95))
        cls.near = open_test_case(cls.w, opened_on=today - timedelta(days=88))
        cls.fresh = open_test_case(cls.w, opened_on=today)

    def test_red_yellow_and_running_are_counted(self):
        board = deadline_board(my_cases(self.w.head), self.today)
        assert (board.red, board.yellow, board.running) == (1, 1, 3)
        assert [d.case_id for d in board.urgent] == [self.overdue.pk, self.near.pk]
        assert [getattr(d, "level", "") for d in board.urgent] == ["red", "yellow"]

    def test_the_scan_is_a_fixed_handful_of_queries(self):
        with CaptureQueriesContext(connection) as queries:
            deadline_board({self.w.agency.pk}, self.today)
        assert len(queries) <= 2
        more = [open_test_case(self.w, opened_on=self.today - timedelta(days=95)) for _ in range(3)]
        with CaptureQueriesContext(connection) as again:
            board = deadline_board({self.w.agency.pk}, self.today)
        assert len(again) == len(queries)
        assert board.red == 1 + len(more)

    def test_a_paused_clock_is_not_overdue(self):
        decide = Deadline.objects.get(case=self.overdue, rule="decide")
        pause_deadline(actor=self.w.officer, deadline_id=decide.pk, reason="听证", on=decide.due_on)
        board = deadline_board({self.w.agency.pk}, self.today)
        assert (board.red, board.paused) == (0, 1)

    def test_an_officer_sees_only_their_cases_and_other_agencies_nothing(self):
        assert deadline_board(my_cases(self.w.other_officer), self.today).running == 0
        assert deadline_board(my_cases(self.w.officer), self.today).running == 3
        assert deadline_board(my_cases(self.w.reviewer), self.today).running == 0
