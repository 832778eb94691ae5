"""The 笔录 pages: thin views over the services, every refusal shown with its code."""

from __future__ import annotations

import json
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from sanxiang.cases.models import Case
from sanxiang.cases.testing import open_test_case, person
from sanxiang.documents.tests.helpers import QuickDocumentsTestCase
from sanxiang.testing import signed_in
from sanxiang.transcripts import services
from sanxiang.transcripts.models import Status, Transcript

from .helpers import inquiry, people, png, sign_all


class TranscriptPages(QuickDocumentsTestCase):
    case: Case

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.case = open_test_case(cls.w, parties=[person("张某")])

    def form(self) -> dict[str, object]:
        start = timezone.localtime() - timedelta(hours=1)
        return {
            "kind": "inquiry_record",
            "started_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ended_at": (start + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M"),
            "place": "询问室",
            "officers": [self.w.officer.officer.pk, self.w.officer2.officer.pk],
            "recorder": self.w.officer.officer.pk,
            "rights": ["certificate", "recusal"],
            "person_rows": 2,
            "person_role_0": "interviewee",
            "person_party_0": self.case.parties.get().pk,
            "person_role_1": "witness",
            "person_name_1": "王见证",
            "qa_rows": 2,
            "q_0": "你是谁？",
            "a_0": "我是张某。",
        }

    def test_the_case_page_offers_new_transcript_and_the_form_creates_a_draft(self):
        client = signed_in(self.w.officer)
        page = client.get(f"/cases/{self.case.pk}/")
        self.assertContains(page, "新建笔录")
        self.assertContains(client.get(f"/transcripts/case/{self.case.pk}/new/"), "告知事项")
        response = client.post(f"/transcripts/case/{self.case.pk}/new/", self.form())
        t = Transcript.objects.get()
        self.assertRedirects(response, f"/transcripts/{t.pk}/")
        self.assertEqual(t.questions, [{"q": "你是谁？", "a": "我是张某。"}])
        self.assertEqual(people(t)["interviewee"].name, "张某")
        detail = client.get(f"/transcripts/{t.pk}/")
        self.assertContains(detail, "签署封存并制发")
        self.assertContains(detail, "第五十五条第一款")

    def test_a_bad_form_is_shown_again_with_the_reason_and_nothing_saved(self):
        client = signed_in(self.w.officer)
        data = {**self.form(), "officers": [self.w.officer.officer.pk]}
        response = client.post(f"/transcripts/case/{self.case.pk}/new/", data)
        self.assertContains(response, "不得少于两人", status_code=422)
        self.assertContains(response, "我是张某。", status_code=422)
        self.assertFalse(Transcript.objects.exists())

    def test_the_signing_endpoint_takes_a_png_and_answers_json(self):
        t = services.create_transcript(
            actor=self.w.officer, case_id=self.case.pk, data=inquiry(self.w, self.case)
        )
        p = people(t)["interviewee"]
        client = signed_in(self.w.officer)
        self.assertContains(client.get(f"/transcripts/{t.pk}/sign/{p.pk}/"), "signature-pad")
        url = f"/transcripts/{t.pk}/sign/{p.pk}/"
        blank = client.post(url, {"signature": SimpleUploadedFile("s.png", png(blank=True))})
        self.assertEqual(blank.status_code, 422)
        self.assertEqual(json.loads(blank.content)["error"]["code"], "signature_invalid_image")
        good = client.post(url, {"signature": SimpleUploadedFile("s.png", png())})
        self.assertEqual(good.status_code, 200, good.content)
        p.refresh_from_db()
        self.assertTrue(p.signature_sha256)

    def test_other_agencies_and_visitors_are_kept_out(self):
        t = services.create_transcript(
            actor=self.w.officer, case_id=self.case.pk, data=inquiry(self.w, self.case)
        )
        p = people(t)["interviewee"]
        other = signed_in(self.w.other_officer)
        for url in (
            f"/transcripts/{t.pk}/",
            f"/transcripts/{t.pk}/edit/",
            f"/transcripts/case/{self.case.pk}/new/",
        ):
            self.assertEqual(other.get(url).status_code, 404, url)
        answer = other.post(
            f"/transcripts/{t.pk}/sign/{p.pk}/", {"signature": SimpleUploadedFile("s.png", png())}
        )
        self.assertEqual(answer.status_code, 404)
        self.assertEqual(self.client.get(f"/transcripts/{t.pk}/").status_code, 302)
        supervisor = signed_in(self.w.supervisor)
        self.assertEqual(supervisor.get(f"/transcripts/{t.pk}/").status_code, 200)
        self.assertEqual(supervisor.post(f"/transcripts/{t.pk}/seal/").status_code, 403)

    def test_a_sealed_transcript_shows_its_files_and_refuses_the_edit_page(self):
        t = services.create_transcript(
            actor=self.w.officer, case_id=self.case.pk, data=inquiry(self.w, self.case)
        )
        sign_all(self.w, t)
        client = signed_in(self.w.officer)
        self.assertRedirects(client.post(f"/transcripts/{t.pk}/seal/"), f"/transcripts/{t.pk}/")
        t.refresh_from_db()
        self.assertEqual(t.status, Status.SEALED)
        detail = client.get(f"/transcripts/{t.pk}/")
        self.assertContains(detail, f"/documents/{t.document_id}/download/pdf/")
        self.assertNotContains(detail, "签署封存并制发")
        refused = client.get(f"/transcripts/{t.pk}/edit/")
        self.assertContains(refused, "record_signed", status_code=409)
