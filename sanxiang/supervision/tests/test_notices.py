"""督办: issue with a 文号 and a PDF, answer with attachments, escalate when overdue, close."""

from __future__ import annotations

from typing import Any

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from sanxiang.cases.services import transition
from sanxiang.cases.testing import open_test_case
from sanxiang.directory.models import Agency
from sanxiang.ledger.models import Entry
from sanxiang.lib.errors import DomainError
from sanxiang.supervision import notices
from sanxiang.supervision.inbox import notices_to_answer, notices_to_close
from sanxiang.supervision.models import Notice, NoticeStatus
from sanxiang.supervision.notices import NoticeData, Upload
from sanxiang.testing import WorldTestCase, a_day, signed_in
from sanxiang.workbench.inbox import Context


def data(w: Any, **kw: Any) -> NoticeData:
    values = {
        "agency_id": w.agency.pk,
        "subject": "超期未作出处罚决定",
        "finding": "立案已逾九十日未作出决定。",
        "requirement": "立即作出决定或依法办理延期审批。",
        "due_on": a_day(10),
    }
    values.update(kw)
    return NoticeData(**values)


class IssueTest(WorldTestCase):
    def test_a_supervisor_issues_a_notice_with_a_number_a_pdf_and_a_ledger_entry(self) -> None:
        case = open_test_case(self.w)
        first = notices.issue_notice(actor=self.w.supervisor, data=data(self.w, case_id=case.pk))
        second = notices.issue_notice(actor=self.w.supervisor, data=data(self.w))
        year = timezone.localdate().year
        assert first.number == f"测试区司执督〔{year}〕第1号"
        assert second.number.endswith("第2号")
        with default_storage.open(first.pdf_name, "rb") as handle:
            assert handle.read(5) == b"%PDF-"
        entry = Entry.objects.filter(event_type="supervision.notice_issued").first()
        assert entry is not None and entry.case_id == case.pk
        assert entry.agency_id == self.w.agency.pk

    def test_a_deadline_in_the_past_is_refused(self) -> None:
        with self.assertRaises(DomainError) as caught:
            notices.issue_notice(actor=self.w.supervisor, data=data(self.w, due_on=a_day(-1)))
        assert caught.exception.code == "validation_error"
        assert caught.exception.field == "due_on"
        assert not Notice.objects.exists()

    def test_only_a_supervisor_issues_and_only_to_an_agency_it_supervises(self) -> None:
        with self.assertRaises(DomainError) as caught:
            notices.issue_notice(actor=self.w.head, data=data(self.w))
        assert caught.exception.code == "forbidden"
        with self.assertRaises(DomainError) as caught:
            notices.issue_notice(
                actor=self.w.supervisor, data=data(self.w, agency_id=self.w.other_agency.pk)
            )
        assert caught.exception.code == "forbidden"

    def test_a_case_of_another_agency_is_refused(self) -> None:
        Agency.objects.filter(pk=self.w.other_agency.pk).update(supervised_by=self.w.justice)
        case = open_test_case(self.w)
        with self.assertRaises(DomainError) as caught:
            notices.issue_notice(
                actor=self.w.supervisor,
                data=data(self.w, agency_id=self.w.other_agency.pk, case_id=case.pk),
            )
        assert caught.exception.field == "case"

    def test_a_supervisor_cannot_change_an_agencys_case(self) -> None:
        case = open_test_case(self.w)
        with self.assertRaises(DomainError) as caught:
            transition(actor=self.w.supervisor, case_id=case.pk, target="investigation")
        assert caught.exception.code == "forbidden"


