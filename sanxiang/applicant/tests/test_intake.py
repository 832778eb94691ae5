"""网上受理 (issue 16, item 1): the form from the 服务指南, uploads through the evidence store,
the receipt, the case at its first stage with the 行政许可法 第32条 clock; and every bad input
refused in Chinese with nothing stored."""

from __future__ import annotations

import json
import re
from unittest import mock

from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from sanxiang.applicant.models import Material, OnlineApplication
from sanxiang.cases.models import Case, Deadline
from sanxiang.documents.tests.helpers import QuickDocumentsTestCase, quick_pdf
from sanxiang.ledger.models import Entry
from sanxiang.lib.workdays import add_working_days
from sanxiang.testing import signed_in
from sanxiang.workbench.inbox import inbox_for

from .helpers import (
    PDF,
    PNG,
    online_matter,
    organisation_form,
    start_draft,
    submitted,
    upload_file,
)

QUICK = mock.patch("sanxiang.documents.render_pdf.render_pdf", quick_pdf)


class ApplyingOnline(QuickDocumentsTestCase):
    def setUp(self) -> None:
        self.matter = online_matter(self.w)

    def test_the_form_lists_the_guides_materials_with_the_published_sample(self):
        from sanxiang.disclosure.models import SampleText

        sample = SampleText.objects.create(
            matter=self.matter,
            material="申请书",
            title="申请书（示范文本）",
            body="示范" * 20,
            updated_at=timezone.now(),
        )
        page = self.client.get(reverse("applicant_intake:start", args=[self.matter.pk]))
        text = page.content.decode()
        assert page.status_code == 200
        assert "申请书" in text and "登记证书复印件" in text
        assert reverse("portal:sample", args=[self.matter.pk, sample.pk]) in text
        assert "第三十二条" in text
        listing = self.client.get(reverse("applicant_intake:matters")).content.decode()
        assert reverse("applicant_intake:start", args=[self.matter.pk]) in listing

    def test_a_complete_application_opens_a_licence_case_with_the_article_32_clock(self):
        with QUICK:
            answer, link = submitted(self.client, self.matter)
        text = answer.content.decode()
        case = Case.objects.get(procedure="licence")
        assert case.stage == "application" and case.source == "application"
        assert case.number in text and "查询码" in text and "第三十二条" in text
        assert "no-store" in answer["Cache-Control"]
        clock = Deadline.objects.get(case=case, rule="supplement")
        assert clock.starts_on == timezone.localdate()
        assert clock.due_on == add_working_days(timezone.localdate(), 5)
        application = OnlineApplication.objects.get()
        assert application.case == case and application.receipt_sha256
        entry = Entry.objects.get(event_type="applicant.application_submitted")
        payload = json.loads(entry.payload)
        assert [m[0] for m in payload["materials"]] == ["申请书", "登记证书复印件"]
        assert payload["content_sha256"] == application.content_sha256
        opened = json.loads(Entry.objects.get(event_type="case.opened").payload)
        assert opened["via"] == "online" and opened["team"] == []
        assert Entry.objects.filter(event_type="applicant.receipt_issued").count() == 1
        # The link works; the receipt PDF comes through it with its hash.
        pdf = self.client.get(reverse("applicant_portal:receipt", args=[link]))
        assert pdf.status_code == 200 and pdf["X-Content-SHA256"] == application.receipt_sha256
        # The head's 待办 has it, with the 补正 deadline.
        inbox = inbox_for(self.w.head)
        [section] = [s for s in inbox.sections if s.code == "applicant.applications"]
        assert section.count == 1 and section.items[0].due_on == clock.due_on
        assert not [
            s for s in inbox_for(self.w.other_officer).sections if s.code.startswith("applicant.")
        ]

    def test_the_query_code_on_the_receipt_answers_the_progress_query(self):
        with QUICK:
            answer, _ = submitted(self.client, self.matter)
        found = re.search(r'id="query-code">([A-Z0-9]{8})<', answer.content.decode())
        assert found is not None
        code = found.group(1)
        case = Case.objects.get()
        shown = Client(REMOTE_ADDR="10.0.0.9").post(
            reverse("applicant_portal:progress"), {"number": case.number, "factor": code}
        )
        assert shown.status_code == 200 and "申请" in shown.content.decode()
        wrong = Client(REMOTE_ADDR="10.0.0.9").post(
            reverse("applicant_portal:progress"), {"number": case.number, "factor": "ABCDEFGH"}
        )
        assert wrong.status_code == 404

    def test_the_receipt_pdf_is_rendered_with_the_cjk_font_and_its_hash_recorded(self):
        import hashlib

        _answer, link = submitted(self.client, self.matter)
        pdf = self.client.get(reverse("applicant_portal:receipt", args=[link]))
        body = b"".join(pdf.streaming_content)  # type: ignore[attr-defined]
        assert body.startswith(b"%PDF") and len(body) > 5000
        assert hashlib.sha256(body).hexdigest() == OnlineApplication.objects.get().receipt_sha256

    def test_a_file_that_is_not_what_it_claims_is_refused_and_nothing_is_stored(self):
        token = start_draft(self.client, self.matter)
        answer = upload_file(self.client, token, "申请书", b"just some text, not a pdf", "x.pdf")
        assert answer.status_code == 422
        assert "不是可接受的材料格式" in answer.content.decode()
        exe = upload_file(self.client, token, "申请书", b"MZ\x90\x00" + b"\x00" * 100, "x.pdf")
        assert exe.status_code == 422 and "可执行程序" in exe.content.decode()
        assert not Material.objects.exists()

    def test_an_empty_upload_is_refused(self):
        token = start_draft(self.client, self.matter)
        answer = upload_file(self.client, token, "申请书", b"", "empty.pdf")
        assert answer.status_code == 422 and "为空" in answer.content.decode()
        assert not Material.objects.exists()

    @override_settings(SANXIANG_APPLICATION_MAX_MB=1)
    def test_an_oversized_upload_is_refused(self):
        token = start_draft(self.client, self.matter)
        answer = upload_file(self.client, token, "申请书", PDF + b"0" * (1024 * 1024))
        assert answer.status_code == 422 and "超过1 MB" in answer.content.decode()
        assert not Material.objects.exists()

    def test_a_png_scan_is_accepted_and_a_second_upload_replaces_the_first(self):
        token = start_draft(self.client, self.matter)
        assert upload_file(self.client, token, "申请书", PDF).status_code == 302
        assert upload_file(self.client, token, "申请书", PNG, "scan.png").status_code == 302
        [material] = Material.objects.all()
        assert material.content_type == "image/png" and material.original_name == "scan.png"

    def test_an_item_not_in_the_guide_is_refused(self):
        token = start_draft(self.client, self.matter)
        assert upload_file(self.client, token, "别的材料", PDF).status_code == 422
        assert not Material.objects.exists()

    def test_submitting_without_every_material_is_refused_and_opens_no_case(self):
        token = start_draft(self.client, self.matter)
        upload_file(self.client, token, "申请书", PDF)
        answer = self.client.post(reverse("applicant_intake:submit", args=[token]))
        assert answer.status_code == 422 and "登记证书复印件" in answer.content.decode()
        assert not Case.objects.exists()
        assert not Entry.objects.filter(event_type="applicant.application_submitted").exists()

    def test_a_matter_without_online_applications_is_refused(self):
        closed = online_matter(self.w, online=False)
        page = self.client.get(reverse("applicant_intake:start", args=[closed.pk]))
        assert page.status_code == 409 and "不接受网上申请" in page.content.decode()
        post = self.client.post(reverse("applicant_intake:start", args=[closed.pk]), {})
        assert post.status_code == 409
        assert not OnlineApplication.objects.exists()

    def test_a_draft_replayed_from_another_browser_is_refused(self):
        token = start_draft(self.client, self.matter)
        other = Client()
        page = other.get(reverse("applicant_intake:draft", args=[token]))
        assert page.status_code == 403 and "开始填写的浏览器" in page.content.decode()
        assert upload_file(other, token, "申请书", PDF).status_code == 403
        assert not Material.objects.exists()

    def test_an_expired_draft_is_refused(self):
        token = start_draft(self.client, self.matter)
        OnlineApplication.objects.update(expires_at=timezone.now())  # test data: expired
        page = self.client.get(reverse("applicant_intake:draft", args=[token]))
        assert page.status_code == 410 and "过期" in page.content.decode()

    def test_a_second_submission_of_the_same_draft_is_refused(self):
        token = start_draft(self.client, self.matter)
        for item in ("申请书", "登记证书复印件"):
            upload_file(self.client, token, item, PDF)
        url = reverse("applicant_intake:submit", args=[token])
        with QUICK:
            assert self.client.post(url).status_code == 201
        again = self.client.post(url)
        assert again.status_code == 409 and "不能重复提交" in again.content.decode()
        assert Case.objects.count() == 1

    def test_a_bad_credit_code_is_refused_on_the_form(self):
        answer = self.client.post(
            reverse("applicant_intake:start", args=[self.matter.pk]),
            {
                "kind": "organisation",
                "name": "某寺",
                "credit_code": "123",
                "phone": "13800000000",
                "request": "申请",
            },
        )
        assert answer.status_code == 422 and "统一社会信用代码校验不通过" in answer.content.decode()
        assert not OnlineApplication.objects.exists()

    def test_staff_of_another_agency_cannot_open_the_materials(self):
        with QUICK:
            submitted(self.client, self.matter)
        material = Material.objects.get(item="申请书")
        url = reverse("applicant:material", args=[material.pk])
        assert signed_in(self.w.other_officer).get(url).status_code == 404
        mine = signed_in(self.w.officer).get(url)
        body = b"".join(mine.streaming_content)  # type: ignore[attr-defined]
        assert mine.status_code == 200 and body == PDF
        assert Entry.objects.filter(event_type="applicant.material_viewed").count() == 1


