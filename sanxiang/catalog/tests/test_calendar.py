from datetime import date
from unittest.mock import patch

import pytest

from sanxiang.catalog import services
from sanxiang.lib import workdays
from sanxiang.lib.errors import DomainError
from sanxiang.testing import WorldTestCase, signed_in


class CalendarOverrideTests(WorldTestCase):
    def setUp(self):
        workdays.invalidate()

    def tearDown(self):
        workdays.invalidate()

    def test_an_admin_teaches_the_calendar_a_new_year(self):
        assert workdays.is_provisional(date(2027, 1, 4))
        assert not workdays.is_working_day(date(2027, 2, 6))  # provisionally an ordinary Saturday
        with self.captureOnCommitCallbacks(execute=True):
            services.record_calendar_year(
                actor=self.w.admin,
                year=2027,
                source="国办发明电〔2026〕X号",
                days={date(2027, 1, 1): False, date(2027, 2, 6): True},
                notes={date(2027, 1, 1): "元旦"},
            )
        assert not workdays.is_working_day(date(2027, 1, 1))
        assert workdays.is_working_day(date(2027, 2, 6))
        assert workdays.is_working_day(date(2027, 1, 4))
        assert not workdays.is_provisional(date(2027, 1, 4))
        assert workdays.provisional_years() == {2028, 2029, 2030, 2031}

    def test_a_day_of_another_year_is_refused(self):
        with pytest.raises(DomainError):
            services.record_calendar_year(
                actor=self.w.admin, year=2027, source="x", days={date(2028, 1, 1): False}, notes={}
            )

    def test_the_calendar_page_lets_an_admin_enter_a_year_and_shows_errors(self):
        client = signed_in(self.w.admin)
        bad = client.post(
            "/catalog/calendar/", {"year": "2027", "source": "通知", "days": "2027-01-01 放假"}
        )
        assert "请注明“休”或“班”" in bad.content.decode()
        good = client.post(
            "/catalog/calendar/", {"year": "2027", "source": "通知", "days": "2027-01-01 休 元旦"}
        )
        assert good.status_code == 302

    def test_the_workbench_says_next_year_is_provisional_when_its_notice_is_missing(self):
        with patch("sanxiang.workbench.views.timezone.localdate", return_value=date(2026, 11, 29)):
            page = signed_in(self.w.officer).get("/").content.decode()
        assert "<strong>2027年</strong>的国务院办公厅节假日通知尚未录入" in page
        assert "暂定" in page
        assert "工作日历缺少" not in page

    def test_the_workbench_warns_for_a_year_beyond_the_provisional_horizon(self):
        with patch("sanxiang.workbench.views.timezone.localdate", return_value=date(2030, 12, 1)):
            page = signed_in(self.w.officer).get("/").content.decode()
        assert "工作日历缺少<strong>2031年</strong>" in page

    def test_the_calendar_page_lists_the_provisional_holidays(self):
        page = signed_in(self.w.admin).get("/catalog/calendar/").content.decode()
        assert "2027（暂定）" in page
        assert "2027年2月5日 春节" in page  # 除夕
        assert "2028年10月3日 中秋节、国庆节" in page

    def test_the_workbench_does_not_warn_for_years_the_calendar_knows(self):
        with patch("sanxiang.workbench.views.timezone.localdate", return_value=date(2025, 6, 1)):
            page = signed_in(self.w.officer).get("/").content.decode()
        assert "工作日历缺少" not in page

    def test_an_officer_cannot_edit_the_calendar(self):
        response = signed_in(self.w.officer).post(
            "/catalog/calendar/", {"year": "2027", "source": "x", "days": ""}
        )
        assert response.status_code == 403
