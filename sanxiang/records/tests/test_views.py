import hashlib
import json
import re
import time
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from sanxiang.cases.models import Case
from sanxiang.cases.testing import open_test_case
from sanxiang.ledger.models import Entry
from sanxiang.records import http, services
from sanxiang.records.models import Access, Record
from sanxiang.testing import WorldTestCase

from .helpers import EXE, MP3, PDF, WEBM, staff_client, upload


def put(client: Client, url: str, body: bytes, **params: str):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return client.generic(
        "PUT",
        f"{url}?{query}",
        body,
        content_type="application/octet-stream",
        HTTP_ACCEPT="application/json",
    )


def grant_from(page: str) -> str:
    match = re.search(r'/stream/\?grant=([^"]+)"', page)
    assert match, "no player on the page"
    return match.group(1).replace("%3A", ":")


class WebTests(WorldTestCase):
    case: Case

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.case = open_test_case(cls.w)

    def test_the_case_page_lists_records_and_offers_the_upload_form(self):
        upload(self.w.officer, self.case, PDF, title="询问笔录")
        page = staff_client(self.w.officer).get(f"/records/case/{self.case.pk}/").content.decode()
        assert "询问笔录" in page
        assert 'id="record-upload"' in page
        assert "js/records.js" in page

    def page_put(self, user, body: bytes, **params: str):
        fields = {
            "title": "现场录像",
            "evidence_type": "audiovisual",
            "media_kind": "video",
            "label": "internal",
            **params,
        }
        return put(staff_client(user), f"/records/case/{self.case.pk}/upload/", body, **fields)

    def test_an_upload_through_the_page_endpoint_streams_the_body(self):
        response = self.page_put(self.w.officer, WEBM, name="scene.webm")
        assert response.status_code == 201, response.content
        record = Record.objects.get(pk=response.json()["id"])
        assert record.original_name == "scene.webm"
        assert record.content_type == "video/webm"

    def test_a_refused_upload_answers_with_the_error_in_json(self):
        response = self.page_put(self.w.officer, EXE)
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "validation_error"
        assert not Record.objects.exists()

    def form_post(self, user, content: bytes, **fields: str):
        data = {
            "title": "询问录音",
            "evidence_type": "party_statement",
            "media_kind": "audio",
            "label": "internal",
            "file": SimpleUploadedFile("talk.mp3", content, content_type="audio/mpeg"),
            **fields,
        }
        return staff_client(user).post(f"/records/case/{self.case.pk}/upload/", data)

    def test_the_plain_form_without_javascript_uploads_through_the_spooling_handler(self):
        response = self.form_post(self.w.officer, MP3)
        assert response.status_code == 302
        record = Record.objects.get()
        assert response["Location"] == f"/records/{record.pk}/"
        assert record.content_type == "audio/mpeg"
        assert record.original_name == "talk.mp3"
        assert record.sha256 == hashlib.sha256(MP3).hexdigest()
        assert list(Path(settings.SANXIANG_UPLOAD_TMP_DIR).glob("*")) == []

    def test_the_plain_form_refuses_an_executable_and_keeps_nothing(self):
        response = self.form_post(self.w.officer, EXE)
        assert response.status_code == 422
        assert "可执行程序" in response.content.decode()
        assert not Record.objects.exists()
        assert list(Path(settings.SANXIANG_UPLOAD_TMP_DIR).glob("*")) == []

    def test_the_plain_form_refuses_bad_metadata_and_keeps_nothing(self):
        response = self.form_post(self.w.officer, MP3, label="国家秘密")
        assert response.status_code == 422
        assert not Record.objects.exists()
        assert list(Path(settings.SANXIANG_UPLOAD_TMP_DIR).glob("*")) == []

    def test_the_plain_form_refuses_someone_outside_the_team_before_reading(self):
        response = self.form_post(self.w.admin, MP3)
        assert response.status_code == 403
        assert not Path(settings.SANXIANG_UPLOAD_TMP_DIR).exists() or not list(
            Path(settings.SANXIANG_UPLOAD_TMP_DIR).glob("*")
        )

    def test_the_plain_form_is_csrf_protected(self):
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.w.officer)
        session = client.session
        session.update(staff_client(self.w.officer).session.items())
        session.save()
        response = client.post(
            f"/records/case/{self.case.pk}/upload/",
            {"title": "x", "file": SimpleUploadedFile("a.mp3", MP3)},
        )
        assert response.status_code == 403
        assert "CSRF" in response.content.decode()
        assert not Record.objects.exists()

    def test_the_plain_form_refuses_a_body_above_the_limit_before_spooling(self):
        with self.settings(SANXIANG_MAX_UPLOAD_MB=1):
            response = self.form_post(self.w.officer, MP3 + bytes(2 * 1024 * 1024))
        assert response.status_code == 422
        assert "上传上限" in response.content.decode()
        assert not Path(settings.SANXIANG_UPLOAD_TMP_DIR).exists() or not list(
            Path(settings.SANXIANG_UPLOAD_TMP_DIR).glob("*")
        )

    def test_anonymous_visitors_are_sent_to_the_login_page(self):
        response = put(Client(), f"/records/case/{self.case.pk}/upload/", PDF, title="x")
        assert response.status_code == 302

    def test_another_agency_gets_not_found_on_upload(self):
        response = self.page_put(
            self.w.other_officer, PDF, evidence_type="documentary", media_kind="document"
        )
        assert response.status_code == 404

    def test_viewing_the_record_page_logs_a_retrieval_and_grants_playback(self):
        record = upload(
            self.w.officer, self.case, WEBM, media_kind="video", evidence_type="audiovisual"
        )
        client = staff_client(self.w.officer2)
        page = client.get(f"/records/{record.pk}/").content.decode()
        assert "<video" in page
        assert Access.objects.filter(record=record, actor=self.w.officer2).count() == 1
        grant = grant_from(page)
        response = client.get(
            f"/records/{record.pk}/stream/", {"grant": grant}, HTTP_RANGE="bytes=4-19"
        )
        assert response.status_code == 206
        assert response["Content-Range"] == f"bytes 4-19/{len(WEBM)}"
        assert response["Accept-Ranges"] == "bytes"
        assert response.getvalue() == WEBM[4:20]
        # ranges ride on the grant: still one retrieval in the ledger
        assert Entry.objects.filter(event_type="record.accessed").count() == 1

    def test_open_ended_and_suffix_ranges_and_the_whole_object(self):
        record = upload(
            self.w.officer, self.case, WEBM, media_kind="video", evidence_type="audiovisual"
        )
        client = staff_client(self.w.officer)
        grant = grant_from(client.get(f"/records/{record.pk}/").content.decode())
        url = f"/records/{record.pk}/stream/"
        tail = client.get(url, {"grant": grant}, HTTP_RANGE="bytes=-10")
        assert tail.getvalue() == WEBM[-10:]
        rest = client.get(url, {"grant": grant}, HTTP_RANGE=f"bytes={len(WEBM) - 5}-")
        assert rest.getvalue() == WEBM[-5:]
        whole = client.get(url, {"grant": grant})
        assert whole.status_code == 200
        assert whole.getvalue() == WEBM

    def test_an_unsatisfiable_range_is_416(self):
        record = upload(self.w.officer, self.case, PDF)
        client = staff_client(self.w.officer)
        grant = grant_from(client.get(f"/records/{record.pk}/").content.decode())
        response = client.get(
            f"/records/{record.pk}/stream/", {"grant": grant}, HTTP_RANGE="bytes=99999-"
        )
        assert response.status_code == 416
        assert response["Content-Range"] == f"bytes */{len(PDF)}"

    def test_streaming_without_a_grant_or_with_someone_elses_is_refused(self):
        record = upload(self.w.officer, self.case, PDF)
        grant = grant_from(
            staff_client(self.w.officer).get(f"/records/{record.pk}/").content.decode()
        )
        colleague = staff_client(self.w.officer2)
        assert colleague.get(f"/records/{record.pk}/stream/").status_code == 403
        other = colleague.get(f"/records/{record.pk}/stream/", {"grant": grant})
        assert other.status_code == 403

    def test_a_grant_copied_to_another_session_of_the_same_user_is_refused(self):
        record = upload(self.w.officer, self.case, PDF)
        grant = grant_from(
            staff_client(self.w.officer).get(f"/records/{record.pk}/").content.decode()
        )
        second_browser = staff_client(self.w.officer)
        response = second_browser.get(f"/records/{record.pk}/stream/", {"grant": grant})
        assert response.status_code == 403
        assert "另一次登录" in response.content.decode()

    def test_a_grant_expires_within_minutes(self):
        record = upload(self.w.officer, self.case, PDF)
        client = staff_client(self.w.officer)
        grant = grant_from(client.get(f"/records/{record.pk}/").content.decode())
        url = f"/records/{record.pk}/stream/"
        assert client.get(url, {"grant": grant}).status_code == 200
        later = time.time() + http.GRANT_MAX_AGE + 1
        with mock.patch("django.core.signing.time.time", return_value=later):
            assert client.get(url, {"grant": grant}).status_code == 403
        assert http.GRANT_MAX_AGE <= 15 * 60

    def test_a_sensitive_record_asks_for_a_reason_before_showing_anything(self):
        record = upload(self.w.officer, self.case, PDF, label="personal_privacy")
        client = staff_client(self.w.officer2)
        page = client.get(f"/records/{record.pk}/").content.decode()
        assert "须填写事由" in page
        assert "/stream/" not in page
        assert not Access.objects.exists()
        empty = client.post(f"/records/{record.pk}/", {"reason": ""}).content.decode()
        assert "调阅须填写事由" in empty
        shown = client.post(f"/records/{record.pk}/", {"reason": "核对身份"}).content.decode()
        assert "/stream/" in shown
        assert Access.objects.get().reason == "核对身份"

    def test_a_download_is_logged_as_a_download(self):
        record = upload(self.w.officer, self.case, PDF)
        response = staff_client(self.w.officer).post(f"/records/{record.pk}/download/")
        assert response.getvalue() == PDF
        assert "attachment" in response["Content-Disposition"]
        assert Access.objects.get().purpose == "download"

    def test_outside_the_team_the_page_offers_a_request_and_the_head_approves_it(self):
        record = upload(self.w.officer, self.case, PDF)
        admin = staff_client(self.w.admin)
        page = admin.get(f"/records/{record.pk}/").content.decode()
        assert "申请调阅" in page
        assert not Access.objects.exists()
        admin.post(f"/records/{record.pk}/request/", {"reason": "案卷评查"})
        head = staff_client(self.w.head)
        queue = head.get("/records/requests/").content.decode()
        assert "案卷评查" in queue
        request_id = record.access_requests.get().pk
        head.post(f"/records/requests/{request_id}/decide/", {"decision": "approve"})
        shown = admin.post(f"/records/{record.pk}/", {"reason": "案卷评查"}).content.decode()
        assert "/stream/" in shown

    def test_the_request_queue_is_for_heads_only(self):
        assert staff_client(self.w.officer).get("/records/requests/").status_code == 403

    def test_the_access_history_lists_every_retrieval_and_exports_a_pdf(self):
        record = upload(self.w.officer, self.case, PDF)
        client = staff_client(self.w.officer2)
        client.get(f"/records/{record.pk}/")
        page = client.get(f"/records/{record.pk}/history/").content.decode()
        assert "officer2" in page
        pdf = client.get(f"/records/{record.pk}/history.pdf")
        assert pdf["Content-Type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF")

    def test_another_agency_gets_not_found_on_the_record_pages(self):
        record = upload(self.w.officer, self.case, PDF)
        client = staff_client(self.w.other_officer)
        for url in (f"/records/{record.pk}/", f"/records/{record.pk}/history/"):
            assert client.get(url).status_code == 404


