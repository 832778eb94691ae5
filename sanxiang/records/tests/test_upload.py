import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import storages
from django.test import override_settings

from sanxiang.cases.models import Case
from sanxiang.cases.testing import open_test_case
from sanxiang.ledger.models import Entry
from sanxiang.lib.errors import DomainError
from sanxiang.records import blobs, services
from sanxiang.records.models import Record
from sanxiang.testing import WorldTestCase

from .helpers import EXE, JPEG, PDF, WEBM, upload


class Unreadable(io.RawIOBase):
    """A request body that must not be read (the upload is refused before)."""

    def read(self, size=-1):
        raise AssertionError("the body was read although the upload should be refused early")


def temp_files() -> list[Path]:
    return list(Path(settings.SANXIANG_UPLOAD_TMP_DIR).glob("*"))


class UploadTests(WorldTestCase):
    case: Case
    other_case: Case

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.case = open_test_case(cls.w)
        cls.other_case = open_test_case(cls.w, title="另一案件")

    def assert_nothing_stored(self) -> None:
        assert not Record.objects.exists()
        assert temp_files() == []
        assert not Path(settings.MEDIA_ROOT, "sha256").exists()

    def test_an_upload_is_stored_at_its_content_address_with_its_hash(self):
        record = upload(self.w.officer, self.case, PDF)
        assert record.storage_name == blobs.content_address(record.sha256)
        assert record.sha256 == __import__("hashlib").sha256(PDF).hexdigest()
        assert record.size == len(PDF)
        assert record.content_type == "application/pdf"
        assert record.stage == "filing"
        with storages["default"].open(record.storage_name) as f:
            assert f.read() == PDF
        assert temp_files() == []

    def test_adding_a_record_writes_a_ledger_entry_naming_its_hash(self):
        record = upload(self.w.officer, self.case, PDF)
        entry = Entry.objects.get(event_type="record.added")
        assert entry.case_id == self.case.pk
        assert record.sha256 in entry.payload

    def test_the_same_bytes_twice_are_stored_once_and_recorded_twice(self):
        first = upload(self.w.officer, self.case, PDF)
        second = upload(self.w.officer2, self.other_case, PDF, title="复印件")
        assert first.storage_name == second.storage_name
        folder = Path(settings.MEDIA_ROOT, first.storage_name).parent
        assert len(list(folder.iterdir())) == 1
        assert Record.objects.count() == 2

    def test_an_executable_claimed_as_video_is_refused_and_nothing_is_kept(self):
        with pytest.raises(DomainError) as err:
            upload(self.w.officer, self.case, EXE, media_kind="video", evidence_type="audiovisual")
        assert err.value.code == "validation_error"
        assert "可执行程序" in err.value.message
        self.assert_nothing_stored()

    def test_a_pdf_claimed_as_video_is_refused(self):
        with pytest.raises(DomainError) as err:
            upload(self.w.officer, self.case, PDF, media_kind="video")
        assert "不符" in err.value.message
        self.assert_nothing_stored()

    def test_an_empty_file_is_refused(self):
        with pytest.raises(DomainError) as err:
            upload(self.w.officer, self.case, b"")
        assert err.value.message == "文件为空，未保存。"
        self.assert_nothing_stored()

    @override_settings(SANXIANG_MAX_UPLOAD_MB=1)
    def test_a_file_above_the_limit_is_refused_before_its_body_is_read(self):
        data = services.RecordData(
            case_id=self.case.pk, evidence_type="audiovisual", media_kind="video", title="录像"
        )
        with pytest.raises(DomainError) as err:
            services.add_record(
                actor=self.w.officer, data=data, stream=Unreadable(), length=2 * 1024 * 1024
            )
        assert "上传上限（1 MB）" in err.value.message
        self.assert_nothing_stored()

    @override_settings(SANXIANG_MAX_UPLOAD_MB=1)
    def test_a_stream_that_grows_past_the_limit_without_a_length_is_cut_off(self):
        with pytest.raises(DomainError):
            upload(self.w.officer, self.case, WEBM * 200, media_kind="video", length=None)
        self.assert_nothing_stored()

    def test_a_truncated_upload_is_refused_and_nothing_is_kept(self):
        with pytest.raises(DomainError) as err:
            upload(self.w.officer, self.case, PDF, length=len(PDF) + 1000)
        assert "上传不完整" in err.value.message
        self.assert_nothing_stored()

    def test_bytes_that_do_not_match_the_claimed_hash_are_refused(self):
        with pytest.raises(DomainError) as err:
            upload(self.w.officer, self.case, PDF, claimed_sha256="0" * 64)
        assert "SHA-256" in err.value.message
        assert not Record.objects.exists()

    def test_another_agencys_case_is_not_found(self):
        with pytest.raises(DomainError) as err:
            upload(self.w.other_officer, self.case, PDF)
        assert err.value.code == "not_found"
        self.assert_nothing_stored()

    def test_a_supervisor_cannot_upload(self):
        with pytest.raises(DomainError) as err:
            upload(self.w.supervisor, self.case, PDF)
        assert err.value.code == "forbidden"

    def test_an_administrator_outside_the_team_cannot_upload(self):
        with pytest.raises(DomainError) as err:
            upload(self.w.admin, self.case, PDF)
        assert err.value.code == "forbidden"

    def test_state_secrets_are_refused_with_the_reason(self):
        with pytest.raises(DomainError) as err:
            upload(self.w.officer, self.case, PDF, label="国家秘密")
        assert err.value.code == "validation_error"
        assert "保守国家秘密法" in err.value.message
        self.assert_nothing_stored()

    def test_an_unknown_evidence_type_is_refused(self):
        with pytest.raises(DomainError) as err:
            upload(self.w.officer, self.case, PDF, evidence_type="rumour")
        assert "第四十六条" in err.value.message

    @override_settings(SANXIANG_HASH="sm3")
    def test_sm3_is_computed_too_when_guomi_is_on(self):
        record = upload(
            self.w.officer, self.case, JPEG, media_kind="photo", evidence_type="physical"
        )
        assert len(record.sm3) == 64
        assert record.sm3 == __import__("hashlib").new("sm3", JPEG).hexdigest()

    def test_sm3_is_left_out_by_default(self):
        assert upload(self.w.officer, self.case, PDF).sm3 == ""

    def test_no_service_changes_or_deletes_a_record(self):
        assert not [n for n in dir(services) if n.startswith(("update_", "delete_", "edit_"))]
