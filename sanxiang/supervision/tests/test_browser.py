"""The cockpit and a 督办 round trip in a real browser: the supervisor sees the charts, drills
down to an overdue case, issues a 督办 on it; the agency's head finds it in the inbox and
answers with an attachment; the supervisor closes it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from sanxiang.cases.testing import open_test_case
from sanxiang.directory.models import Agency
from sanxiang.supervision.models import Notice, NoticeStatus
from sanxiang.testing import World, a_day, signed_in_page

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = pytest.mark.browser
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"


def _pdf_text(path: Path, *, page: int | None = None) -> str:
    import subprocess

    pages = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run(  # noqa: S603 - poppler on our own file
        ["/usr/bin/pdftotext", "-layout", *pages, str(path), "-"], capture_output=True, check=True
    ).stdout.decode()


@pytest.mark.django_db(transaction=True)
def test_cockpit_drill_down_and_a_notice_round_trip(
    live_server: Any, browser: Any, tmp_path: Path
) -> None:
    w = World.build()
    Agency.objects.filter(pk=w.other_agency.pk).update(supervised_by=w.justice)
    late = open_test_case(w, opened_on=a_day(-100), title="逾期未决定的案件")
    open_test_case(w, title="新立的案件")
    base = live_server.url
    sup = signed_in_page(browser, base, w.supervisor)

    sup.goto(f"{base}/supervision/")
    sup.wait_for_selector("#chart-deadlines svg")
    sup.wait_for_selector("#chart-stages svg")
    rows = sup.locator("#cockpit-agencies tbody tr")
    assert rows.count() == 2
    ARTIFACTS.mkdir(exist_ok=True)
    sup.screenshot(path=str(ARTIFACTS / "supervision-cockpit.png"), full_page=True)
    # The cockpit itself fits a 1280px screen (its wide table scrolls inside its own box).
    assert sup.evaluate("document.querySelector('main').scrollWidth") <= 1280

    # Drill down from the red figure to the case, and issue a 督办 on it.
    sup.click("#cockpit-totals a:has-text('已超期')")
    sup.wait_for_url("**/supervision/cases/?figure=red*")
    assert "逾期未决定的案件" in sup.inner_text("#figure-cases")
    sup.click("#figure-cases a:has-text('督办')")
    assert sup.input_value("#id_agency") == str(w.agency.pk)
    sup.fill("#id_subject", "超期未作出处罚决定")
    sup.fill("#id_finding", "立案已逾九十日仍未作出处罚决定。")
    sup.fill("#id_requirement", "依法作出决定或者办理延期审批手续。")
    sup.fill("#id_due_on", a_day(7).isoformat())
    sup.click("button:has-text('下发')")
    sup.wait_for_selector("#notice-status")
    notice = Notice.objects.get()
    assert notice.case_id == late.pk and "执督〔" in sup.inner_text("h1")
    # The 督办通知书 PDF carries its 文号 and the case.
    pdf_link = sup.locator("a[href$='notice.pdf']").first
    served = sup.request.get(base + str(pdf_link.get_attribute("href")))
    assert served.headers["content-type"] == "application/pdf"
    notice_pdf = tmp_path / "notice.pdf"
    notice_pdf.write_bytes(served.body())
    words = "".join(_pdf_text(notice_pdf).split())  # lines wrap inside the case number
    assert notice.number in words and late.number in words and "行政执法督办通知书" in words

    # The head finds it in the inbox and answers with an attachment.
    head = signed_in_page(browser, base, w.head)
    head.goto(f"{base}/inbox/")
    head.click("a:has-text('督办：超期未作出处罚决定')")
    head.fill("#id_text", "已于本周作出处罚决定并送达。")
    report = tmp_path / "整改报告.txt"
    report.write_text("整改报告", encoding="utf-8")
    head.set_input_files("#id_attachments", str(report))
    head.click("button:has-text('报送')")
    head.wait_for_selector(".answer")
    assert "已报送整改情况" in head.inner_text("#notice-status")

    # The supervisor closes it.
    sup.reload()
    sup.fill("#id_note", "整改到位，同意办结。")
    sup.click("button:has-text('办结督办')")
    sup.wait_for_selector("text=整改到位，同意办结。")
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.CLOSED


@pytest.mark.django_db(transaction=True)
def test_the_head_compiles_and_files_the_handbook_and_its_contents_are_in_the_pdf(
    live_server: Any, browser: Any, tmp_path: Path
) -> None:
    import re
    import subprocess

    from sanxiang.cases.testing import make_matter

    w = World.build()
    make_matter(w.agency, "penalty")
    base = live_server.url
    head = signed_in_page(browser, base, w.head)
    head.goto(f"{base}/")
    head.click("a:has-text('执法工作手册')")
    head.click("button:has-text('按现行数据编制新版本')")
    head.wait_for_selector("#handbooks a:has-text('第1版')")
    head.click("button:has-text('报司法局备案')")
    head.wait_for_selector("#handbooks .badge:has-text('已报备')")

    sup = signed_in_page(browser, base, w.supervisor)
    sup.goto(f"{base}/supervision/handbooks/")
    link = sup.locator("#handbooks a:has-text('第1版')")
    response = sup.request.get(base + str(link.get_attribute("href")))
    assert response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "handbook.pdf"
    pdf.write_bytes(response.body())
    text = _pdf_text(pdf)
    toc = re.findall(r"([一二三四五六七])、(\S+?)\s*\.+\s*(\d+)", text)
    assert [t[0] for t in toc] == list("一二三四五六七"), text[:800]
    assert "为违法宗教活动提供条件的处罚" in text
    # Each entry of the table of contents points at the page where its section begins.
    for numeral, title, page in toc:
        on_page = _pdf_text(pdf, page=int(page))
        assert f"{numeral}、{title}" in "".join(on_page.split()[:3]), (numeral, page)
    # The table of contents page, rendered: not blank, and kept to look at.
    subprocess.run(  # noqa: S603 - poppler on our own file
        [
            "/usr/bin/pdftoppm",
            "-png",
            "-r",
            "60",
            "-f",
            "2",
            "-l",
            "2",
            str(pdf),
            str(tmp_path / "toc"),
        ],
        check=True,
    )
    [png] = tmp_path.glob("toc*.png")
    from PIL import Image

    image = Image.open(png).convert("L")
    histogram = image.histogram()  # 256 counts of grey levels
    dark = sum(histogram[:128])
    assert dark > 500, "the table of contents page rendered blank"
    ARTIFACTS.mkdir(exist_ok=True)
    png.replace(ARTIFACTS / "supervision-handbook-toc.png")
    # The DOCX of the same version is offered beside it.
    docx = sup.locator("#handbooks a:has-text('DOCX')")
    served = sup.request.get(base + str(docx.get_attribute("href")))
    assert served.body()[:2] == b"PK"
