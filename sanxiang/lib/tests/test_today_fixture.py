"""The suite's `_today_is_today` fixture: a module's `TODAY` is the day its test runs on."""

import datetime

from django.utils import timezone

# as if the module had been imported on a day that has since ended
TODAY = datetime.date(2000, 1, 1)


def test_a_module_today_taken_on_an_earlier_day_is_today_when_the_test_runs():
    assert timezone.localdate() == TODAY