FIELDS = "宗教活动场所名称*\n实施地点*\n拟实施日期"


class TheMattersOwnItems(QuickDocumentsTestCase):
    """The guide's 网上申请填写事项: the form asks them, a required one is refused when empty,
    the answers reach the receipt (whose hash the submission records), the case and the staff."""

    def setUp(self) -> None:
        from sanxiang.catalog.models import MatterVersion

        self.matter = online_matter(self.w)
        MatterVersion.objects.filter(matter=self.matter).update(application_fields=FIELDS)

    def answers(self, *values: str) -> dict[str, str]:
        return {f"field_{n}": value for n, value in enumerate(values)}

    def test_the_form_asks_the_guides_items_and_marks_the_required_ones(self):
        text = self.client.get(
            reverse("applicant_intake:start", args=[self.matter.pk])
        ).content.decode()
        assert 'name="field_0"' in text and "宗教活动场所名称" in text
        assert re.search(r'name="field_1"[^>]*required', text)
        assert not re.search(r'name="field_2"[^>]*required', text) and "（选填）" in text

    def test_a_required_item_left_empty_is_refused_by_name_and_nothing_is_stored(self):
        answer = self.client.post(
            reverse("applicant_intake:start", args=[self.matter.pk]),
            {**organisation_form(), **self.answers("测试区某某寺", "   ")},
        )
        text = answer.content.decode()
        assert answer.status_code == 422 and "请填写“实施地点”" in text
        assert 'value="测试区某某寺"' in text  # what was typed is kept on the page
        assert not OnlineApplication.objects.exists()

    def test_the_answers_reach_the_receipt_the_case_and_the_staff_panel(self):
        with QUICK:
            submitted(
                self.client, self.matter, **self.answers("测试区某某寺", "测试区某某路1号", "")
            )
        application = OnlineApplication.objects.get()
        assert application.answers == [
            ["宗教活动场所名称", "测试区某某寺"],
            ["实施地点", "测试区某某路1号"],
            ["拟实施日期", ""],
        ]
        case = Case.objects.get()
        assert "实施地点：测试区某某路1号" in case.facts and "拟实施日期" not in case.facts
        # The receipt's content (hashed into the submission's entry) names every item.
        from sanxiang.applicant.intake import receipt_content

        content = receipt_content(application, list(Material.objects.order_by("pk")), case)
        assert content.sha256() == application.content_sha256
        changed = OnlineApplication.objects.get()
        changed.answers = [["宗教活动场所名称", "别的寺"], *changed.answers[1:]]
        assert receipt_content(changed, list(Material.objects.order_by("pk")), case).sha256() != (
            application.content_sha256
        )
        page = signed_in(self.w.head).get(reverse("cases:detail", args=[case.pk])).content.decode()
        assert "实施地点" in page and "测试区某某路1号" in page

    def test_a_guide_with_too_many_repeated_or_long_items_is_refused(self):
        from sanxiang.catalog.services import MatterContent, validate_content
        from sanxiang.lib.errors import ValidationFailed

        def refused(text: str) -> str:
            content = MatterContent(
                category="licence", name="许可", handling_unit="科", application_fields=text
            )
            try:
                validate_content(content)
            except ValidationFailed as error:
                assert error.field == "application_fields"
                return error.message
            raise AssertionError("accepted")

        assert "重复" in refused("名称*\n名称")
        assert "过长" in refused("名" * 41)
        assert "不超过20项" in refused("\n".join(f"事项{n}" for n in range(21)))
