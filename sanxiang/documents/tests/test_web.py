from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from sanxiang.cases.models import Case
from sanxiang.documents.models import IssuedDocument
from sanxiang.documents.services import issue_document
from sanxiang.ledger.models import Entry
from sanxiang.testing import signed_in

from .helpers import QuickDocumentsTestCase, case_at, fine_draft

HX = {"HX-Request": "true"}


class DocumentsPanel(QuickDocumentsTestCase):
    case: Case
    doc: IssuedDocument

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.case = case_at(cls.w, "decision", **fine_draft())
        cls.doc = issue_document(
            actor=cls.w.officer, case_id=cls.case.pk, kind="address_confirmation"
        )

    def url(self, case_id: int | None = None) -> str:
        return f"/documents/case/{case_id or self.case.pk}/"

    def test_the_panel_lists_issued_documents_and_offers_the_kinds_of_the_stage(self):
        response = signed_in(self.w.officer).get(self.url(), headers=HX)
        html = response.content.decode()
        assert response.status_code == 200
        assert 'id="documents-panel"' in html and "<html" not in html
        assert f"/documents/{self.doc.pk}/download/pdf/" in html
        assert 'value="penalty_decision"' in html
        assert 'value="address_confirmation"' not in html  # single per case, already issued

    def test_the_case_page_shows_the_panel_to_the_team(self):
        html = signed_in(self.w.officer).get(f"/cases/{self.case.pk}/").content.decode()
        assert 'id="documents-panel"' in html and self.doc.title in html
        assert 'value="penalty_decision"' in html

    def test_the_case_page_leaves_the_panel_out_for_an_admin(self):
        response = signed_in(self.w.admin).get(f"/cases/{self.case.pk}/")
        assert response.status_code == 200
        assert 'id="documents-panel"' not in response.content.decode()

    def test_the_panel_reads_a_fixed_number_of_queries_however_many_documents(self):
        client = signed_in(self.w.officer)
        client.get(self.url(), headers=HX)  # the first page after login stamps the session once
        with CaptureQueriesContext(connection) as one:
            client.get(self.url(), headers=HX)
        for _ in range(3):
            issue_document(actor=self.w.officer, case_id=self.case.pk, kind="delivery_receipt")
        with CaptureQueriesContext(connection) as four:
            client.get(self.url(), headers=HX)
        assert len(four) == len(one) <= 20

    def test_the_standalone_page_wraps_the_panel(self):
        html = signed_in(self.w.head).get(self.url()).content.decode()
        assert "<html" in html and 'id="documents-panel"' in html

    def test_the_supervisor_sees_the_list_without_issue_buttons(self):
        html = signed_in(self.w.supervisor).get(self.url(), headers=HX).content.decode()
        assert "送达地址确认书" in html and 'name="kind"' not in html

    def test_an_anonymous_visitor_is_sent_to_sign_in(self):
        response = Client().get(self.url())
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    def test_another_agency_gets_not_found(self):
        response = signed_in(self.w.other_officer).get(self.url())
        assert response.status_code == 404

    def test_an_unknown_case_gets_not_found(self):
        assert signed_in(self.w.officer).get(self.url(999999)).status_code == 404

    def test_issuing_through_htmx_returns_the_refreshed_panel(self):
        client = signed_in(self.w.officer)
        response = client.post(f"{self.url()}issue/", {"kind": "penalty_decision"}, headers=HX)
        doc = IssuedDocument.objects.get(case=self.case, kind="penalty_decision")
        assert response.status_code == 200
        assert doc.number in response.content.decode()

    def test_a_refused_issue_shows_its_reason_in_the_panel(self):
        client = signed_in(self.w.officer)
        response = client.post(f"{self.url()}issue/", {"kind": "address_confirmation"}, headers=HX)
        assert 'data-error-code="conflict"' in response.content.decode()

    def test_a_supervisor_cannot_issue(self):
        client = signed_in(self.w.supervisor)
        response = client.post(f"{self.url()}issue/", {"kind": "penalty_decision"}, headers=HX)
        assert response.status_code == 403
        assert not IssuedDocument.objects.filter(kind="penalty_decision").exists()

    def test_issuing_needs_post(self):
        assert signed_in(self.w.officer).get(f"{self.url()}issue/").status_code == 405

    def test_a_download_sends_the_file_and_logs_who_fetched_it(self):
        doc = issue_document(actor=self.w.officer, case_id=self.case.pk, kind="penalty_decision")
        response = signed_in(self.w.reviewer).get(f"/documents/{doc.pk}/download/pdf/")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        look = Entry.objects.get(event_type="document.downloaded")
        assert look.actor_id == self.w.reviewer.pk and look.case_id == self.case.pk

    def test_a_download_by_another_agency_is_not_found_and_not_logged(self):
        response = signed_in(self.w.other_officer).get(f"/documents/{self.doc.pk}/download/docx/")
        assert response.status_code == 404
        assert not Entry.objects.filter(event_type="document.downloaded").exists()


class DocumentsApi(QuickDocumentsTestCase):
    case: Case

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.case = case_at(cls.w, "decision", **fine_draft())

    def test_issue_list_and_download_through_the_api(self):
        client = signed_in(self.w.officer)
        made = client.post(
            "/api/v1/documents",
            {"case_id": self.case.pk, "kind": "penalty_decision"},
            content_type="application/json",
        )
        assert made.status_code == 201, made.content
        body = made.json()
        assert body["number"].startswith("测民宗罚决字〔")
        assert body["verification_url"].endswith(f"sha256={body['content_sha256']}")
        listed = client.get(f"/api/v1/documents?case_id={self.case.pk}").json()
        assert [d["id"] for d in listed["items"]] == [body["id"]]
        assert "penalty_decision" not in [k["code"] for k in listed["issuable"]]
        file = client.get(body["docx_url"])
        assert file.status_code == 200 and file.content[:2] == b"PK"
        assert Entry.objects.filter(event_type="document.downloaded").count() == 1

    def test_a_second_decision_is_a_conflict_in_the_error_shape(self):
        client = signed_in(self.w.officer)
        payload = {"case_id": self.case.pk, "kind": "penalty_decision"}
        client.post("/api/v1/documents", payload, content_type="application/json")
        again = client.post("/api/v1/documents", payload, content_type="application/json")
        assert again.status_code == 409
        assert again.json()["error"]["code"] == "conflict"

    def test_anonymous_requests_are_refused(self):
        response = Client().get(f"/api/v1/documents?case_id={self.case.pk}")
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "forbidden"

    def test_another_agency_gets_not_found(self):
        client = signed_in(self.w.other_officer)
        response = client.get(f"/api/v1/documents?case_id={self.case.pk}")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"

    def test_the_supervisor_may_list_but_not_issue(self):
        client = signed_in(self.w.supervisor)
        assert client.get(f"/api/v1/documents?case_id={self.case.pk}").status_code == 200
        response = client.post(
            "/api/v1/documents",
            {"case_id": self.case.pk, "kind": "penalty_decision"},
            content_type="application/json",
        )
        assert response.status_code == 403

    def test_bad_input_is_a_validation_error(self):
        client = signed_in(self.w.officer)
        response = client.post(
            "/api/v1/documents", {"case_id": "x"}, content_type="application/json"
        )
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "validation_error"
        bogus = client.post(
            "/api/v1/documents",
            {"case_id": self.case.pk, "kind": "bogus"},
            content_type="application/json",
        )
        assert bogus.status_code == 422
