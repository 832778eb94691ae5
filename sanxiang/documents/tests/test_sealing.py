"""Issue 10, item 8: issued PDFs carry the agency's PAdES seal, verifiable offline.

The files are real: WeasyPrint renders, pyHanko signs with a demo CA made for the test, and both
pyHanko's validator and poppler's ``pdfsig`` (a validator we did not write) check the result.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.test import override_settings

from sanxiang.documents import sealing
from sanxiang.documents.models import IssuedDocument
from sanxiang.documents.services import issue_document
from sanxiang.ledger.models import Entry
from sanxiang.lib.errors import DomainError
from sanxiang.testing import WorldTestCase

from .helpers import case_at, fine_draft, pdf_text, squeeze


def pdfsig(data: bytes) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "doc.pdf"
        path.write_bytes(data)
        done = subprocess.run(  # noqa: S603 - fixed tool, our own temp file
            ["/usr/bin/pdfsig", str(path)], capture_output=True, text=True, check=False
        )
    return done.stdout + done.stderr


def stored(name: str) -> bytes:
    with default_storage.open(name, "rb") as f:
        return f.read()


class SealedTestCase(WorldTestCase):
    """A world whose agency has a seal certificate from a demo CA made for the class."""

    seals: Path
    ca_pem: bytes
    ca_key: bytes

    @classmethod
    def setUpClass(cls) -> None:
        cls.seals = Path(tempfile.mkdtemp(prefix="sx-seals-"))
        cls.addClassCleanup(shutil.rmtree, cls.seals, ignore_errors=True)
        cls.ca_pem, cls.ca_key = sealing.make_ca(cls.seals)
        cls.enterClassContext(override_settings(SANXIANG_SEAL_DIR=cls.seals))
        super().setUpClass()

    def setUp(self) -> None:
        super().setUp()
        if sealing.files_for(self.w.agency) is None:
            sealing.issue_agency_certificate(
                self.seals, self.w.agency, ca_cert_pem=self.ca_pem, ca_key_pem=self.ca_key
            )

    def issue_decision(self) -> IssuedDocument:
        case = case_at(self.w, "decision", **fine_draft())
        return issue_document(actor=self.w.officer, case_id=case.pk, kind="penalty_decision")


class SealedDecision(SealedTestCase):
    def test_the_issued_decision_is_sealed_and_pyhanko_validates_it_against_the_agency_ca(self):
        doc = self.issue_decision()
        result = sealing.check(stored(doc.pdf_name), trusted_ca_pem=self.ca_pem)
        assert result.ok, result.message
        assert result.signer == self.w.agency.name
        assert result.message == f"电子印章有效：{self.w.agency.name}。"

    def test_poppler_pdfsig_finds_a_valid_signature_over_the_whole_file(self):
        doc = self.issue_decision()
        report = pdfsig(stored(doc.pdf_name))
        assert "Signature Validation: Signature is Valid." in report, report
        assert "Total document signed" in report, report
        assert self.w.agency.name in report

    def test_the_ledger_records_the_hash_of_the_signed_file(self):
        doc = self.issue_decision()
        data = stored(doc.pdf_name)
        assert sealing.check(data, trusted_ca_pem=self.ca_pem).sealed
        payload = json.loads(Entry.objects.get(event_type="document.issued").payload)
        assert payload["pdf_sha256"] == hashlib.sha256(data).hexdigest() == doc.pdf_sha256

    def test_the_seal_picture_is_drawn_only_on_a_signed_file_and_the_text_is_unchanged(self):
        doc = self.issue_decision()
        text = squeeze(pdf_text(stored(doc.pdf_name)))
        assert doc.number in text and "罚款" in text

    def test_a_byte_changed_after_sealing_is_caught_by_both_validators(self):
        data = bytearray(stored(self.issue_decision().pdf_name))
        at = data.index(b"/Contents") - 200  # inside the signed range, before the signature
        data[at] = ord("X") if data[at] != ord("X") else ord("Y")
        result = sealing.check(bytes(data), trusted_ca_pem=self.ca_pem)
        assert not result.ok
        assert result.message == "电子印章校验失败：文件在盖章后被改动。"
        assert "Signature is Valid." not in pdfsig(bytes(data))

    def test_a_seal_from_a_ca_nobody_trusts_is_reported_as_untrusted(self):
        data = stored(self.issue_decision().pdf_name)
        stranger, _ = sealing.make_ca(self.seals / "stranger", name="另一个 CA")
        result = sealing.check(data, trusted_ca_pem=stranger)
        assert result.intact and result.valid and not result.trusted
        assert "不是受信任的机关证书" in result.message

    def test_an_unsealed_pdf_is_reported_as_such(self):
        result = sealing.check(b"%PDF-1.7\n%%EOF\n", trusted_ca_pem=self.ca_pem)
        assert not result.sealed and result.message == "该文件未加盖电子印章。"


class ExpiredSeal(SealedTestCase):
    def setUp(self) -> None:
        super().setUp()
        long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=900)
        sealing.issue_agency_certificate(
            self.seals,
            self.w.agency,
            ca_cert_pem=self.ca_pem,
            ca_key_pem=self.ca_key,
            not_before=long_ago,
            days=365,
        )

    def test_an_expired_seal_certificate_refuses_the_issue_and_nothing_is_numbered(self):
        case = case_at(self.w, "decision", **fine_draft())
        with pytest.raises(DomainError) as caught:
            issue_document(actor=self.w.officer, case_id=case.pk, kind="penalty_decision")
        assert caught.value.code == "seal_invalid"
        assert "不在有效期内" in caught.value.message
        assert not IssuedDocument.objects.exists()
        assert not Entry.objects.filter(event_type="document.issued").exists()


class DeployCheckOfSeals(SealedTestCase):
    def run_checks(self) -> list[tuple[str, str]]:
        from sanxiang.documents.checks import seals

        return [(w.id or "", w.msg) for w in seals()]

    def test_an_agency_without_a_seal_and_a_ca_key_on_the_host_are_both_warned(self):
        found = self.run_checks()
        assert "sanxiang.W201" in {k for k, _ in found}  # the test's demo CA keeps its key here
        unsealed = [m for k, m in found if k == "sanxiang.W202"]
        assert any(self.w.other_agency.name in m for m in unsealed)
        assert f"{self.w.agency.name}没有电子印章证书：其文书将不加盖电子印章。" not in unsealed

    def test_a_seal_expiring_within_thirty_days_is_warned(self):
        soon = dt.datetime.now(dt.UTC) - dt.timedelta(days=355)
        sealing.issue_agency_certificate(
            self.seals,
            self.w.agency,
            ca_cert_pem=self.ca_pem,
            ca_key_pem=self.ca_key,
            not_before=soon,
            days=365,
        )
        assert "sanxiang.W203" in {k for k, _ in self.run_checks()}


class DemoSealKeys(WorldTestCase):
    def test_seal_keys_demo_gives_every_agency_a_certificate_once_and_lists_them(self):
        from io import StringIO

        from django.core.management import call_command

        from sanxiang.directory.models import Agency

        with tempfile.TemporaryDirectory() as tmp, override_settings(SANXIANG_SEAL_DIR=tmp):
            out = StringIO()
            call_command("seal_keys", "--demo", stdout=out)
            assert "已生成演示电子印章 CA" in out.getvalue()
            certs = {a.pk: sealing.files_for(a) for a in Agency.objects.all()}
            assert all(certs.values())
            again = StringIO()
            call_command("seal_keys", "--demo", stdout=again)
            assert "已生成" not in again.getvalue()
            for agency in Agency.objects.all():
                files = sealing.files_for(agency)
                assert files is not None and files == certs[agency.pk]
                assert f"{agency.name}：证书" in again.getvalue()
