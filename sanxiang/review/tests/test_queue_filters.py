"""The review queue's filters: in the URL, set-based, bad input explained in Chinese."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sanxiang.cases.testing import company
from sanxiang.review import queries
from sanxiang.review.models import ReviewRound
from sanxiang.review.queue_filters import QueueFilter
from sanxiang.review.tests.helpers import assigned, case_at_defence, submitted
from sanxiang.testing import WorldTestCase, signed_in


class QueueFilters(WorldTestCase):
    waiting: ReviewRound
    taken: ReviewRound

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.waiting = submitted(cls.w, case_at_defence(cls.w))
        cls.taken = assigned(cls.w, case_at_defence(cls.w))

    def setUp(self):
        self.head = signed_in(self.w.head)

    def rows(self, **params):
        html = self.head.get("/review/", params).content.decode()
        return [r for r in (self.waiting, self.taken) if f"/review/rounds/{r.pk}/" in html]

    def test_status_and_reviewer(self):
        assert self.rows(status="submitted") == [self.waiting]
        assert self.rows(status="assigned") == [self.taken]
        assert self.rows(reviewer=self.w.reviewer.officer.pk) == [self.taken]
        assert self.rows() == [self.waiting, self.taken]

    def test_party_by_code_and_deadline_level(self):
        code = company().credit_code
        assert self.rows(party=code) == [self.waiting, self.taken]
        assert self.rows(party="没有这个公司") == []
        assert self.rows(level="red") == []

    def test_bad_input_is_explained(self):
        response = self.head.get("/review/", {"status": "passed", "reviewer": "x"})
        assert response.status_code == 400
        html = response.content.decode()
        assert "审核状态选择有误" in html and "审核人员选择有误" in html

    def test_the_filter_is_one_query_whatever_the_number_of_rounds(self):
        # The page around it also reads the session, the catalogue and the escalations; those
        # are the queue's own and are counted in its own tests.
        def filtered():
            f = QueueFilter.parse({"party": "某", "status": "submitted"})
            rounds = queries.open_rounds({self.w.agency.pk})
            with CaptureQueriesContext(connection) as ctx:
                found = [r.review.case.number for r in f.apply(rounds, today=today, warn_days=3)]
            return len(ctx), found

        today = timezone.localdate()
        small, found = filtered()
        assert found == [self.waiting.review.case.number]
        submitted(self.w, case_at_defence(self.w))
        large, found = filtered()
        assert small == large == 1 and len(found) == 2
