"""Cases for the document tests, placed at a stage directly.

Tests put a case at a stage with a plain UPDATE (test data, not a domain write): the transitions
themselves are the cases app's to test, and guards other apps register (records, review) must
not decide whether a document test can run.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any
from unittest import mock

from django.test import override_settings

from sanxiang.cases.models import Case
from sanxiang.cases.services import DraftData, save_draft
from sanxiang.cases.testing import company, open_test_case
from sanxiang.documents.content import DocumentContent
from sanxiang.testing import WorldTestCase


def case_at(world: Any, stage: str, *, procedure: str = "penalty_ordinary", **draft: Any) -> Case:
    case = open_test_case(
        world, procedure=procedure, parties=[company()], title="某公司违规组织宗教活动"
    )
    if draft:
        save_draft(actor=world.officer, case_id=case.pk, data=DraftData(**draft))
    Case.objects.filter(pk=case.pk).update(stage=stage)
    return Case.objects.get(pk=case.pk)


def fine_draft(amount: str = "5000.00") -> dict[str, Any]:
    return {
        "kind": "fine",
        "fine_amount": amount,
        "legal_basis": "《宗教事务条例》第七十一条",
        "violated_provision": "《宗教事务条例》第四十一条",
    }


def pdf_text(data: bytes) -> str:
    """The text of a PDF as poppler's pdftotext extracts it (what a reader would copy)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "doc.pdf"
        path.write_bytes(data)
        done = subprocess.run(  # noqa: S603 - fixed tool, our own temp file
            ["/usr/bin/pdftotext", "-raw", str(path), "-"],
            capture_output=True,
            check=True,
            text=True,
        )
    return done.stdout


def squeeze(text: str) -> str:
    """Text without whitespace: a PDF line break may fall anywhere inside a sentence."""
    return "".join(text.split())


def quick_pdf(content: DocumentContent) -> bytes:
    """A stand-in PDF for tests about who may do what: WeasyPrint takes ~0.5 s a document and
    the templates are tested for real in test_templates.py (and end to end in test_issuing)."""
    return b"%PDF-1.7\n% test stand-in\n" + content.sha256().encode()


class QuickDocumentsTestCase(WorldTestCase):
    """A WorldTestCase with stand-in PDFs, and files of setUpTestData in a scratch directory."""

    @classmethod
    def setUpClass(cls) -> None:
        scratch = tempfile.mkdtemp(prefix="sx-documents-")
        cls.addClassCleanup(shutil.rmtree, scratch, ignore_errors=True)
        storage = {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": scratch},
        }
        cls.enterClassContext(
            override_settings(
                STORAGES={
                    "default": storage,
                    "staticfiles": {
                        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
                    },
                }
            )
        )
        cls.enterClassContext(mock.patch("sanxiang.documents.services.render_pdf", quick_pdf))
        super().setUpClass()
