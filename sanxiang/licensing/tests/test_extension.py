"""行政许可法 第42条: twenty working days to decide, extended once by ten with the head's
approval and the reason told to the applicant in the 延长行政许可期限通知书; an extension after
the twenty days ran out, a second one, or one by someone else than the head is refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from sanxiang.cases.models import Case, Deadline, DeadlineExtension
from sanxiang.cases.services import DraftData, extend_deadline, save_draft
from sanxiang.cases.testing import company, open_test_case
from sanxiang.documents.builders import build
from sanxiang.documents.kinds import get_kind
from sanxiang.documents.models import IssuedDocument
from sanxiang.documents.queries import issuable_kinds, sheet_from_case
from sanxiang.documents.services import issue_document
from sanxiang.documents.testing import take_step
from sanxiang.documents.tests.helpers import QuickDocumentsTestCase
from sanxiang.ledger.models import Entry
from sanxiang.ledger.reconcile import reconcile
from sanxiang.lib.errors import DomainError, ValidationFailed
from sanxiang.lib.workdays import add_working_days
from sanxiang.licensing.testing import record_terms
from sanxiang.testing import signed_in

TODAY = timezone.localdate()
REASON = "需实地核查宗教活动场所的消防安全条件"


def refused(fn, **kwargs):
    with pytest.raises(DomainError) as caught:
        fn(**kwargs)
    return caught.value


class Extension(QuickDocumentsTestCase):
    def at_examination(self, *, on=None):
        case = open_test_case(
            self.w, procedure="licence", parties=[company()], opened_on=on or TODAY
        )
        for target in ("acceptance", "examination"):
            take_step(self.w.officer, case.pk, target, on=on)
        return Case.objects.get(pk=case.pk)

    def extend(self, case, **kwargs):
        kwargs.setdefault("reason", REASON)
        return extend_deadline(actor=self.w.head, case_id=case.pk, rule="decide", **kwargs)

    def test_the_head_extends_by_ten_working_days_and_the_notice_prints_the_reason(self):
        case = self.at_examination()
        clock = Deadline.objects.get(case=case, rule="decide")
        assert (clock.days, clock.unit) == (20, "working")
        twentieth = clock.due_on
        row = self.extend(case)
        clock.refresh_from_db()
        # 第42条 with 第82条: the ten more days are working days after the twentieth.
        assert clock.due_on == add_working_days(twentieth, 10)
        assert clock.days == 30
        assert (row.old_due_on, row.new_due_on, row.days) == (twentieth, clock.due_on, 10)
        entry = Entry.objects.get(case_id=case.pk, event_type="case.deadline_extended")
        assert '"extended"' in entry.payload and REASON in entry.payload
        assert "licence_extension_notice" in {k.code for k in issuable_kinds(case)}
        doc = issue_document(actor=self.w.officer, case_id=case.pk, kind="licence_extension_notice")
        assert doc.number.startswith("测民宗许延字")
        kind = get_kind("licence_extension_notice")
        assert kind is not None
        text = "".join(
            getattr(b, "text", "")
            for b in build(kind, sheet_from_case(case), number=doc.number, issued_on=TODAY).blocks
        )
        assert REASON in text and "第四十二条第一款" in text and "延长10个工作日" in text
        due = clock.due_on
        assert f"至{due.year}年{due.month}月{due.day}日" in text
        assert not list(reconcile())

    def test_a_second_extension_is_refused(self):
        case = self.at_examination()
        self.extend(case)
        error = refused(self.extend, case=case)
        assert error.code == "deadline_extended_once"
        assert "第42条" in error.message
        assert DeadlineExtension.objects.filter(deadline__case=case).count() == 1
        assert Deadline.objects.get(case=case, rule="decide").days == 30

    def test_an_extension_after_the_twenty_days_ran_out_is_refused(self):
        # Accepted 40 days ago: the 20 working days have run.
        case = self.at_examination(on=TODAY - timedelta(days=40))
        clock = Deadline.objects.get(case=case, rule="decide")
        assert clock.due_on < TODAY
        error = refused(self.extend, case=case)
        assert error.code == "deadline_passed"
        assert "届满后不能再延长" in error.message
        # Nor by an approval dated back into the period.
        error = refused(self.extend, case=case, on=clock.due_on)
        assert error.code == "deadline_passed"
        assert not DeadlineExtension.objects.exists()
        assert not Entry.objects.filter(event_type="case.deadline_extended").exists()

    def test_only_the_head_extends_with_a_reason_by_at_most_ten_days_while_examining(self):
        case = open_test_case(self.w, procedure="licence", parties=[company()])
        take_step(self.w.officer, case.pk, "acceptance")
        error = refused(self.extend, case=case)
        assert error.code == "conflict" and "受理" in error.message  # 审查 only
        take_step(self.w.officer, case.pk, "examination")
        error = refused(
            extend_deadline, actor=self.w.officer, case_id=case.pk, rule="decide", reason=REASON
        )
        assert error.code == "forbidden"
        error = refused(
            extend_deadline, actor=self.w.other_officer, case_id=case.pk, rule="decide", reason="x"
        )
        assert error.code in {"not_found", "forbidden"}
        with pytest.raises(ValidationFailed) as caught:
            self.extend(case, reason="  ")
        assert caught.value.code == "validation_error" and "理由" in caught.value.message
        with pytest.raises(ValidationFailed):
            self.extend(case, days=11)
        with pytest.raises(ValidationFailed):
            self.extend(case, on=TODAY + timedelta(days=1))
        assert not DeadlineExtension.objects.exists()

    def test_the_notice_is_refused_before_the_extension(self):
        case = self.at_examination()
        with pytest.raises(ValidationFailed) as caught:
            issue_document(actor=self.w.officer, case_id=case.pk, kind="licence_extension_notice")
        assert "第42条" in caught.value.message
        assert not IssuedDocument.objects.filter(case=case).exclude(kind="acceptance_notice")

    def test_the_extended_clock_is_replayed_by_the_state_check(self):
        case = self.at_examination()
        self.extend(case)
        assert not list(reconcile())
        clock = Deadline.objects.get(case=case, rule="decide")
        with connection.cursor() as cursor:
            cursor.execute("UPDATE cases_deadline SET days = 20 WHERE id = %s", [clock.pk])
        found = [d for d in reconcile() if d.table == "cases_deadline" and d.field == "days"]
        assert found and "30" in found[0].message
        with connection.cursor() as cursor:
            cursor.execute("UPDATE cases_deadline SET days = 30 WHERE id = %s", [clock.pk])
            cursor.execute("DELETE FROM cases_deadlineextension WHERE deadline_id = %s", [clock.pk])
        found = [d for d in reconcile() if d.table == "cases_deadlineextension"]
        assert found and "延长1次" in found[0].message

    def test_the_case_is_decided_within_the_extended_period(self):
        case = self.at_examination()
        self.extend(case)
        record_terms(self.w.officer, case.pk)
        save_draft(
            actor=self.w.officer,
            case_id=case.pk,
            data=DraftData(kind="licence_grant", legal_basis="《宗教事务条例》第二十二条"),
        )
        take_step(self.w.head, case.pk, "decision")
        clock = Deadline.objects.get(case=case, rule="decide")
        assert clock.status == "met" and clock.days == 30
        assert not list(reconcile())


class Page(QuickDocumentsTestCase):
    def test_the_head_extends_on_the_case_page_and_an_officer_cannot(self):
        case = open_test_case(self.w, procedure="licence", parties=[company()])
        for target in ("acceptance", "examination"):
            take_step(self.w.officer, case.pk, target)
        officer = signed_in(self.w.officer)
        page = officer.get(f"/cases/{case.pk}/")
        assert 'data-action="extend-licence"' not in page.content.decode()
        officer.post(f"/licensing/cases/{case.pk}/extend/", {"reason": REASON})
        assert not DeadlineExtension.objects.exists()
        head = signed_in(self.w.head)
        body = head.get(f"/cases/{case.pk}/").content.decode()
        assert 'data-action="extend-licence"' in body and "第42条第1款" in body
        response = head.post(f"/licensing/cases/{case.pk}/extend/", {"reason": REASON})
        assert response.status_code == 302
        assert DeadlineExtension.objects.get().reason == REASON
        body = head.get(f"/cases/{case.pk}/").content.decode()
        assert 'data-action="extend-licence"' not in body and REASON in body
        other = signed_in(self.w.other_officer)
        other.post(f"/licensing/cases/{case.pk}/extend/", {"reason": "x"})
        assert DeadlineExtension.objects.count() == 1


class Api(QuickDocumentsTestCase):
    def test_the_head_extends_through_the_api_and_others_are_refused(self):
        case = open_test_case(self.w, procedure="licence", parties=[company()])
        for target in ("acceptance", "examination"):
            take_step(self.w.officer, case.pk, target)
        url = f"/api/v1/cases/{case.pk}/deadlines/decide/extension"

        def post(client, body):
            return client.post(url, body, content_type="application/json")

        officer = signed_in(self.w.officer)
        denied = post(officer, {"reason": REASON})
        assert denied.status_code == 403 and denied.json()["error"]["code"] == "forbidden"
        other = signed_in(self.w.other_officer)
        assert post(other, {"reason": REASON}).json()["error"]["code"] == "not_found"
        head = signed_in(self.w.head)
        bad = post(head, {"reason": REASON, "days": 11})
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "validation_error"
        unknown = head.post(
            f"/api/v1/cases/{case.pk}/deadlines/nope/extension",
            {"reason": REASON},
            content_type="application/json",
        )
        assert unknown.status_code == 409
        done = post(head, {"reason": REASON})
        assert done.status_code == 200, done.content
        clock = next(d for d in done.json() if d["rule"] == "decide")
        assert clock["days"] == 30
        again = post(head, {"reason": REASON})
        assert again.status_code == 409
        assert again.json()["error"]["code"] == "deadline_extended_once"