class ApiTests(WorldTestCase):
    case: Case

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.case = open_test_case(cls.w)

    def api_put(self, client: Client, body: bytes, **params: str):
        base = {
            "case_id": str(self.case.pk),
            "title": "录像",
            "evidence_type": "audiovisual",
            "media_kind": "video",
        }
        return put(client, "/api/v1/records/upload", body, **{**base, **params})

    def test_the_api_uploads_a_raw_body_and_lists_it(self):
        client = staff_client(self.w.officer)
        response = self.api_put(client, WEBM)
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["content_type"] == "video/webm"
        listed = client.get("/api/v1/records", {"case_id": self.case.pk}).json()
        assert [r["id"] for r in listed] == [body["id"]]
        meta = client.get(f"/api/v1/records/{body['id']}").json()
        assert meta["sha256"] == body["sha256"]

    def test_the_api_downloads_ranges_and_logs_each_retrieval(self):
        client = staff_client(self.w.officer)
        record_id = self.api_put(client, WEBM).json()["id"]
        part = client.get(f"/api/v1/records/{record_id}/content", HTTP_RANGE="bytes=0-3")
        assert part.status_code == 206
        assert part.getvalue() == WEBM[:4]
        entry = Entry.objects.get(event_type="record.accessed")
        assert json.loads(entry.payload)["via"] == "api"

    def test_the_api_refuses_bad_input_with_the_error_shape(self):
        client = staff_client(self.w.officer)
        response = self.api_put(client, EXE)
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "validation_error"
        secret = self.api_put(client, WEBM, label="国家秘密")
        assert "保守国家秘密法" in secret.json()["error"]["message"]

    def test_an_upload_without_a_declared_length_is_refused(self):
        response = staff_client(self.w.officer).generic(
            "PUT",
            f"/api/v1/records/upload?case_id={self.case.pk}&title=x&evidence_type=audiovisual"
            "&media_kind=video",
            WEBM,
            content_type="application/octet-stream",
            CONTENT_LENGTH="",
        )
        assert response.status_code == 422
        assert "Content-Length" in response.json()["error"]["message"]
        assert not Record.objects.exists()

    def test_the_api_says_not_found_for_another_agency(self):
        record = upload(self.w.officer, self.case, PDF)
        client = staff_client(self.w.other_officer)
        assert client.get(f"/api/v1/records/{record.pk}").status_code == 404
        assert self.api_put(client, WEBM).status_code == 404

    def test_retrieval_requests_go_through_the_api_too(self):
        record = upload(self.w.officer, self.case, PDF)
        admin = staff_client(self.w.admin)
        refused = admin.get(f"/api/v1/records/{record.pk}/content", {"reason": "评查"})
        assert refused.status_code == 403
        made = admin.post(
            f"/api/v1/records/{record.pk}/access-requests",
            {"reason": "案卷评查"},
            content_type="application/json",
        )
        assert made.status_code == 201, made.content
        decision_url = f"/api/v1/records/access-requests/{made.json()['id']}/decision"
        by_officer = staff_client(self.w.officer).post(
            decision_url, {"approve": True}, content_type="application/json"
        )
        assert by_officer.status_code == 403
        decided = staff_client(self.w.head).post(
            decision_url, {"approve": True, "note": "同意"}, content_type="application/json"
        )
        assert decided.json()["status"] == "approved"
        allowed = admin.get(f"/api/v1/records/{record.pk}/content", {"reason": "评查"})
        assert allowed.getvalue() == PDF

    def test_the_api_needs_a_session(self):
        assert Client().get("/api/v1/records", {"case_id": self.case.pk}).status_code == 401
        assert self.api_put(Client(), WEBM).status_code == 401


