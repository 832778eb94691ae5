"""The sealed 笔录 rendered for real (WeasyPrint, python-docx): the standard form with the
answers, "以上笔录我已看过" on every page, 拒签 noted with the witness, the signatures embedded."""

from __future__ import annotations

import io
import os
import subprocess
import tempfile
from pathlib import Path

from django.core.files.storage import default_storage
from docx import Document

from sanxiang.cases.testing import open_test_case, person
from sanxiang.documents.models import IssuedDocument
from sanxiang.documents.tests.helpers import pdf_text, squeeze
from sanxiang.testing import WorldTestCase
from sanxiang.transcripts import services
from sanxiang.transcripts.models import Transcript

from .helpers import ANSWER, inquiry, people, sign_all

LONG = [(f"第{i}个问题：请说明当天的情况？", ANSWER * 3) for i in range(1, 25)]


class SealedRecordRendering(WorldTestCase):
    t: Transcript
    pdf: bytes
    docx: bytes

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        case = open_test_case(cls.w, parties=[person("张某")], title="某场所违规组织宗教活动")
        t = services.create_transcript(
            actor=cls.w.officer, case_id=case.pk, data=inquiry(cls.w, case, questions=LONG)
        )
        found = people(t)
        services.refuse(
            actor=cls.w.officer,
            transcript_id=t.pk,
            participant_id=found["interviewee"].pk,
            witness_id=found["witness"].pk,
        )
        sign_all(cls.w, t, skip=("interviewee",))
        cls.t = services.seal(actor=cls.w.officer, transcript_id=t.pk)
        doc = IssuedDocument.objects.get(transcript=cls.t)
        with default_storage.open(doc.pdf_name, "rb") as f:
            cls.pdf = f.read()
        with default_storage.open(doc.docx_name, "rb") as f:
            cls.docx = f.read()

    def test_the_pdf_is_the_standard_form_with_the_answers_and_the_refusal(self):
        text = squeeze(pdf_text(self.pdf))
        for expected in (
            "询问笔录",
            "测试区民族和宗教事务局询问室",
            "officer（执法证号：T0001）",
            "被询问人",
            "第24个问题",
            squeeze(ANSWER),
            "申请回避",
            "第五十五条第一款",
            "张某拒绝签名，见证人：王见证",
        ):
            self.assertIn(squeeze(expected), text)

    def test_every_page_carries_the_confirmation_and_the_signatures_are_embedded(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "r.pdf"
            path.write_bytes(self.pdf)
            pages = int(
                next(
                    line.split()[-1]
                    for line in subprocess.run(  # noqa: S603 - fixed tool
                        ["/usr/bin/pdfinfo", str(path)], capture_output=True, text=True, check=True
                    ).stdout.splitlines()
                    if line.startswith("Pages:")
                )
            )
            images = subprocess.run(  # noqa: S603 - fixed tool
                ["/usr/bin/pdfimages", "-list", str(path)],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            shots = os.environ.get("SANXIANG_SCREENSHOTS_DIR")
            if shots:
                subprocess.run(  # noqa: S603 - fixed tool
                    [
                        "/usr/bin/pdftoppm",
                        "-png",
                        "-r",
                        "60",
                        str(path),
                        f"{shots}/transcript-page",
                    ],
                    check=True,
                )
        self.assertGreaterEqual(pages, 2)
        confirmations = pdf_text(self.pdf).count("以上笔录我已看过")
        self.assertGreaterEqual(confirmations, pages)
        # the witness and two officers signed: their images, on the last page at least
        self.assertGreaterEqual(len(images.strip().splitlines()) - 2, 3)

    def test_the_docx_has_the_answers_and_the_signature_pictures(self):
        document = Document(io.BytesIO(self.docx))
        body = "".join(p.text for p in document.paragraphs)
        self.assertIn("第24个问题", body)
        self.assertIn("见证人：王见证", body)
        self.assertGreaterEqual(len(document.inline_shapes), 3)
        footer = "".join(p.text for p in document.sections[0].footer.paragraphs)
        self.assertIn("以上笔录我已看过", footer)
