"""裁量基准 keeps what it said before, and a decision is checked against the band of its day."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from openpyxl import load_workbook

from sanxiang.cases.benchmark_sheet import export_benchmarks, import_benchmarks
from sanxiang.cases.models import (
    Case,
    DecisionDraft,
    DiscretionBenchmark,
    DiscretionBenchmarkVersion,
)
from sanxiang.cases.queries import benchmark_on
from sanxiang.cases.services import BenchmarkData, DraftData, save_benchmark, save_draft
from sanxiang.cases.testing import company, make_matter, open_test_case
from sanxiang.documents.testing import take_step, waive_periods
from sanxiang.ledger.reconcile import reconcile
from sanxiang.lib.errors import DomainError
from sanxiang.testing import WorldTestCase

TODAY = timezone.localdate()
BASIS = "《宗教事务条例》第七十一条"


def band(low: str, high: str) -> BenchmarkData:
    return BenchmarkData("ordinary", "一般情节", low, high)


def fine_max_on(matter_id: int, day) -> Decimal:
    line = benchmark_on(matter_id, "ordinary", day)
    assert line is not None
    return line.fine_max


def refused(code: str, fn, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as caught:
        fn(**kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value


class BenchmarkTestCase(WorldTestCase):
    def setUp(self) -> None:
        self.matter = make_matter(self.w.agency, "penalty")
        save_benchmark(actor=self.w.head, matter_id=self.matter.pk, data=band("1000", "10000"))

    def at_defence(self, fine: str = "5000") -> Case:
        """Opened ten days ago, at 陈述申辩, a fine drafted against today's band."""
        case = open_test_case(
            self.w,
            parties=[company()],
            matter=self.matter,
            opened_on=TODAY - timedelta(days=10),
        )
        take_step(self.w.head, case.pk, "investigation", on=case.opened_on)
        for target in ("case_review", "notice", "defence"):
            take_step(self.w.officer, case.pk, target, on=case.opened_on)
        data = DraftData(kind="fine", fine_amount=fine, legal_basis=BASIS, circumstance="ordinary")
        save_draft(actor=self.w.officer, case_id=case.pk, data=data)
        waive_periods(self.w.officer, case.pk, "decision")
        return Case.objects.get(pk=case.pk)


