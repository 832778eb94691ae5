"""Resumable uploads (tus 1.0 + checksum): chunks, offsets, resuming, and every refusal
leaving things as they were."""

import fcntl
import hashlib
import io
import itertools
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.storage import storages
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone

from sanxiang.cases.models import Case, CaseMember
from sanxiang.cases.testing import open_test_case
from sanxiang.ledger.models import Entry
from sanxiang.lib.errors import DomainError
from sanxiang.records import resumable
from sanxiang.records.models import Record, ResumableUpload
from sanxiang.testing import WorldTestCase

from . import tus_client as tus
from .helpers import EXE, JPEG, PDF, WEBM, staff_client

PHOTO = JPEG + os.urandom(20_000)  # a JPEG head, then 22 KB: six chunks of 4 KiB
CHUNK = 4096


def error_code(response) -> str:
    return response.json()["error"]["code"]


def temp_files() -> list[Path]:
    return sorted(Path(settings.SANXIANG_UPLOAD_TMP_DIR).glob("*"))


class Resumable(WorldTestCase):
    case: Case
    other_case: Case

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.case = open_test_case(cls.w)
        cls.other_case = open_test_case(cls.w, title="另一案件")

    def setUp(self):
        self.client = staff_client(self.w.officer)

    def begin(self, content: bytes = PHOTO, **kwargs) -> str:
        response = tus.create(self.client, self.case.pk, content, **kwargs)
        assert response.status_code == 201, response.content
        assert response["Tus-Resumable"] == "1.0.0"
        return response["Location"]

    def offset(self, url: str, client: Client | None = None) -> int:
        response = tus.head(client or self.client, url)
        assert response.status_code == 200
        return int(response["Upload-Offset"])

    def upload_row(self) -> ResumableUpload:
        return ResumableUpload.objects.get()

    def assert_unchanged(self, url: str, offset: int) -> None:
        assert self.offset(url) == offset
        assert self.upload_row().offset == offset
        (part,) = temp_files()
        assert part.stat().st_size == offset
        assert not Record.objects.exists()
        assert not Entry.objects.filter(event_type="record.added").exists()