class PanelTests(WorldTestCase):
    def test_the_head_sees_waiting_retrieval_requests_on_the_workbench(self):
        case = open_test_case(self.w)
        record = upload(self.w.officer, case, PDF, title="询问笔录")
        services.request_access(actor=self.w.admin, record_id=record.pk, reason="评查")
        page = staff_client(self.w.head).get("/").content.decode()
        assert "调阅审批" in page
        assert "询问笔录" in page
        assert "调阅审批" not in staff_client(self.w.officer).get("/").content.decode()


class SensitiveWordsTests(WorldTestCase):
    """The title and description of a 商业秘密/个人隐私 record, and who looked at it, are hidden
    from someone who may see the case but may not open the record."""

    case: Case

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.case = open_test_case(cls.w)

    def sensitive(self) -> Record:
        return upload(
            self.w.officer,
            self.case,
            PDF,
            label="personal_privacy",
            title="当事人张某的精神疾病诊断书",
            description="住院记录",
        )

    def test_the_case_team_sees_the_title(self):
        record = self.sensitive()
        page = staff_client(self.w.officer2).get(f"/records/case/{self.case.pk}/")
        assert "精神疾病诊断书" in page.content.decode()
        assert (
            staff_client(self.w.officer2).get(f"/records/{record.pk}/history/").status_code == 200
        )

    def test_the_supervisor_sees_neither_title_description_nor_history(self):
        record = self.sensitive()
        client = staff_client(self.w.supervisor)
        listing = client.get(f"/records/case/{self.case.pk}/").content.decode()
        assert "精神疾病" not in listing
        assert "个人隐私记录" in listing
        detail = client.get(f"/records/{record.pk}/").content.decode()
        assert "精神疾病" not in detail and "住院记录" not in detail
        assert client.get(f"/records/{record.pk}/history/").status_code == 403
        assert client.get(f"/records/{record.pk}/history.pdf").status_code in {403, 404}
        api = client.get(f"/api/v1/records?case_id={self.case.pk}").json()
        assert all("精神疾病" not in row["title"] for row in api)

    def test_an_internal_record_keeps_its_title_for_the_supervisor(self):
        upload(self.w.officer, self.case, PDF, title="现场检查笔录（内部）")
        listing = staff_client(self.w.supervisor).get(f"/records/case/{self.case.pk}/")
        assert "现场检查笔录（内部）" in listing.content.decode()