class BenchmarkVersions(BenchmarkTestCase):
    def test_a_changed_line_is_a_new_version_and_the_old_band_is_kept(self):
        later = TODAY + timedelta(days=5)
        save_benchmark(
            actor=self.w.head,
            matter_id=self.matter.pk,
            data=band("2000", "20000"),
            valid_from=later,
        )
        line = DiscretionBenchmark.objects.get(matter=self.matter)
        assert (line.fine_min, line.valid_from, line.version) == (Decimal("2000.00"), later, 2)
        old, new = DiscretionBenchmarkVersion.objects.filter(benchmark=line).order_by("number")
        assert (old.fine_max, old.valid_to) == (Decimal("10000.00"), later)
        assert (new.fine_max, new.valid_from, new.valid_to) == (Decimal("20000.00"), later, None)
        assert fine_max_on(self.matter.pk, TODAY) == Decimal("10000.00")
        assert fine_max_on(self.matter.pk, later) == Decimal("20000.00")

    def test_a_decision_is_refused_when_the_band_of_its_day_is_not_the_drafts(self):
        case = self.at_defence("5000")
        save_benchmark(actor=self.w.head, matter_id=self.matter.pk, data=band("6000", "20000"))
        error = refused(
            "benchmark_changed",
            take_step,
            actor=self.w.head,
            case_id=case.pk,
            target="decision",
        )
        assert "6,000.00—20,000.00元" in error.message and "1,000.00—10,000.00元" in error.message
        assert Case.objects.get(pk=case.pk).stage == "defence"

    def test_a_decision_dated_before_the_change_is_checked_against_the_band_then(self):
        case = self.at_defence("5000")
        save_benchmark(actor=self.w.head, matter_id=self.matter.pk, data=band("6000", "20000"))
        yesterday = TODAY - timedelta(days=1)
        decided = take_step(self.w.head, case.pk, "decision", on=yesterday)
        assert decided.stage == "decision" and decided.decided_on == yesterday

    def test_a_change_dated_later_leaves_todays_drafts_and_decisions_alone(self):
        save_benchmark(
            actor=self.w.head,
            matter_id=self.matter.pk,
            data=band("6000", "20000"),
            valid_from=TODAY + timedelta(days=30),
        )
        case = self.at_defence("5000")
        assert not DecisionDraft.objects.get(case=case).outside_benchmark
        assert take_step(self.w.head, case.pk, "decision").stage == "decision"

    def test_a_change_dated_before_the_current_version_is_refused(self):
        save_benchmark(actor=self.w.head, matter_id=self.matter.pk, data=band("2000", "9000"))
        error = refused(
            "validation_error",
            save_benchmark,
            actor=self.w.head,
            matter_id=self.matter.pk,
            data=band("3000", "9000"),
            valid_from=TODAY - timedelta(days=1),
        )
        assert error.field == "valid_from" and "不能早于现行第2版" in error.message

    def test_a_version_edited_by_sql_is_not_used_and_verify_ledger_names_it(self):
        case = self.at_defence("5000")
        save_benchmark(actor=self.w.head, matter_id=self.matter.pk, data=band("6000", "20000"))
        old = DiscretionBenchmarkVersion.objects.get(benchmark__matter=self.matter, number=1)
        with connection.cursor() as cur:
            cur.execute(
                "UPDATE cases_discretionbenchmarkversion SET fine_max = %s WHERE id = %s",
                ["900000.00", old.pk],
            )
        error = refused(
            "version_tampered",
            take_step,
            actor=self.w.head,
            case_id=case.pk,
            target="decision",
            on=TODAY - timedelta(days=1),
        )
        assert "第1版" in error.message
        lines = [d.line() for d in reconcile() if d.table == "cases_discretionbenchmarkversion"]
        assert len(lines) == 1 and f"#{old.pk} 字段 content_sha256" in lines[0]

    def test_a_line_edited_by_sql_behind_its_version_is_named(self):
        save_benchmark(actor=self.w.head, matter_id=self.matter.pk, data=band("2000", "9000"))
        DiscretionBenchmark.objects.filter(matter=self.matter).update(fine_max=Decimal("99999"))
        lines = [d.line() for d in reconcile() if d.table == "cases_discretionbenchmarkversion"]
        assert len(lines) == 1 and "现行记录与其最新版本的内容不一致" in lines[0]

    def test_the_changes_are_in_the_ledger_and_reconcile(self):
        save_benchmark(actor=self.w.head, matter_id=self.matter.pk, data=band("2000", "9000"))
        assert [d.line() for d in reconcile() if d.table.startswith("cases_discretion")] == []


class BenchmarkSheetVersions(BenchmarkTestCase):
    """The sheet writes through the same service: its 生效日期 dates the new version."""

    def sheet(self, **cells) -> bytes:
        book = load_workbook(io.BytesIO(export_benchmarks(self.w.agency.pk)))
        sheet = book.active
        headers = [c.value for c in sheet[1]]
        for header, value in cells.items():
            sheet.cell(row=2, column=headers.index(header) + 1, value=value)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    def load(self, data: bytes):
        return import_benchmarks(actor=self.w.head, agency_id=self.w.agency.pk, data=data)

    def test_the_sheet_dates_the_new_band_and_reimports_as_nothing_to_change(self):
        later = TODAY + timedelta(days=3)
        outcome = self.load(self.sheet(**{"罚款上限（元）": 12000, "生效日期": later}))
        assert outcome.changed == 1
        assert fine_max_on(self.matter.pk, TODAY) == Decimal("10000.00")
        assert fine_max_on(self.matter.pk, later) == Decimal("12000.00")
        assert self.load(self.sheet()).nothing_to_change

    def test_a_sheet_that_keeps_the_current_date_on_a_changed_row_is_refused(self):
        self.load(self.sheet(**{"罚款上限（元）": 12000, "生效日期": TODAY + timedelta(days=3)}))
        with pytest.raises(DomainError) as caught:
            self.load(self.sheet(**{"罚款上限（元）": 15000}))
        assert (
            "第2行“生效日期”列" in caught.value.message and "晚于现行第2版" in caught.value.message
        )
        assert DiscretionBenchmarkVersion.objects.count() == 2
