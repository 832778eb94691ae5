"""/api/v1/transcripts: the services behind JSON, refusals as {"error": {"code", "message"}}."""

from __future__ import annotations

import base64
from datetime import timedelta

from django.utils import timezone

from sanxiang.cases.models import Case
from sanxiang.cases.testing import open_test_case, person
from sanxiang.documents.tests.helpers import QuickDocumentsTestCase
from sanxiang.testing import signed_in

from .helpers import ANSWER, png

API = "/api/v1/transcripts"


class TranscriptApi(QuickDocumentsTestCase):
    case: Case

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.case = open_test_case(cls.w, parties=[person("张某")])

    def body(self) -> dict[str, object]:
        start = timezone.now() - timedelta(hours=1)
        return {
            "kind": "inquiry_record",
            "started_at": start.isoformat(),
            "ended_at": (start + timedelta(minutes=20)).isoformat(),
            "place": "询问室",
            "officer_ids": [self.w.officer.officer.pk, self.w.officer2.officer.pk],
            "recorder_id": self.w.officer.officer.pk,
            "persons": [{"role": "interviewee", "party_id": self.case.parties.get().pk}],
            "questions": [{"q": "你是谁？", "a": ANSWER}],
        }

    def test_a_transcript_is_drafted_signed_and_sealed_through_the_api(self):
        client = signed_in(self.w.officer)
        made = client.post(
            f"{API}/case/{self.case.pk}", self.body(), content_type="application/json"
        )
        self.assertEqual(made.status_code, 201, made.content)
        t = made.json()
        for p in t["people"]:
            signature = base64.b64encode(png(shift=p["position"])).decode()
            answer = client.post(
                f"{API}/{t['id']}/people/{p['id']}/signature",
                {"png_base64": signature},
                content_type="application/json",
            )
            self.assertEqual(answer.status_code, 200, answer.content)
        sealed = client.post(f"{API}/{t['id']}/seal")
        self.assertEqual(sealed.status_code, 200, sealed.content)
        self.assertEqual(sealed.json()["status"], "sealed")
        self.assertIsNotNone(sealed.json()["document_id"])
        again = client.put(f"{API}/{t['id']}", self.body(), content_type="application/json")
        self.assertEqual((again.status_code, again.json()["error"]["code"]), (409, "record_signed"))

    def test_refusals_come_back_with_their_codes(self):
        client = signed_in(self.w.officer)
        t = client.post(
            f"{API}/case/{self.case.pk}", self.body(), content_type="application/json"
        ).json()
        person_id = t["people"][0]["id"]
        url = f"{API}/{t['id']}/people/{person_id}"
        for payload, code in (
            ({"png_base64": "not base64!"}, "validation_error"),
            ({"png_base64": base64.b64encode(b"GIF89a").decode()}, "signature_invalid_image"),
            ({"png_base64": base64.b64encode(png(blank=True)).decode()}, "signature_invalid_image"),
        ):
            answer = client.post(f"{url}/signature", payload, content_type="application/json")
            self.assertEqual(answer.json()["error"]["code"], code, payload)
        refusal = client.post(f"{url}/refusal", {}, content_type="application/json")
        self.assertEqual(refusal.json()["error"]["code"], "refusal_witness_required")
        unsigned = client.post(f"{API}/{t['id']}/seal")
        self.assertEqual(
            (unsigned.status_code, unsigned.json()["error"]["code"]), (409, "record_unsigned")
        )
        other = signed_in(self.w.other_officer)
        self.assertEqual(other.get(f"{API}/{t['id']}").status_code, 404)
        self.assertEqual(other.get(f"{API}/case/{self.case.pk}").status_code, 404)