class ProtocolTests(Resumable):
    def test_the_server_tells_its_protocol_extensions_and_limits(self):
        response = self.client.options(f"/records/case/{self.case.pk}/uploads/")
        assert response.status_code == 204
        assert response["Tus-Version"] == "1.0.0"
        assert set(response["Tus-Extension"].split(",")) == {
            "creation",
            "checksum",
            "expiration",
            "termination",
        }
        assert response["Tus-Checksum-Algorithm"] == "sha256"
        assert int(response["Tus-Max-Size"]) == settings.SANXIANG_MAX_UPLOAD_MB * 1024 * 1024

    def test_a_file_sent_in_chunks_becomes_one_record_once_its_whole_hash_is_verified(self):
        url = self.begin()
        assert url.startswith(f"/records/case/{self.case.pk}/uploads/")
        assert self.offset(url) == 0
        last: Any = None
        for offset in range(0, len(PHOTO), CHUNK):
            assert not Record.objects.exists()  # nothing is evidence before the whole file
            last = tus.patch(self.client, url, offset, PHOTO[offset : offset + CHUNK])
            assert last.status_code == 204, last.content
            assert int(last["Upload-Offset"]) == min(offset + CHUNK, len(PHOTO))
        record = Record.objects.get()
        assert last["X-Record-Id"] == str(record.pk)
        assert last["X-Record-Url"] == f"/records/{record.pk}/"
        assert record.sha256 == hashlib.sha256(PHOTO).hexdigest()
        assert record.size == len(PHOTO)
        assert record.content_type == "image/jpeg"
        assert record.media_kind == "photo"
        assert record.original_name == "scene.jpg"
        with storages["default"].open(record.storage_name) as stored:
            assert stored.read() == PHOTO
        entry = Entry.objects.get(event_type="record.added")
        assert entry.case_id == self.case.pk and record.sha256 in entry.payload
        assert temp_files() == []  # the temporary file was moved to the content address
        assert self.upload_row().status == ResumableUpload.Status.COMPLETE

    def test_after_the_last_answer_was_lost_head_names_the_record(self):
        url = self.begin()
        tus.send_all(self.client, url, PHOTO, CHUNK)
        response = tus.head(self.client, url)
        assert int(response["Upload-Offset"]) == len(PHOTO)
        assert response["X-Record-Id"] == str(Record.objects.get().pk)
        again = tus.patch(self.client, url, len(PHOTO) - 100, PHOTO[-100:])
        assert again.status_code == 409
        assert "已全部上传" in again.json()["error"]["message"]
        assert Record.objects.count() == 1

    def test_a_chunk_whose_answer_was_lost_is_not_taken_twice_the_client_resumes_from_head(self):
        url = self.begin()
        assert tus.patch(self.client, url, 0, PHOTO[:CHUNK]).status_code == 204
        # The answer never reached the phone: it sends the same chunk again.
        again = tus.patch(self.client, url, 0, PHOTO[:CHUNK])
        assert again.status_code == 409
        assert error_code(again) == "upload_offset_mismatch"
        assert f"已接收 {CHUNK} 字节" in again.json()["error"]["message"]
        offset = self.offset(url)
        assert offset == CHUNK
        for at in range(offset, len(PHOTO), CHUNK):
            assert tus.patch(self.client, url, at, PHOTO[at : at + CHUNK]).status_code == 204
        assert Record.objects.get().sha256 == hashlib.sha256(PHOTO).hexdigest()

    def test_chunks_may_have_any_size_up_to_the_limit(self):
        url = self.begin()
        cuts = [0, 5000, 5001, 17_000, len(PHOTO)]
        for start, end in itertools.pairwise(cuts):
            assert tus.patch(self.client, url, start, PHOTO[start:end]).status_code == 204
        assert Record.objects.get().size == len(PHOTO)

    def test_a_file_smaller_than_the_sniffed_head_is_checked_on_its_only_chunk(self):
        small = JPEG[:600]
        url = self.begin(small)
        assert tus.patch(self.client, url, 0, small).status_code == 204
        assert Record.objects.get().content_type == "image/jpeg"

    def test_giving_up_removes_the_upload_and_its_bytes(self):
        url = self.begin()
        tus.patch(self.client, url, 0, PHOTO[:CHUNK])
        response = self.client.delete(url, headers=tus.TUS)
        assert response.status_code == 204
        assert not ResumableUpload.objects.exists()
        assert temp_files() == []
        assert tus.head(self.client, url).status_code == 404  # HEAD: no body

    def test_a_finished_upload_cannot_be_given_up(self):
        url = self.begin()
        tus.send_all(self.client, url, PHOTO, CHUNK)
        response = self.client.delete(url, headers=tus.TUS)
        assert response.status_code == 409
        assert Record.objects.count() == 1


class CaptureMetadataTests(Resumable):
    def test_the_devices_time_and_position_are_kept_with_the_record_and_in_the_ledger(self):
        taken = (timezone.now() - timedelta(minutes=3)).replace(microsecond=0)
        url = self.begin(
            captured_at=taken.isoformat(),
            latitude="30.274084",
            longitude="120.155070",
            accuracy="12.5",
        )
        tus.send_all(self.client, url, PHOTO, CHUNK)
        record = Record.objects.get()
        assert record.captured_at == taken
        assert record.position == {"latitude": 30.274084, "longitude": 120.15507, "accuracy": 12.5}
        payload = Entry.objects.get(event_type="record.added").payload
        assert taken.isoformat() in payload and "30.274084" in payload
        page = self.client.get(f"/records/{record.pk}/").content.decode()
        assert "拍摄时间" in page and "30.274084" in page

    def test_without_the_officers_consent_no_position_is_kept(self):
        url = self.begin()
        tus.send_all(self.client, url, PHOTO, CHUNK)
        record = Record.objects.get()
        assert record.position is None
        assert "position" not in Entry.objects.get(event_type="record.added").payload

    def test_a_position_off_the_globe_or_half_given_is_refused_before_anything_is_sent(self):
        extras: tuple[dict[str, Any], ...] = (
            {"latitude": "91", "longitude": "120", "accuracy": "5"},
            {"latitude": "30.2"},
            {"latitude": "北纬", "longitude": "120", "accuracy": "5"},
        )
        for extra in extras:
            response = tus.create(self.client, self.case.pk, PHOTO, **extra)
            assert response.status_code == 422, extra
            assert "拍摄位置" in response.json()["error"]["message"]
        assert not ResumableUpload.objects.exists() and temp_files() == []

    def test_a_capture_time_in_the_future_is_refused(self):
        later = (timezone.now() + timedelta(hours=2)).isoformat()
        response = tus.create(self.client, self.case.pk, PHOTO, captured_at=later)
        assert response.status_code == 422
        assert "设备时钟" in response.json()["error"]["message"]


