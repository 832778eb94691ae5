from __future__ import annotations

import json
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from sanxiang.applicant import defence
from sanxiang.applicant.models import DefenceStatement, PartyLink
from sanxiang.applicant.services import revoke_link
from sanxiang.cases.models import Case
from sanxiang.documents.models import IssuedDocument
from sanxiang.documents.services import issue_document
from sanxiang.documents.tests.helpers import QuickDocumentsTestCase
from sanxiang.ledger.models import Entry
from sanxiang.testing import signed_in

from .helpers import company_of, link_for, two_party_case


def notified_case(world):
    """A case whose 告知书 was issued today, now at 陈述申辩."""
    case = two_party_case(world, "case_review")
    issue_document(actor=world.officer, case_id=case.pk, kind="penalty_notice")
    Case.objects.filter(pk=case.pk).update(stage="defence")
    return Case.objects.get(pk=case.pk)


class SubmittingADefence(QuickDocumentsTestCase):
    def submit(self, token: str, text: str = "我公司已整改，请求从轻处罚。"):
        return self.client.post(reverse("applicant_portal:defence", args=[token]), {"text": text})

    def test_a_party_submits_within_the_period_and_it_enters_the_ledger_and_the_case_page(self):
        case = notified_case(self.w)
        token = link_for(self.w, case, company_of(case))
        page = self.client.get(reverse("applicant_portal:link", args=[token])).content.decode()
        assert "提交陈述申辩" in page
        answer = self.submit(token)
        assert answer.status_code == 302
        statement = DefenceStatement.objects.get()
        assert statement.party == company_of(case) and statement.case_id == case.pk
        entry = Entry.objects.get(event_type="applicant.defence_submitted")
        assert entry.case_id == case.pk
        assert json.loads(entry.payload)["statement_id"] == statement.pk
        assert [s.pk for s in defence.statements_of(case.pk)] == [statement.pk]
        staff = signed_in(self.w.officer).get(reverse("cases:detail", args=[case.pk]))
        assert "我公司已整改，请求从轻处罚。" in staff.content.decode()

    def test_after_the_period_it_is_refused_and_nothing_is_stored(self):
        case = notified_case(self.w)
        token = link_for(self.w, case, company_of(case))
        # test data: the 告知书 issued a month ago
        IssuedDocument.objects.filter(case=case).update(
            issued_at=timezone.now() - timedelta(days=30)
        )
        answer = self.submit(token)
        assert answer.status_code == 409 and "期限已于" in answer.content.decode()
        assert not DefenceStatement.objects.exists()
        assert not Entry.objects.filter(event_type="applicant.defence_submitted").exists()

    def test_before_the_notice_it_is_refused(self):
        case = two_party_case(self.w, "investigation")
        answer = self.submit(link_for(self.w, case, company_of(case)))
        assert answer.status_code == 409 and "尚未进行处罚告知" in answer.content.decode()
        assert not DefenceStatement.objects.exists()

    def test_an_empty_statement_is_a_422(self):
        case = notified_case(self.w)
        assert self.submit(link_for(self.w, case, company_of(case)), "   ").status_code == 422

    def test_a_revoked_link_cannot_submit(self):
        case = notified_case(self.w)
        token = link_for(self.w, case, company_of(case))
        revoke_link(actor=self.w.officer, link_id=PartyLink.objects.get().pk)
        assert self.submit(token).status_code == 410
        assert not DefenceStatement.objects.exists()

    def test_the_period_is_the_five_working_days_the_notice_states(self):
        from sanxiang.lib import workdays

        case = notified_case(self.w)
        last = defence.defence_period(case)
        assert last is not None and last > timezone.localdate()
        assert last == workdays.add_working_days(timezone.localdate(), 5)
