"""执法工作手册: compiled from the agency's data with a table of contents and page numbers,
versioned, filed with the 司法局 (the supervisor then sees it)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from django.core.files.storage import default_storage

from sanxiang.cases.testing import make_matter
from sanxiang.ledger.models import Entry
from sanxiang.lib.errors import DomainError
from sanxiang.supervision import handbook
from sanxiang.testing import WorldTestCase, signed_in


def pdf_text(name: str, tmp: Path) -> str:
    path = tmp / "handbook.pdf"
    with default_storage.open(name, "rb") as stream:
        path.write_bytes(stream.read())
    done = subprocess.run(  # noqa: S603 - poppler's pdftotext on our own file
        ["/usr/bin/pdftotext", "-layout", str(path), "-"], capture_output=True, check=True
    )
    return done.stdout.decode()


class HandbookTest(WorldTestCase):
    def test_the_handbook_has_a_table_of_contents_with_page_numbers_and_the_data(self) -> None:
        import tempfile

        make_matter(self.w.agency, "penalty")
        made = handbook.compile_handbook(actor=self.w.head)
        assert made.version == 1
        text = pdf_text(made.pdf_name, Path(tempfile.mkdtemp()))
        assert "行政执法工作手册" in text and "目录" in text
        toc = re.findall(r"([一二三四五六七])、(\S+?)\s*\.+\s*(\d+)", text)
        assert [t[0] for t in toc] == list("一二三四五六七"), toc
        pages = [int(t[2]) for t in toc]
        assert pages == sorted(pages) and pages[0] >= 2
        assert "为违法宗教活动提供条件的处罚" in text  # the matter itself
        assert "行政处罚普通程序" in text  # its flowchart
        assert handbook.compile_handbook(actor=self.w.head).version == 2

    def test_filing_makes_it_visible_to_the_supervisor_and_is_a_ledger_entry(self) -> None:
        made = handbook.compile_handbook(actor=self.w.head)
        assert not handbook.handbooks_for(self.w.supervisor).exists()
        handbook.file_handbook(actor=self.w.head, handbook_id=made.pk)
        assert list(handbook.handbooks_for(self.w.supervisor)) == [made]
        assert Entry.objects.filter(event_type="supervision.handbook_filed").count() == 1
        with self.assertRaises(DomainError) as caught:
            handbook.file_handbook(actor=self.w.head, handbook_id=made.pk)
        assert caught.exception.code == "conflict"
        response = signed_in(self.w.supervisor).get(
            f"/supervision/handbooks/{made.pk}/handbook.pdf"
        )
        assert response.content.startswith(b"%PDF-")

    def test_an_officer_cannot_compile_and_another_agency_cannot_file(self) -> None:
        with self.assertRaises(DomainError):
            handbook.compile_handbook(actor=self.w.officer)
        made = handbook.compile_handbook(actor=self.w.head)
        with self.assertRaises(DomainError):
            handbook.file_handbook(actor=self.w.other_officer, handbook_id=made.pk)

    def test_the_docx_has_the_same_sections_under_a_table_of_contents_field(self) -> None:
        import io
        import zipfile

        from docx import Document

        make_matter(self.w.agency, "penalty")
        made = handbook.compile_handbook(actor=self.w.head)
        assert made.docx_sha256 and made.docx_name.endswith(".docx")
        handbook.file_handbook(actor=self.w.head, handbook_id=made.pk)
        response = signed_in(self.w.supervisor).get(
            f"/supervision/handbooks/{made.pk}/handbook.docx"
        )
        assert response.status_code == 200
        data = response.content
        document = Document(io.BytesIO(data))
        headings = [
            p.text
            for p in document.paragraphs
            if p.style is not None and p.style.name == "Heading 1"
        ]
        assert headings == [label for _, label in handbook.SECTIONS]
        xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
        assert 'TOC \\o "1-1"' in xml  # a real TOC field over the Heading 1 sections
        settings = zipfile.ZipFile(io.BytesIO(data)).read("word/settings.xml").decode()
        assert "updateFields" in settings
        text = "\n".join(p.text for p in document.paragraphs)
        cells = "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
        assert "为违法宗教活动提供条件的处罚" in text + cells
        assert "行政处罚普通程序" in text  # its flowchart's steps
        entry = Entry.objects.get(event_type="supervision.handbook_compiled")
        assert made.docx_sha256 in entry.payload