class RefusalTests(Resumable):
    def test_a_chunk_whose_hash_does_not_match_is_refused_with_460_and_nothing_changes(self):
        url = self.begin()
        tus.patch(self.client, url, 0, PHOTO[:CHUNK])
        bad = tus.checksum(b"something else")
        response = tus.patch(self.client, url, CHUNK, PHOTO[CHUNK : 2 * CHUNK], digest=bad)
        assert response.status_code == 460
        assert error_code(response) == "upload_checksum_mismatch"
        assert "SHA-256 与随附的摘要不一致" in response.json()["error"]["message"]
        self.assert_unchanged(url, CHUNK)

    def test_a_chunk_without_a_checksum_or_with_another_algorithm_is_refused(self):
        url = self.begin()
        for digest in ("", "md5 " + "A" * 24, "sha256 not-base64!", "sha256 AAAA"):
            response = tus.patch(self.client, url, 0, PHOTO[:CHUNK], digest=digest)
            assert response.status_code == 400, digest
            assert error_code(response) == "upload_checksum_invalid"
        self.assert_unchanged(url, 0)

    def test_an_offset_that_is_not_the_servers_is_refused(self):
        url = self.begin()
        tus.patch(self.client, url, 0, PHOTO[:CHUNK])
        for wrong in (0, CHUNK + 1, 3 * CHUNK):
            response = tus.patch(self.client, url, wrong, PHOTO[wrong : wrong + CHUNK])
            assert response.status_code == 409
            assert error_code(response) == "upload_offset_mismatch"
        self.assert_unchanged(url, CHUNK)

    def test_another_officer_of_the_same_case_cannot_continue_my_upload(self):
        url = self.begin()
        other = staff_client(self.w.officer2)
        assert tus.head(other, url).status_code == 404
        for response in (
            tus.patch(other, url, 0, PHOTO[:CHUNK]),
            other.delete(url, headers=tus.TUS),
        ):
            assert response.status_code == 404
            assert error_code(response) == "upload_not_found"
        self.assert_unchanged(url, 0)

    def test_an_officer_of_another_agency_is_told_nothing_about_the_upload(self):
        url = self.begin()
        response = tus.patch(staff_client(self.w.other_officer), url, 0, PHOTO[:CHUNK])
        assert response.status_code == 404
        assert error_code(response) == "upload_not_found"
        self.assert_unchanged(url, 0)

    def test_an_upload_id_used_under_another_case_is_not_found(self):
        url = self.begin()
        token = url.rstrip("/").rsplit("/", 1)[1]
        elsewhere = f"/records/case/{self.other_case.pk}/uploads/{token}/"
        response = tus.patch(self.client, elsewhere, 0, PHOTO[:CHUNK])
        assert response.status_code == 404
        assert error_code(response) == "upload_not_found"
        self.assert_unchanged(url, 0)

    def test_a_person_taken_off_the_case_team_cannot_go_on(self):
        url = self.begin()
        membership = CaseMember.objects.filter(case=self.case, officer__user=self.w.officer)
        membership.update(recused=True)
        response = tus.patch(self.client, url, 0, PHOTO[:CHUNK])
        assert response.status_code == 403
        assert error_code(response) == "forbidden"
        membership.update(recused=False)
        self.assert_unchanged(url, 0)

    def test_someone_not_signed_in_gets_a_refusal_not_a_login_page(self):
        url = self.begin()
        response = tus.patch(Client(), url, 0, PHOTO[:CHUNK])
        assert response.status_code == 403
        assert error_code(response) == "forbidden"
        assert tus.create(Client(), self.case.pk, PHOTO).status_code == 403
        self.assert_unchanged(url, 0)

    def test_a_patch_without_the_csrf_token_is_refused(self):
        url = self.begin()
        strict = staff_client(self.w.officer)
        strict.handler.enforce_csrf_checks = True
        response = tus.patch(strict, url, 0, PHOTO[:CHUNK])
        assert response.status_code == 403
        self.assert_unchanged(url, 0)

    @override_settings(SANXIANG_MAX_UPLOAD_MB=1)
    def test_an_oversized_total_is_refused_before_a_byte_is_sent(self):
        response = tus.create(self.client, self.case.pk, PHOTO, length=2 * 1024 * 1024)
        assert response.status_code == 413
        assert error_code(response) == "upload_too_large"
        assert "上传上限（1 MB）" in response.json()["error"]["message"]
        assert not ResumableUpload.objects.exists() and temp_files() == []

    def test_a_chunk_past_the_declared_length_is_refused(self):
        url = self.begin()
        response = tus.patch(self.client, url, 0, PHOTO + b"extra")
        assert response.status_code == 413
        assert error_code(response) == "upload_too_large"
        self.assert_unchanged(url, 0)

    @override_settings(SANXIANG_UPLOAD_MAX_CHUNK_MB=0)
    def test_a_chunk_above_the_chunk_limit_is_refused(self):
        url = self.begin()
        response = tus.patch(self.client, url, 0, PHOTO[:CHUNK])
        assert response.status_code == 413
        self.assert_unchanged(url, 0)

    def test_content_that_is_not_the_claimed_kind_is_refused_at_its_first_chunk(self):
        url = self.begin(PDF * 60)  # declared a photo
        response = tus.patch(self.client, url, 0, (PDF * 60)[:CHUNK])
        assert response.status_code == 415
        assert error_code(response) == "upload_type_mismatch"
        assert "application/pdf" in response.json()["error"]["message"]
        assert "照片" in response.json()["error"]["message"]
        self.assert_unchanged(url, 0)

    def test_an_executable_claimed_as_video_is_refused(self):
        exe = EXE * 10
        url = self.begin(exe, media_kind="video")
        response = tus.patch(self.client, url, 0, exe[:CHUNK])
        assert response.status_code == 415
        assert "可执行程序" in response.json()["error"]["message"]
        self.assert_unchanged(url, 0)

    def test_a_whole_file_that_is_not_the_declared_one_makes_no_record(self):
        claimed = hashlib.sha256(b"the file the phone meant").hexdigest()
        url = self.begin(sha256=claimed)
        last_offset = (len(PHOTO) - 1) // CHUNK * CHUNK
        for offset in range(0, last_offset, CHUNK):
            tus.patch(self.client, url, offset, PHOTO[offset : offset + CHUNK])
        response = tus.patch(self.client, url, last_offset, PHOTO[last_offset:])
        assert response.status_code == 422
        assert error_code(response) == "upload_hash_mismatch"
        self.assert_unchanged(url, last_offset)
        assert not Path(settings.MEDIA_ROOT, "sha256").exists()

    def test_a_request_without_the_protocol_version_is_refused(self):
        url = self.begin()
        response = self.client.head(url)
        assert response.status_code == 412
        assert response["Tus-Version"] == "1.0.0"
        patched = self.client.generic("PATCH", url, data=b"x", content_type=tus.OFFSET_TYPE)
        assert error_code(patched) == "upload_version_unsupported"

    def test_an_upload_must_declare_the_whole_files_hash_and_valid_metadata(self):
        no_hash = tus.create(self.client, self.case.pk, PHOTO, sha256="")
        assert no_hash.status_code == 400 and "SHA-256" in no_hash.json()["error"]["message"]
        bad_kind = tus.create(self.client, self.case.pk, PHOTO, media_kind="hologram")
        assert bad_kind.status_code == 422
        garbled = self.client.post(
            f"/records/case/{self.case.pk}/uploads/",
            headers={**tus.TUS, "Upload-Length": "10", "Upload-Metadata": "title ???"},
        )
        assert error_code(garbled) == "upload_request_invalid"
        no_length = self.client.post(f"/records/case/{self.case.pk}/uploads/", headers=tus.TUS)
        assert error_code(no_length) == "upload_request_invalid"
        assert not ResumableUpload.objects.exists() and temp_files() == []

    def test_an_upload_for_another_agencys_case_is_refused_at_the_start(self):
        response = tus.create(staff_client(self.w.other_officer), self.case.pk, PHOTO)
        assert response.status_code == 404
        assert not ResumableUpload.objects.exists()

    def test_a_chunk_while_another_is_being_received_is_refused_as_busy(self):
        url = self.begin()
        (part,) = temp_files()
        with open(part, "r+b") as held:
            fcntl.flock(held, fcntl.LOCK_EX)
            response = tus.patch(self.client, url, 0, PHOTO[:CHUNK])
        assert response.status_code == 423
        assert error_code(response) == "upload_busy"
        self.assert_unchanged(url, 0)


