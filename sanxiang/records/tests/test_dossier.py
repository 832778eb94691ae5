import hashlib
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from sanxiang.cases.models import Case
from sanxiang.cases.services import transition
from sanxiang.cases.testing import open_test_case
from sanxiang.lib.errors import DomainError
from sanxiang.records import blobs, dossier
from sanxiang.records.models import Access
from sanxiang.testing import WorldTestCase

from .helpers import JPEG, PDF, WEBM, staff_client, upload


class DossierTests(WorldTestCase):
    case: Case

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.case = open_test_case(cls.w)

    def close(self) -> None:
        transition(actor=self.w.head, case_id=self.case.pk, target="closing", note="不予立案")

    def test_an_open_case_cannot_be_exported(self):
        with pytest.raises(DomainError) as err:
            dossier.export_case(actor=self.w.officer, case_id=self.case.pk)
        assert err.value.code == "conflict"

    def test_a_closed_case_exports_cover_catalogue_items_hashes_and_ledger_entries(self):
        pdf = upload(self.w.officer, self.case, PDF, title="立案审批表")
        video = upload(
            self.w.officer,
            self.case,
            WEBM,
            media_kind="video",
            evidence_type="audiovisual",
            title="现场录像",
            label="personal_privacy",
        )
        photo = upload(
            self.w.officer,
            self.case,
            JPEG,
            media_kind="photo",
            evidence_type="physical",
            title="现场照片",
        )
        self.close()
        path = dossier.export_case(actor=self.w.officer, case_id=self.case.pk)
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            manifest = json.loads(archive.read("manifest.json"))
            cover = archive.read("00-封面与目录.pdf")
            files = {n: archive.read(n) for n in names}
        assert cover.startswith(b"%PDF")
        items = manifest["items"]
        assert [i["title"] for i in items] == ["立案审批表", "现场录像", "现场照片"]
        by_title = {i["title"]: i for i in items}
        assert by_title["立案审批表"]["pages"] == 2
        assert by_title["现场录像"]["pages"] == 0
        assert by_title["现场照片"]["first_page"] == by_title["立案审批表"]["first_page"] + 2
        for record in (pdf, video, photo):
            item = by_title[record.title]
            assert item["sha256"] == record.sha256
            assert hashlib.sha256(files[item["file"]]).hexdigest() == record.sha256
        events = [e["event_type"] for e in manifest["ledger_entries"]]
        assert "case.opened" in events
        assert events.count("record.added") == 3
        assert all(len(e["leaf_hash"]) == 64 for e in manifest["ledger_entries"])
        # putting records into the archive is a retrieval, logged like any other
        assert Access.objects.filter(purpose="export").count() == 3
        bundle = json.loads(files["ledger-bundle.json"])
        assert len(bundle["entries"]) == len(manifest["ledger_entries"])
        assert manifest["checkpoint"]["tree_size"] == bundle["checkpoint"]["tree_size"]

    def test_the_standalone_verifier_accepts_the_export_and_rejects_a_changed_byte(self):
        upload(self.w.officer, self.case, PDF)
        self.close()
        path = dossier.export_case(actor=self.w.officer, case_id=self.case.pk)
        ok = run_verifier(path)
        assert ok.returncode == 0, ok.stdout + ok.stderr
        assert "核验通过" in ok.stdout
        with zipfile.ZipFile(path) as archive:
            raw = archive.read("ledger-bundle.json")
        bundle = json.loads(raw)
        leaf = bundle["entries"][0]["leaf_hash"]
        bundle["entries"][0]["leaf_hash"] = ("0" if leaf[0] != "0" else "1") + leaf[1:]
        tampered = path.with_name("tampered.json")
        tampered.write_text(json.dumps(bundle), encoding="utf-8")
        bad = run_verifier(tampered)
        assert bad.returncode == 1
        assert "first_bad_seq=" in bad.stdout

    def test_the_export_page_serves_the_zip_to_the_team(self):
        upload(self.w.officer, self.case, PDF)
        self.close()
        response = staff_client(self.w.officer2).get(f"/records/case/{self.case.pk}/export.zip")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/zip"
        body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
        assert zipfile.ZipFile(io.BytesIO(body)).namelist()
        # the temporary file is gone at once, not at the next hourly cleanup
        assert not list(blobs.tmp_dir().glob("export-*"))

    def test_another_agency_cannot_export(self):
        self.close()
        response = staff_client(self.w.other_officer).get(
            f"/records/case/{self.case.pk}/export.zip"
        )
        assert response.status_code == 404


def run_verifier(path: Path) -> subprocess.CompletedProcess[str]:
    """The standalone verifier with the deployment's published checkpoint key pinned."""
    from sanxiang.ledger import keys

    tool = Path(__file__).resolve().parents[3] / "tools" / "verify_bundle.py"
    pinned = keys.public_key_info()["public_key"]
    return subprocess.run(  # noqa: S603 - our own tool on our own file
        [sys.executable, str(tool), str(path), "--public-key", pinned],
        capture_output=True,
        text=True,
        check=False,
    )


def test_pdf_pages_are_counted_across_chunk_boundaries():
    data = PDF * 3
    chunks = [data[i : i + 7] for i in range(0, len(data), 7)]
    assert dossier.count_pdf_pages(chunks) == 6
