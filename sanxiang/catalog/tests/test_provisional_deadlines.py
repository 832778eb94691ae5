"""Deadlines counted into a year whose notice is not yet known: computed, marked 暂定, and
recomputed when the administrator enters the notice."""

from datetime import date
from unittest.mock import patch

import pytest

from sanxiang.cases.models import DeadlineSetting
from sanxiang.cases.testing import open_test_case
from sanxiang.catalog import services
from sanxiang.catalog.models import RecomputedDeadline
from sanxiang.ledger.models import Entry
from sanxiang.lib import workdays
from sanxiang.testing import WorldTestCase, signed_in

OPENED = date(2026, 12, 21)  # a Monday; ten working days reach into January 2027


class ProvisionalDeadlineTests(WorldTestCase):
    def setUp(self):
        workdays.invalidate()
        DeadlineSetting.objects.create(
            agency=self.w.agency, procedure="licence", rule="supplement", days=10, unit="working"
        )

    def tearDown(self):
        workdays.invalidate()

    def _enter_2027(self, days):
        with self.captureOnCommitCallbacks(execute=True):
            services.record_calendar_year(
                actor=self.w.admin,
                year=2027,
                source="国办发明电〔2026〕7号",
                days=days,
                notes={},
            )

    def test_a_deadline_reaching_into_2027_is_computed_and_shown_as_provisional(self):
        with patch("django.utils.timezone.localdate", return_value=OPENED):
            case = open_test_case(self.w, procedure="licence", opened_on=OPENED)
        clock = case.deadlines.get(rule="supplement")
        # 22-25, 28-31 Dec; 1 Jan 2027 is 元旦; 4, 5 Jan.
        assert clock.due_on == date(2027, 1, 5)
        page = signed_in(self.w.officer).get(f"/cases/{case.pk}/").content.decode()
        assert 'data-testid="provisional"' in page

    def test_entering_the_notice_recomputes_the_deadline_and_lists_it_on_the_workbench(self):
        with patch("django.utils.timezone.localdate", return_value=OPENED):
            case = open_test_case(self.w, procedure="licence", opened_on=OPENED)
        # Suppose the notice gives 4 January off as well (a bridging day).
        self._enter_2027({date(2027, 1, 1): False, date(2027, 1, 4): False})
        clock = case.deadlines.get(rule="supplement")
        assert clock.due_on == date(2027, 1, 6)
        moved = RecomputedDeadline.objects.get()
        assert (moved.old_due_on, moved.new_due_on) == (date(2027, 1, 5), date(2027, 1, 6))
        assert moved.agency_id == self.w.agency.pk
        assert Entry.objects.filter(event_type="calendar.deadlines_recomputed").count() == 1
        client = signed_in(self.w.officer)
        home = client.get("/").content.decode()
        assert "因录入节假日通知而调整的期限" in home
        assert "2027年1月6日" in home
        case_page = client.get(f"/cases/{case.pk}/").content.decode()
        assert 'data-testid="provisional"' not in case_page

    def test_a_notice_that_agrees_with_the_provisional_count_moves_nothing(self):
        with patch("django.utils.timezone.localdate", return_value=OPENED):
            case = open_test_case(self.w, procedure="licence", opened_on=OPENED)
        self._enter_2027({date(2027, 1, 1): False})
        assert case.deadlines.get(rule="supplement").due_on == date(2027, 1, 5)
        assert not RecomputedDeadline.objects.exists()
        assert not Entry.objects.filter(event_type="calendar.deadlines_recomputed").exists()

    def test_another_agency_does_not_see_the_moved_deadline(self):
        with patch("django.utils.timezone.localdate", return_value=OPENED):
            open_test_case(self.w, procedure="licence", opened_on=OPENED)
        self._enter_2027({date(2027, 1, 1): False, date(2027, 1, 4): False})
        home = signed_in(self.w.other_officer).get("/").content.decode()
        assert "因录入节假日通知而调整的期限" not in home

    def test_a_refused_notice_changes_no_deadline(self):
        with patch("django.utils.timezone.localdate", return_value=OPENED):
            case = open_test_case(self.w, procedure="licence", opened_on=OPENED)
        with pytest.raises(Exception):  # noqa: B017 - any refusal
            services.record_calendar_year(
                actor=self.w.officer,
                year=2027,
                source="x",
                days={date(2027, 1, 4): False},
                notes={},
            )
        assert case.deadlines.get(rule="supplement").due_on == date(2027, 1, 5)
        assert workdays.is_provisional(date(2027, 1, 4))
