"""一公开 (issue 13 item 6): results are due 20 working days after the inspection ends and warn
公示 staff as the publication queue does; the 年报 and the cockpit count them."""

from __future__ import annotations

import io
from datetime import timedelta

from django.utils import timezone
from openpyxl import load_workbook

from sanxiang.disclosure.report import tables_for
from sanxiang.inspections import publication
from sanxiang.inspections.models import Assignment, Outcome, Plan
from sanxiang.inspections.services import (
    freeze_plan,
    perform_draw,
    record_result,
    start_inspection,
)
from sanxiang.lib.workdays import add_working_days
from sanxiang.supervision.queries import cockpit
from sanxiang.testing import WorldTestCase, signed_in
from sanxiang.workbench.inbox import inbox_for

from .helpers import make_plan, make_targets, random_matter


def _working_days_before(day, n):
    """The day from which ``n`` working days lead to ``day`` (searching backwards)."""
    start = day
    while add_working_days(start, n) > day:
        start -= timedelta(days=1)
    return start


class ResultsClock(WorldTestCase):
    plan: Plan
    assignments: list[Assignment]

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        random_matter(cls.w)
        make_targets(cls.w, 8)
        cls.plan = make_plan(cls.w, ratio="50")
        perform_draw(draw_id=freeze_plan(actor=cls.w.head, plan_id=cls.plan.pk).pk, sign=True)
        cls.assignments = list(Assignment.objects.filter(plan=cls.plan).order_by("position"))

    def _period_ends(self, end):
        Plan.objects.filter(pk=self.plan.pk).update(
            period_start=end - timedelta(days=9), period_end=end
        )

    def _section(self, user, today=None):
        sections = inbox_for(user, today=today).sections
        return next((s for s in sections if s.code == "inspections.to_publish"), None)

    def test_no_clock_runs_while_the_plans_period_lasts(self):
        assert self._section(self.w.head) is None
        assert publication.waiting({self.w.agency.pk}, timezone.localdate()) == []

    def test_an_unpublished_result_past_twenty_working_days_is_red_for_the_publishing_staff(self):
        today = timezone.localdate()
        self._period_ends(_working_days_before(today, 21))
        for user in (self.w.head, self.w.admin):
            section = self._section(user)
            assert section is not None and section.count == len(self.assignments)
            assert {i.level for i in section.items} == {"red"}
            assert "已超过公示期限" in section.items[0].detail
            assert "国办发〔2015〕58号" in section.items[0].detail
        assert self._section(self.w.officer) is None  # officers: their own tasks, not the queue
        assert self._section(self.w.other_officer) is None

    def test_a_result_due_within_the_warning_days_is_yellow(self):
        today = timezone.localdate()
        end = _working_days_before(add_working_days(today, 2), 20)
        self._period_ends(end)
        section = self._section(self.w.head)
        assert section is not None
        assert {i.level for i in section.items} == {"yellow"}
        assert section.items[0].due_on == add_working_days(end, 20)

    def test_the_disclosure_queue_page_lists_them_with_the_same_badge(self):
        self._period_ends(_working_days_before(timezone.localdate(), 21))
        page = signed_in(self.w.admin).get("/disclosure/").content.decode()
        assert 'data-testid="other-clocks"' in page
        assert page.count('data-level="red"') == len(self.assignments)
        assert "双随机抽查结果" in page and "红色预警" in page
        other = signed_in(self.w.other_officer).get("/disclosure/").content.decode()
        assert 'data-testid="other-clocks"' not in other

    def test_the_workbench_panel_shows_the_warning(self):
        self._period_ends(_working_days_before(timezone.localdate(), 21))
        page = signed_in(self.w.head).get("/").content.decode()
        assert 'data-testid="inspections-due"' in page
        assert 'data-level="red"' in page

    def test_a_published_result_leaves_the_clock_and_is_counted_in_the_annual_report(self):
        today = timezone.localdate()
        first = self.assignments[0]
        start_inspection(actor=self.w.head, assignment_id=first.pk)
        record_result(
            actor=self.w.head,
            assignment_id=first.pk,
            outcome=Outcome.RECTIFY,
            findings="消防通道堆放杂物。",
            inspected_on=today,
            rectify_by=today + timedelta(days=10),
        )
        self._period_ends(_working_days_before(today, 21))
        waiting = publication.waiting({self.w.agency.pk}, today)
        assert first.pk not in {w.assignment.pk for w in waiting}
        rows = dict(
            (r[0], r[1])
            for r in tables_for(agency_id=self.w.agency.pk, year=self.plan.year)
            .by_key("inspection")
            .rows
        )
        assert rows["双随机抽查：抽取检查对象（户）"] == len(self.assignments)
        assert rows["双随机抽查：已公开检查结果（件）"] == 1
        assert rows["其中：检查结束后20个工作日内公开（件）"] == 1
        assert rows["双随机抽查发现问题：责令整改（件）"] == 1
        portal = self.client.get(f"/gongshi/choucha/jihua/{self.plan.pk}/").content.decode()
        assert "国办发〔2015〕58号" in portal and "20个工作日内公开" in portal

    def test_a_result_recorded_after_its_due_date_counts_as_published_late(self):
        today = timezone.localdate()
        first = self.assignments[0]
        start_inspection(actor=self.w.head, assignment_id=first.pk)
        record_result(
            actor=self.w.head,
            assignment_id=first.pk,
            outcome=Outcome.CLEAR,
            findings="未发现问题。",
            inspected_on=today,
        )
        Assignment.objects.filter(pk=first.pk).update(publish_by=today - timedelta(days=1))
        figures = publication.counts({self.w.agency.pk}, today)[self.w.agency.pk]
        assert figures == {"published": 1, "late": 1, "overdue": 0}

    def test_the_cockpit_counts_results_overdue_and_published(self):
        self._period_ends(_working_days_before(timezone.localdate(), 21))
        board = cockpit(self.w.supervisor, today=timezone.localdate())
        row = next(a for a in board.agencies if a.agency.pk == self.w.agency.pk)
        assert row.random_overdue == len(self.assignments)
        assert row.random_published == 0
        client = signed_in(self.w.supervisor)
        assert "双随机结果逾期未公开" in client.get("/supervision/").content.decode()
        sheet = load_workbook(io.BytesIO(client.get("/supervision/?format=xlsx").content))
        rows = list(sheet.worksheets[0].iter_rows(values_only=True))
        column = rows[0].index("双随机结果逾期未公开")
        mine = next(r for r in rows[1:] if r[0] == self.w.agency.name)
        assert mine[column] == len(self.assignments)
