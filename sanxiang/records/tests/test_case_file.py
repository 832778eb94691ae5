"""The 案卷 follows 立卷 practice (issue 10 item 9): cover, 卷内目录 with real page numbers,
备考表; 归档 refused while a document the file must hold is missing."""

import subprocess
import tempfile
import zipfile
from pathlib import Path

import pytest
from django.test import override_settings

from sanxiang.cases.models import Case
from sanxiang.cases.services import DraftData, save_draft, transition
from sanxiang.cases.testing import open_test_case
from sanxiang.documents.models import IssuedDocument
from sanxiang.documents.services import issue_document
from sanxiang.documents.testing import walk
from sanxiang.lib.errors import DomainError
from sanxiang.records import dossier
from sanxiang.testing import WorldTestCase, signed_in

from .helpers import PDF, staff_client, upload

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
TO_CLOSING = ["investigation", "case_review", "notice", "defence", "decision", "delivery"]


def closed_case(w, *, real_filing_approval: bool = False, **kwargs) -> Case:
    case = open_test_case(w, **kwargs)
    if real_filing_approval:  # a real PDF (the walk's other documents are stand-ins)
        issue_document(actor=w.officer, case_id=case.pk, kind="filing_approval")
    warning = DraftData(
        violated_provision="《宗教事务条例》第四十一条",
        kind="warning",
        legal_basis="《宗教事务条例》第六十五条",
        text="警告",
    )
    save_draft(actor=w.officer, case_id=case.pk, data=warning)
    walk(w.head, case.pk, [*TO_CLOSING, "closing"])
    return Case.objects.get(pk=case.pk)


def png_of(pdf: bytes, name: str, page: int = 1) -> Path:
    """The page rendered by poppler, kept under test-artifacts/ to be looked at."""
    ARTIFACTS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "f.pdf"
        src.write_bytes(pdf)
        subprocess.run(  # noqa: S603 - fixed tool, our own temp file
            [
                "/usr/bin/pdftoppm",
                "-png",
                "-r",
                "60",
                "-f",
                str(page),
                "-l",
                str(page),
                "-singlefile",
                str(src),
                str(ARTIFACTS / name),
            ],
            check=True,
        )
    return ARTIFACTS / f"{name}.png"


