"""补正 online (issue 16, item 3): staff tell every missing item at once (行政许可法 第32条第一款
第（四）项) with a 补正告知书; the applicant sees exactly those items through their link, uploads
them, and 受理 is dated the day the complete 补正 arrived."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

from django.urls import reverse
from django.utils import timezone

from sanxiang.applicant.models import Material, SupplementRequest
from sanxiang.cases.models import Case, Deadline
from sanxiang.documents.models import IssuedDocument
from sanxiang.documents.tests.helpers import QuickDocumentsTestCase, quick_pdf
from sanxiang.ledger.models import Entry
from sanxiang.testing import signed_in

from .helpers import PDF, online_matter, submitted

QUICK = mock.patch("sanxiang.documents.render_pdf.render_pdf", quick_pdf)


class Applied(QuickDocumentsTestCase):
    def setUp(self) -> None:
        self.matter = online_matter(self.w)
        with QUICK:
            _, self.link = submitted(self.client, self.matter)
        self.case = Case.objects.get()

    def ask(self, user=None, **fields):
        data = {
            "item": ["申请书", "登记证书复印件", "其他"],
            "missing": ["0"],
            "reason-0": "申请书未加盖公章",
            "reason-1": "",
            "reason-2": "",
        } | fields
        return self.staff(user or self.w.head).post(
            reverse("applicant:supplement", args=[self.case.pk]), data
        )

    def staff(self, user):
        """One signed-in client per person (a second sign-in in the same TOTP step is refused)."""
        clients = self.__dict__.setdefault("_clients", {})
        if user.pk not in clients:
            clients[user.pk] = signed_in(user)
        return clients[user.pk]

    def upload(self, item: str, data: bytes = PDF):
        import io

        handle = io.BytesIO(data)
        handle.name = "fix.pdf"
        return self.client.post(
            reverse("applicant_portal:supplement_upload", args=[self.link]),
            {"item": item, "file": handle},
        )


class SupplementOnline(Applied):
    def test_the_head_tells_the_items_at_once_and_the_applicant_sees_exactly_them(self):
        assert self.ask().status_code == 302
        case = Case.objects.get()
        assert case.stage == "supplement"
        notice = IssuedDocument.objects.get(case=case, kind="supplement_notice")
        assert notice.number
        request = SupplementRequest.objects.get()
        assert request.status == "issued" and request.items == [
            {"item": "申请书", "reason": "申请书未加盖公章"}
        ]
        assert Deadline.objects.get(case=case, rule="supplement").status == "met"
        page = self.client.get(reverse("applicant_portal:link", args=[self.link])).content.decode()
        assert "申请书未加盖公章" in page and "提交全部补正材料" in page
        assert Entry.objects.filter(event_type="applicant.supplement_issued").count() == 1

    def test_the_notice_text_lists_the_items(self):
        from sanxiang.applicant import supplements

        self.ask()
        assert "申请书未加盖公章" in supplements.notice_text(Case.objects.get())

    def test_the_applicant_supplements_and_acceptance_is_dated_that_day(self):
        self.ask()
        assert self.upload("登记证书复印件").status_code == 422  # not an item told
        assert self.upload("申请书", b"not a pdf at all").status_code == 422
        assert not Material.objects.filter(supplement__isnull=False).exists()
        early = self.client.post(reverse("applicant_portal:supplement_submit", args=[self.link]))
        assert early.status_code == 422 and "尚未上传" in early.content.decode()
        assert self.upload("申请书").status_code == 302
        done = self.client.post(reverse("applicant_portal:supplement_submit", args=[self.link]))
        assert done.status_code == 302
        request = SupplementRequest.objects.get()
        assert request.status == "answered"
        # test data: the 补正 arrived three days ago; 受理 is dated that day (第32条).
        arrived = timezone.now() - timedelta(days=3)
        SupplementRequest.objects.update(answered_at=arrived)
        Case.objects.filter(pk=self.case.pk).update(
            opened_on=timezone.localdate(arrived) - timedelta(days=2)
        )
        assert (
            self.staff(self.w.head)
            .post(reverse("applicant:accept", args=[self.case.pk]))
            .status_code
            == 302
        )
        case = Case.objects.get()
        assert case.stage == "acceptance"
        decide = Deadline.objects.get(case=case, rule="decide")
        assert decide.starts_on == timezone.localdate(arrived)
        again = self.client.post(reverse("applicant_portal:supplement_submit", args=[self.link]))
        assert again.status_code == 409

    def test_nothing_is_asked_without_a_reason_or_after_the_five_working_days(self):
        assert self.ask(**{"reason-0": ""}).status_code == 422
        assert self.ask(missing=[]).status_code == 422
        # test data: received ten days ago, the five working days have run
        ago = timezone.localdate() - timedelta(days=10)
        Deadline.objects.filter(rule="supplement").update(
            starts_on=ago, due_on=timezone.localdate() - timedelta(days=1), warn_on=ago
        )
        late = self.ask()
        assert late.status_code == 409 and "视为自收到申请材料之日起受理" in late.content.decode()
        assert Case.objects.get().stage == "application"
        assert not IssuedDocument.objects.filter(kind="supplement_notice").exists()

    def test_acceptance_before_the_supplement_arrived_is_refused(self):
        from sanxiang.cases.services import transition
        from sanxiang.lib.errors import DomainError

        self.ask()
        try:
            transition(actor=self.w.head, case_id=self.case.pk, target="acceptance")
        except DomainError as err:
            assert err.code == "conflict" and "尚未在线提交全部补正材料" in err.message
        else:
            raise AssertionError("accepted before the 补正 arrived")
        assert Case.objects.get().stage == "supplement"

    def test_the_step_without_the_list_is_refused(self):
        from sanxiang.cases.services import transition
        from sanxiang.lib.errors import DomainError

        try:
            transition(actor=self.w.head, case_id=self.case.pk, target="supplement")
        except DomainError as err:
            assert err.code == "document_required" and "一次告知" in err.message
        else:
            raise AssertionError("entered 补正 without the list")

    def test_another_agency_cannot_ask_and_an_officer_off_the_team_cannot_either(self):
        assert self.ask(self.w.other_officer).status_code == 404
        assert self.ask(self.w.officer).status_code == 403
        assert Case.objects.get().stage == "application"


class DeemedAccepted(Applied):
    def test_after_five_working_days_untold_the_applicant_reads_it_counts_as_accepted(self):
        """行政许可法 第32条: told nothing in time, the application counts as accepted from the
        day of receipt; 受理 is then dated that day and the 20 working days run from it."""
        from sanxiang.applicant.models import OnlineApplication
        from sanxiang.lib.workdays import add_working_days

        ago = timezone.localdate() - timedelta(days=10)
        # test data: received ten days ago
        Case.objects.filter(pk=self.case.pk).update(opened_on=ago)
        OnlineApplication.objects.update(submitted_at=timezone.now() - timedelta(days=10))
        Deadline.objects.filter(rule="supplement").update(
            starts_on=ago, due_on=timezone.localdate() - timedelta(days=1), warn_on=ago
        )
        page = self.client.get(reverse("applicant_portal:link", args=[self.link])).content.decode()
        assert "即为受理" in page and f"{ago:%Y年%m月%d日}" in page
        answer = self.staff(self.w.head).post(reverse("applicant:accept", args=[self.case.pk]))
        assert answer.status_code == 302
        decide = Deadline.objects.get(case=self.case, rule="decide")
        assert decide.starts_on == ago and decide.due_on == add_working_days(ago, 20)