class DroppedConnection(io.RawIOBase):
    """A request body that breaks after ``cut`` bytes, as a phone losing its signal."""

    def __init__(self, data: bytes, cut: int):
        self.data, self.cut, self.at = data, cut, 0

    def read(self, size=-1):
        if self.at >= self.cut:
            raise OSError("connection reset by peer")
        piece = self.data[self.at : min(self.cut, self.at + size)]
        self.at += len(piece)
        return piece


class ResumeTests(Resumable):
    def receive(self, url: str, offset: int, chunk: bytes, stream) -> ResumableUpload:
        token = url.rstrip("/").rsplit("/", 1)[1]
        return resumable.receive_chunk(
            actor=self.w.officer,
            case_id=self.case.pk,
            token=token,
            offset=offset,
            length=len(chunk),
            checksum=hashlib.sha256(chunk).digest(),
            stream=stream,
        )

    def test_a_chunk_cut_by_a_dropped_connection_is_discarded_and_resumed_from_the_last_whole_one(
        self,
    ):
        url = self.begin()
        tus.patch(self.client, url, 0, PHOTO[:CHUNK])
        chunk = PHOTO[CHUNK : 2 * CHUNK]
        with pytest.raises(DomainError) as err:
            self.receive(url, CHUNK, chunk, DroppedConnection(chunk, cut=1000))
        assert err.value.code == "upload_request_invalid"
        assert f"请从第 {CHUNK} 字节续传" in err.value.message
        self.assert_unchanged(url, CHUNK)
        for offset in range(self.offset(url), len(PHOTO), CHUNK):
            assert (
                tus.patch(self.client, url, offset, PHOTO[offset : offset + CHUNK]).status_code
                == 204
            )
        assert Record.objects.get().sha256 == hashlib.sha256(PHOTO).hexdigest()

    def test_bytes_left_past_the_offset_by_a_killed_process_are_cut_off_before_the_next_chunk(
        self,
    ):
        url = self.begin()
        tus.patch(self.client, url, 0, PHOTO[:CHUNK])
        (part,) = temp_files()
        with open(part, "ab") as f:
            f.write(b"garbage of a chunk whose process was killed before its row moved")
        for offset in range(CHUNK, len(PHOTO), CHUNK):
            tus.patch(self.client, url, offset, PHOTO[offset : offset + CHUNK])
        assert Record.objects.get().sha256 == hashlib.sha256(PHOTO).hexdigest()

    def test_a_video_resumes_after_several_drops(self):
        video = WEBM * 8
        url = self.begin(video, media_kind="video")
        offset = 0
        drops = 0
        while offset < len(video):
            chunk = video[offset : offset + CHUNK]
            if drops < 3 and offset == CHUNK * (drops + 1):
                drops += 1
                with pytest.raises(DomainError):
                    self.receive(url, offset, chunk, DroppedConnection(chunk, cut=len(chunk) // 2))
                offset = self.offset(url)
                continue
            assert tus.patch(self.client, url, offset, chunk).status_code == 204
            offset = self.offset(url)
        record = Record.objects.get()
        assert drops == 3
        assert record.content_type == "video/webm" and record.size == len(video)


class CleanupTests(Resumable):
    def test_records_cleanup_removes_uploads_past_their_resume_window_and_keeps_fresh_ones(self):
        old = self.begin()
        tus.patch(self.client, old, 0, PHOTO[:CHUNK])
        ResumableUpload.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
        fresh = self.begin(PHOTO[:9000])
        call_command("records_cleanup", stdout=io.StringIO())
        assert tus.head(self.client, old).status_code == 404
        assert self.offset(fresh) == 0
        assert len(temp_files()) == 1

    def test_an_expired_upload_is_refused_until_the_cleanup_removes_it(self):
        url = self.begin()
        ResumableUpload.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
        response = tus.patch(self.client, url, 0, PHOTO[:CHUNK])
        assert response.status_code == 410
        assert error_code(response) == "upload_expired"

    def test_a_file_no_upload_names_is_removed_after_the_grace_period(self):
        stray = resumable.part_path("x" * 32)
        stray.write_bytes(b"left by a process killed between the file and its row")
        call_command("records_cleanup", stdout=io.StringIO())
        assert stray.exists()  # too young: its row may be being written
        past = stray.stat().st_mtime - resumable.ORPHAN_GRACE_SECONDS - 60
        os.utime(stray, (past, past))
        call_command("records_cleanup", stdout=io.StringIO())
        assert not stray.exists()

    def test_an_upload_receiving_a_chunk_is_not_removed_under_it(self):
        self.begin()
        ResumableUpload.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
        (part,) = temp_files()
        with open(part, "r+b") as held:
            fcntl.flock(held, fcntl.LOCK_EX)
            assert resumable.remove_expired() == []
        assert ResumableUpload.objects.exists() and part.exists()


class ExistingPathsTests(Resumable):
    def test_the_single_request_upload_still_takes_capture_metadata(self):
        from .helpers import upload

        taken = timezone.now().replace(microsecond=0)
        record = upload(
            self.w.officer,
            self.case,
            PHOTO,
            media_kind="photo",
            evidence_type="audiovisual",
            captured_at=taken,
            position={"latitude": 1.0, "longitude": 2.0, "accuracy": 3.0},
        )
        assert record.captured_at == taken
        assert record.position == {"latitude": 1.0, "longitude": 2.0, "accuracy": 3.0}
        plain = upload(self.w.officer, self.case, PDF, title="未带拍摄信息")
        assert plain.captured_at is None and plain.position is None


class RunningHashTests(Resumable):
    """The last chunk is verified from the hashes kept while the chunks came; when another
    worker process took some of them (here: the kept hashes forgotten), from the file on disk."""

    def forget(self) -> None:
        resumable.RUNNING = resumable._Running()

    def tearDown(self):
        self.forget()
        super().tearDown()

    def test_an_upload_whose_chunks_went_to_several_processes_is_verified_from_disk(self):
        url = self.begin()
        for offset in range(0, len(PHOTO), CHUNK):
            if offset == 2 * CHUNK:
                self.forget()
            assert (
                tus.patch(self.client, url, offset, PHOTO[offset : offset + CHUNK]).status_code
                == 204
            )
        assert Record.objects.get().sha256 == hashlib.sha256(PHOTO).hexdigest()

    def test_bytes_changed_on_disk_behind_the_upload_are_caught_when_the_chain_is_broken(self):
        url = self.begin()
        tus.patch(self.client, url, 0, PHOTO[:CHUNK])
        (part,) = temp_files()
        with open(part, "r+b") as f:
            f.seek(100)
            f.write(b"tampered")
        self.forget()
        for offset in range(CHUNK, len(PHOTO), CHUNK):
            response = tus.patch(self.client, url, offset, PHOTO[offset : offset + CHUNK])
        assert error_code(response) == "upload_hash_mismatch"
        assert not Record.objects.exists()

    @override_settings(SANXIANG_HASH="sm3")
    def test_with_sm3_on_both_hashes_are_kept_and_recorded(self):
        url = self.begin()
        tus.send_all(self.client, url, PHOTO, CHUNK)
        record = Record.objects.get()
        assert record.sm3 == hashlib.new("sm3", PHOTO).hexdigest()


class CapturePageTests(Resumable):
    def page(self, user) -> Any:
        return staff_client(user).get(f"/records/case/{self.case.pk}/capture/")

    def test_the_case_team_gets_the_capture_page_with_the_phones_camera_and_microphone(self):
        response = self.page(self.w.officer)
        assert response.status_code == 200
        html = response.content.decode()
        assert 'accept="image/*" capture="environment"' in html
        assert 'accept="video/*" capture="environment"' in html
        assert 'accept="audio/*" capture' in html
        assert f'data-uploads-url="/records/case/{self.case.pk}/uploads/"' in html
        assert '<script type="module" src="/static/js/capture.js">' in html
        assert "<script>" not in html  # no inline script: the CSP stays strict
        listing = staff_client(self.w.officer).get(f"/records/case/{self.case.pk}/")
        assert f"/records/case/{self.case.pk}/capture/" in listing.content.decode()

    def test_the_head_may_capture_too(self):
        assert self.page(self.w.head).status_code == 200

    def test_people_off_the_team_or_of_another_agency_or_not_signed_in_do_not(self):
        assert self.page(self.w.admin).status_code == 403
        assert self.page(self.w.supervisor).status_code in (403, 404)
        assert self.page(self.w.other_officer).status_code == 404
        anonymous = Client().get(f"/records/case/{self.case.pk}/capture/")
        assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
