"""In a real browser, an administrator imports a 音像记录事项清单 sheet with bad cells: the report
page lists each (row, column, cell, value, reason), nothing is saved, the marked copy downloads
with the reason on the bad cell, and the page raises no CSP error. Screenshot: test-artifacts/."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from openpyxl import load_workbook

from sanxiang.records import av_sheet
from sanxiang.records.models import AvRequirement
from sanxiang.testing import World, sign_in_page

from .test_lists import _copy_first_row, _date_as_serial, build_lists, edited, reworked

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_bad_sheet_is_listed_cell_by_cell_and_the_marked_copy_downloads(
    live_server, page, tmp_path
):
    world = World.build()
    build_lists(world)
    data = reworked(av_sheet.export_av_list(world.agency.pk), _copy_first_row)
    data = edited(data, {"要求": "必须", "记录情形": ""})
    data = reworked(data, lambda s: _date_as_serial(s, "生效日期"))
    upload = tmp_path / "av-list.xlsx"
    upload.write_bytes(data)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    sign_in_page(page, live_server.url, world.admin)
    page.goto(f"{live_server.url}/records/av-list/")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "sheet-av-list.png"))
    page.set_input_files("#import-file-av", str(upload))
    page.get_by_role("button", name="导入", exact=True).click()
    page.wait_for_url("**/imports/**")
    page.screenshot(path=str(ARTIFACTS / "sheet-import-refused.png"), full_page=True)

    rows = page.locator("table tbody tr")
    assert rows.count() == 4
    assert rows.nth(0).inner_text().split("\t") == [
        "第2行",
        "要求",
        "E2",
        "必须",
        "应为以下之一：应当、可以。",
    ]
    assert "不能为空" in rows.nth(1).inner_text() and "F2" in rows.nth(1).inner_text()
    assert "是数字而不是日期" in rows.nth(2).inner_text()
    assert rows.nth(3).inner_text().split("\t")[:4] == [
        "第3行",
        "执法类别",
        "A3",
        "行政处罚、现场调查／调查取证",
    ]
    assert "与第2行重复" in rows.nth(3).inner_text()
    assert "未保存任何数据" in page.locator(".alert-danger").inner_text()
    assert AvRequirement.objects.count() == 1

    with page.expect_download() as download:
        page.get_by_role("link", name="下载标注错误的表格").click()
    marked = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).worksheets[0]
    assert marked["E2"].comment.text == "应为以下之一：应当、可以。"
    assert marked["F2"].comment.text == "不能为空。"
    assert not [e for e in errors if "Content Security Policy" in e], errors
