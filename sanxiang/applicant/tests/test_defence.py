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


class AttachingAFile(QuickDocumentsTestCase):
    """陈述申辩 (with attachments): one file per submission, checked by its bytes."""

    def submit(self, token: str, data: bytes, name: str = "情况说明.pdf", text: str = "已整改。"):
        import io

        handle = io.BytesIO(data)
        handle.name = name
        return self.client.post(
            reverse("applicant_portal:defence", args=[token]), {"text": text, "file": handle}
        )

    def test_the_file_enters_the_store_the_ledger_and_the_case_page_and_staff_open_it(self):
        import hashlib

        from sanxiang.applicant.models import DefenceAttachment

        from .helpers import PDF

        case = notified_case(self.w)
        token = link_for(self.w, case, company_of(case))
        assert self.submit(token, PDF).status_code == 302
        attachment = DefenceAttachment.objects.get()
        assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
        assert attachment.content_type == "application/pdf" and attachment.size == len(PDF)
        entry = json.loads(Entry.objects.get(event_type="applicant.defence_submitted").payload)
        assert entry["attachments"][0][1] == attachment.sha256
        page = self.client.get(reverse("applicant_portal:link", args=[token])).content.decode()
        assert "附件：情况说明.pdf" in page
        staff = signed_in(self.w.officer)
        panel = staff.get(reverse("cases:detail", args=[case.pk])).content.decode()
        url = reverse("applicant:defence_attachment", args=[attachment.pk])
        assert url in panel
        opened = staff.get(url)
        assert opened.status_code == 200
        assert b"".join(opened.streaming_content) == PDF  # type: ignore[attr-defined]
        viewed = Entry.objects.filter(event_type="applicant.material_viewed").get()
        assert json.loads(viewed.payload)["defence_attachment"] == attachment.pk

    def test_another_agency_cannot_open_the_attachment(self):
        from sanxiang.applicant.models import DefenceAttachment

        from .helpers import PDF

        case = notified_case(self.w)
        assert self.submit(link_for(self.w, case, company_of(case)), PDF).status_code == 302
        url = reverse("applicant:defence_attachment", args=[DefenceAttachment.objects.get().pk])
        assert signed_in(self.w.other_officer).get(url).status_code in (403, 404)
        assert not Entry.objects.filter(event_type="applicant.material_viewed").exists()

    def test_a_file_not_what_it_claims_or_empty_is_refused_with_the_statement(self):
        case = notified_case(self.w)
        token = link_for(self.w, case, company_of(case))
        fake = self.submit(token, b"MZ\x90\x00" + b"\x00" * 100, "证据.pdf")
        assert fake.status_code == 422 and "可执行程序" in fake.content.decode()
        text = self.submit(token, b"plain words, not a scan", "证据.pdf")
        assert text.status_code == 422 and "不是可接受的材料格式" in text.content.decode()
        empty = self.submit(token, b"", "空.pdf")
        assert empty.status_code == 422 and "为空" in empty.content.decode()
        assert not DefenceStatement.objects.exists()
        assert not Entry.objects.filter(event_type="applicant.defence_submitted").exists()

    def test_after_the_period_the_file_is_not_even_stored(self):
        from sanxiang.records import blobs

        from .helpers import PDF

        case = notified_case(self.w)
        IssuedDocument.objects.filter(case=case).update(
            issued_at=timezone.now() - timedelta(days=30)
        )
        late = PDF + b"late"
        answer = self.submit(link_for(self.w, case, company_of(case)), late)
        assert answer.status_code == 409 and "期限已于" in answer.content.decode()
        import hashlib

        name = blobs.content_address(hashlib.sha256(late).hexdigest())
        assert not blobs.storage().exists(name)
        assert not DefenceStatement.objects.exists()


class ThePeriodIsTheGuards(QuickDocumentsTestCase):
    def test_the_online_period_ends_when_the_decision_guards_period_ends(self):
        """Counted, like the guard, from the day the case entered its 告知 stage."""
        from sanxiang.cases import order
        from sanxiang.cases.services import DraftData, save_draft
        from sanxiang.cases.testing import company, open_test_case
        from sanxiang.documents.testing import take_step

        case = open_test_case(self.w, parties=[company()], title="某公司违规组织宗教活动")
        take_step(self.w.head, case.pk, "investigation")
        take_step(self.w.officer, case.pk, "case_review")
        save_draft(
            actor=self.w.officer,
            case_id=case.pk,
            data=DraftData(
                kind="fine",
                fine_amount="500",
                legal_basis="《宗教事务条例》第七十一条",
                violated_provision="《宗教事务条例》第四十一条",
            ),
        )
        take_step(self.w.officer, case.pk, "notice", waive=False)
        case = Case.objects.get(pk=case.pk)
        [guard] = [p for p in order.periods(case) if p.rule.code == "defence"]
        assert defence.defence_period(case) == guard.ends_on