def pdf_fonts(pdf: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        done = subprocess.run(  # noqa: S603 - fixed tool, our own temp file
            ["/usr/bin/pdffonts", f.name], capture_output=True, text=True, check=True
        )
    return done.stdout


class CatalogueTests(WorldTestCase):
    def test_an_issued_document_is_catalogued_with_its_real_pages(self):
        case = open_test_case(self.w)
        doc = issue_document(actor=self.w.officer, case_id=case.pk, kind="filing_approval")
        upload(self.w.officer, case, PDF, title="营业执照复印件")
        context = dossier.case_file(actor=self.w.officer, case_id=case.pk)
        first, second = context["items"]
        assert first.title.startswith("立案审批表") and first.pages >= 1
        assert first.page_range.startswith("1")
        assert first.responsible == case.agency.name
        assert second.first_page == first.pages + 1 and second.pages == 2
        assert context["total_pages"] == first.pages + 2
        assert doc.pdf_sha256 == first.sha256

    def test_the_weasyprint_pdf_of_a_document_counts_its_pages(self):
        from weasyprint import HTML

        html = "<p>一</p>" + '<p style="page-break-before: always">二</p>' * 2
        assert dossier.count_pdf_pages([HTML(string=html).write_pdf()]) == 3

    def test_the_case_file_page_shows_cover_catalogue_and_notes(self):
        case = open_test_case(self.w)
        issue_document(actor=self.w.officer, case_id=case.pk, kind="filing_approval")
        response = staff_client(self.w.officer).get(f"/records/case/{case.pk}/file/")
        assert response.status_code == 200
        page = response.content.decode()
        for text in ("卷宗封面", "卷内目录", "备考表", "长期（30年）", "本卷情况说明", "页号"):
            assert text in page
        assert 'data-pages="0"' not in page

    def test_another_agency_cannot_open_the_case_file(self):
        case = open_test_case(self.w)
        response = staff_client(self.w.other_officer).get(f"/records/case/{case.pk}/file/")
        assert response.status_code == 404

    @override_settings(SANXIANG_RETENTION={"penalty_ordinary": "permanent"})
    def test_the_retention_period_is_configuration(self):
        case = open_test_case(self.w)
        assert dossier.case_file(actor=self.w.officer, case_id=case.pk)["retention"] == "永久"


class ArchiveTests(WorldTestCase):
    def test_a_complete_file_is_archived_and_its_filer_is_on_the_cover(self):
        case = closed_case(self.w)
        transition(actor=self.w.officer, case_id=case.pk, target="archived")
        context = dossier.case_file(actor=self.w.officer, case_id=case.pk)
        assert context["lacking"] == []
        assert context["filing"].filed_by == str(self.w.officer)
        assert context["filing"].checked_by == str(self.w.head)

    def test_archiving_is_refused_naming_every_missing_document(self):
        case = closed_case(self.w)
        # A file put together before the guards, or altered: no 立案审批表, no 告知书.
        IssuedDocument.objects.filter(
            case=case, kind__in=["filing_approval", "penalty_notice"]
        ).delete()
        with pytest.raises(DomainError) as err:
            transition(actor=self.w.officer, case_id=case.pk, target="archived")
        assert err.value.code == "file_incomplete"
        assert "《立案审批表》" in err.value.message and "第54条" in err.value.message
        assert "《行政处罚事先告知书》" in err.value.message and "第44条" in err.value.message
        assert Case.objects.get(pk=case.pk).stage == "closing"
        # The 备考表 says the same, and the export still goes (a court may ask for it).
        lacking = dossier.case_file(actor=self.w.officer, case_id=case.pk)["lacking"]
        assert len(lacking) == 2

    def test_a_case_not_filed_is_archived_without_a_decision(self):
        case = open_test_case(self.w)
        transition(actor=self.w.head, case_id=case.pk, target="closing", note="不予立案")
        transition(actor=self.w.officer, case_id=case.pk, target="archived")
        assert Case.objects.get(pk=case.pk).stage == "archived"

    def test_the_api_refuses_archiving_with_the_stable_code(self):
        case = closed_case(self.w)
        IssuedDocument.objects.filter(case=case, kind="filing_approval").delete()
        response = signed_in(self.w.officer).post(
            f"/api/v1/cases/{case.pk}/transitions",
            {"target": "archived"},
            content_type="application/json",
        )
        assert response.status_code == 409
        error = response.json()["error"]
        assert error["code"] == "file_incomplete" and "《立案审批表》" in error["message"]


class ExportTests(WorldTestCase):
    def test_the_export_has_cover_catalogue_and_notes_rendered_in_a_cjk_font(self):
        case = closed_case(self.w, real_filing_approval=True)
        IssuedDocument.objects.filter(case=case, kind="penalty_notice").delete()
        upload(self.w.officer, case, PDF, title="询问笔录（纸质扫描）")
        path = dossier.export_case(actor=self.w.officer, case_id=case.pk)
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            cover = archive.read("00-封面与目录.pdf")
            notes = archive.read("备考表.pdf")
        assert names.index("备考表.pdf") > names.index("00-封面与目录.pdf")
        assert "Noto" in pdf_fonts(cover) and "CJK" in pdf_fonts(cover)
        from sanxiang.documents.tests.helpers import pdf_text, squeeze

        catalogue = squeeze(pdf_text(cover))
        for text in ("行政执法案卷", "保管期限", "立卷人", "审核人", "卷内目录", "责任者"):
            assert text in catalogue
        assert "共4件" in catalogue  # 立案审批表, 决定书, 送达回证, the scan
        assert "缺损情况" in squeeze(pdf_text(notes))
        assert "行政处罚事先告知书" in squeeze(pdf_text(notes))
        for name, data, page in (
            ("file-cover", cover, 1),
            ("file-catalogue", cover, 2),
            ("file-notes", notes, 1),
        ):
            assert png_of(data, name, page).stat().st_size > 1000