class AnswerTest(WorldTestCase):
    def test_the_agency_answers_with_attachments_and_the_supervisor_closes(self) -> None:
        notice = notices.issue_notice(actor=self.w.supervisor, data=data(self.w))
        ctx = Context(user=self.w.head)
        section = notices_to_answer(self.w.head, ctx)
        assert section is not None and section.count == 1
        answer = notices.answer_notice(
            actor=self.w.head,
            notice_id=notice.pk,
            text="已作出处罚决定并送达。",
            files=[Upload(name="决定书.pdf", data=b"%PDF-1.4 demo")],
        )
        assert answer.attachments.get().sha256
        assert not answer.late
        notice.refresh_from_db()
        assert notice.status == NoticeStatus.ANSWERED
        to_close = notices_to_close(self.w.supervisor, Context(user=self.w.supervisor))
        assert to_close is not None and to_close.count == 1
        closed = notices.close_notice(actor=self.w.supervisor, notice_id=notice.pk, note="整改到位")
        assert closed.status == NoticeStatus.CLOSED
        types = set(Entry.objects.values_list("event_type", flat=True))
        assert {"supervision.notice_answered", "supervision.notice_closed"} <= types

    def test_another_agency_cannot_answer(self) -> None:
        notice = notices.issue_notice(actor=self.w.supervisor, data=data(self.w))
        with self.assertRaises(DomainError) as caught:
            notices.answer_notice(actor=self.w.other_officer, notice_id=notice.pk, text="答复")
        assert caught.exception.code == "forbidden"
        assert "不是下发给您单位的" in caught.exception.message

    def test_an_empty_answer_and_a_second_answer_are_refused(self) -> None:
        notice = notices.issue_notice(actor=self.w.supervisor, data=data(self.w))
        with self.assertRaises(DomainError):
            notices.answer_notice(actor=self.w.head, notice_id=notice.pk, text="  ")
        notices.answer_notice(actor=self.w.head, notice_id=notice.pk, text="已整改")
        with self.assertRaises(DomainError) as caught:
            notices.answer_notice(actor=self.w.head, notice_id=notice.pk, text="再次")
        assert caught.exception.code == "conflict"

    def test_an_overdue_notice_escalates_once_and_an_answer_after_it_is_late(self) -> None:
        notice = notices.issue_notice(actor=self.w.supervisor, data=data(self.w, due_on=a_day()))
        assert notices.escalate_overdue(today=a_day(1)) == [notice.pk]
        assert notices.escalate_overdue(today=a_day(2)) == []
        notice.refresh_from_db()
        assert notice.status == NoticeStatus.ESCALATED
        assert Entry.objects.filter(event_type="supervision.notice_escalated").count() == 1
        Notice.objects.filter(pk=notice.pk).update(due_on=a_day(-1))
        answer = notices.answer_notice(actor=self.w.head, notice_id=notice.pk, text="迟报")
        assert answer.late


class NoticePagesTest(WorldTestCase):
    def test_a_round_trip_through_the_pages(self) -> None:
        sup = signed_in(self.w.supervisor)
        form = sup.get(f"/supervision/notices/new/?agency={self.w.agency.pk}")
        assert form.status_code == 200
        response = sup.post(
            "/supervision/notices/new/",
            {
                "agency": self.w.agency.pk,
                "subject": "公示逾期",
                "finding": "决定作出后未在7个工作日内公示。",
                "requirement": "立即公示。",
                "due_on": a_day(5).isoformat(),
            },
        )
        assert response.status_code == 302
        notice = Notice.objects.get()
        pdf = sup.get(f"/supervision/notices/{notice.pk}/notice.pdf")
        assert pdf["Content-Type"] == "application/pdf"
        head = signed_in(self.w.head)
        page = head.get(f"/supervision/notices/{notice.pk}/").content.decode()
        assert "报送整改情况" in page
        upload = SimpleUploadedFile("整改报告.txt", "已公示".encode(), content_type="text/plain")
        answered = head.post(
            f"/supervision/notices/{notice.pk}/",
            {"action": "answer", "text": "已于当日公示。", "attachments": [upload]},
        )
        assert answered.status_code == 302
        attachment = notice.answers.get().attachments.get()
        file = sup.get(f"/supervision/notices/{notice.pk}/files/{attachment.pk}/")
        assert file.content == "已公示".encode()
        sup.post(f"/supervision/notices/{notice.pk}/", {"action": "close", "note": "已整改"})
        notice.refresh_from_db()
        assert notice.status == NoticeStatus.CLOSED

    def test_a_past_deadline_on_the_form_shows_the_reason(self) -> None:
        response = signed_in(self.w.supervisor).post(
            "/supervision/notices/new/",
            {
                "agency": self.w.agency.pk,
                "subject": "x",
                "finding": "x",
                "requirement": "x",
                "due_on": a_day(-3).isoformat(),
            },
        )
        assert response.status_code == 200
        assert "督办期限不能早于今天" in response.content.decode()

    def test_other_agencies_do_not_see_the_notice(self) -> None:
        notice = notices.issue_notice(actor=self.w.supervisor, data=data(self.w))
        other = signed_in(self.w.other_officer)
        assert other.get(f"/supervision/notices/{notice.pk}/").status_code == 404
        assert other.get(f"/supervision/notices/{notice.pk}/notice.pdf").status_code == 404
        assert signed_in(self.w.head).get("/supervision/notices/new/").status_code == 403
