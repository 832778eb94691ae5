"""Journeys in a real browser: a citizen browses the portal on a phone; a head publishes a
decision and withdraws it. Screenshots go to test-artifacts/ (looked at by a person)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.core.management import call_command

from sanxiang.directory.models import Agency
from sanxiang.disclosure import drafting
from sanxiang.disclosure.models import Publication
from sanxiang.ledger import services as ledger
from sanxiang.testing import World, sign_in_page

from .helpers import queued

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shoot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"] + 1, width


def test_a_citizen_browses_the_portal_on_a_phone(browser, live_server):
    call_command("load_demo", verbosity=0)
    ledger.make_checkpoint()  # integrates the demo's entries (tests integrate explicitly)
    agency = Agency.objects.get(name="兴隆台区民族和宗教事务局")
    decision = Publication.objects.filter(status="published", party="刘某").first()
    assert decision is not None
    for label, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        context = browser.new_context(
            viewport=viewport, locale="zh-CN", is_mobile=label == "phone", has_touch=True
        )
        page = context.new_page()
        page.goto(f"{live_server.url}/gongshi/")
        page.get_by_role("heading", name="最新执法决定").wait_for()
        no_sideways_scroll(page)
        shoot(page, f"portal-home-{label}")
        page.get_by_role("link", name=agency.name).first.click()
        page.get_by_role("heading", name="执法主体信息").wait_for()
        no_sideways_scroll(page)
        shoot(page, f"portal-agency-{label}")
        page.goto(f"{live_server.url}/gongshi/jueding/{decision.pk}/")
        page.get_by_role("heading", name="摘要").wait_for()
        text = page.content()
        assert "刘某" in text and "刘海军" not in text and "13904271234" not in text
        no_sideways_scroll(page)
        shoot(page, f"portal-decision-{label}")
        page.get_by_role("link", name="验证本条信息").click()
        page.get_by_role("heading", name="验证通过").wait_for()
        shoot(page, f"portal-verify-{label}")
        context.close()


def test_the_certificate_check_and_search_work_on_a_phone(browser, live_server):
    World.build()
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/gongshi/zhengjian/")
    page.get_by_label("执法证件编号").fill("T0001")
    page.get_by_role("button", name="查询").click()
    page.get_by_text("今日可以执法").wait_for()
    no_sideways_scroll(page)
    page.goto(f"{live_server.url}/gongshi/jueding/?q=<b>x</b>&page=99")
    assert page.get_by_text("共 0 条").is_visible()
    context.close()


def test_a_search_of_two_characters_finds_and_explains_itself_on_a_phone(browser, live_server):
    from .helpers import published

    world = World.build()
    item = published(world, text="当事人在鑫源饭店组织宗教活动。")
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/gongshi/jueding/")
    page.get_by_label("关键词（当事人、事项、文号）").fill(" 鑫源 ")
    page.get_by_role("button", name="检索").click()
    page.get_by_text("不足三个字").wait_for()
    assert page.get_by_text("共 1 条").is_visible()
    assert page.locator(f'a[href="/gongshi/jueding/{item.pk}/"]').count() == 1
    no_sideways_scroll(page)
    shoot(page, "portal-search-short-phone")
    page.reload()  # the second time from the cache: the same page
    page.get_by_text("不足三个字").wait_for()
    context.close()


def test_a_head_publishes_a_decision_and_then_withdraws_it(page, live_server):
    world = World.build()
    item = queued(world)
    sign_in_page(page, live_server.url, world.head)
    page.get_by_role("heading", name="工作台").wait_for()
    page.goto(f"{live_server.url}/disclosure/")
    page.get_by_role("link", name=item.doc_number).first.click()
    page.locator("mark.sx-mask").nth(3).wait_for()  # at least four masked spans
    shoot(page, "staff-preview-desktop")
    page.get_by_role("button", name="审查无误，公示").click()
    # Published under the issued 决定书's 文号 (queued under the case number before it was issued).
    number = drafting.decision_number(item.case)
    assert number != item.doc_number
    page.get_by_text(f"已公示：{number}").wait_for()
    page.goto(f"{live_server.url}/gongshi/jueding/{item.pk}/")
    assert "张某" in page.content() and "张三" not in page.content()
    page.goto(f"{live_server.url}/disclosure/{item.pk}/")
    page.locator("summary", has_text="撤回公示").click()
    page.get_by_label("撤回原因").select_option("revoked")
    page.get_by_label("向公众说明的撤回理由").fill("经行政复议，原处罚决定被撤销。")
    page.get_by_role("button", name="撤回", exact=True).click()
    page.get_by_text(f"已撤回：{number}").wait_for()
    page.goto(f"{live_server.url}/gongshi/jueding/{item.pk}/")
    assert "已撤回" in page.content() and "原处罚决定被撤销" in page.content()
    assert "身份证号码" not in page.content()


def test_the_annual_report_draws_its_charts_under_the_csp(browser, live_server):
    from django.utils import timezone

    from sanxiang.disclosure.models import AnnualReport

    from .helpers import decided_case

    world = World.build()
    decided_case(world)
    year = timezone.localdate().year
    AnnualReport.objects.create(
        agency=world.agency,
        year=year,
        narrative="本年度依法办理案件。",
        published_at=timezone.now(),
    )
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/gongshi/nianbao/{world.agency.pk}/{year}/")
    page.locator("#chart-penalty svg").first.wait_for()
    assert page.locator("#chart-licence svg").count() >= 1
    assert not [e for e in errors if "Content Security Policy" in e], errors
    no_sideways_scroll(page)
    shoot(page, "portal-report-phone")
    context.close()


SMALLEST_TEXT = """() => {
  let smallest = 99, where = "";
  for (const el of document.querySelectorAll("body *")) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < smallest) {
      smallest = size;
      where = el.tagName + ": " + el.textContent.trim().slice(0, 30);
    }
  }
  return [smallest, where];
}"""


def test_the_portal_frame_is_readable_and_its_qr_images_display(browser, live_server):
    call_command("load_demo", verbosity=0)
    agency = Agency.objects.get(name="兴隆台区民族和宗教事务局")
    matter = agency.matters.get(code="XK-001")
    post = agency.posts.filter(is_active=True).first()
    officer = agency.officers.exclude(certificate_no="").first()
    assert post is not None and officer is not None
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    pages = {
        "home": "/gongshi/",
        "guide": f"/gongshi/shixiang/{matter.pk}/",
        "decisions": "/gongshi/jueding/",
        "agency": f"/gongshi/zhuti/{agency.pk}/",
        "sitemap": "/gongshi/ditu/",
        "certificate": f"/gongshi/zhengjian/?no={officer.certificate_no}",
        "not-found": "/gongshi/jueding/999999/",
    }
    for name, path in pages.items():
        page.goto(live_server.url + path)
        shoot(page, f"portal-{name}-phone")
        smallest, where = page.evaluate(SMALLEST_TEXT)
        assert smallest >= 14, (name, smallest, where)
        no_sideways_scroll(page)
    assert "页面不存在" in page.content() and "网站地图" in page.content()
    page.goto(f"{live_server.url}/gongshi/shixiang/{matter.pk}/")
    for value in ("许可条件", "申请书", "优惠政策", "责任追究", "查看流程图"):
        assert value in page.content(), value
    for path in (
        f"/gongshi/zhengjian/?no={officer.certificate_no}",
        f"/gongshi/gangwei/{post.pk}/",
    ):
        page.goto(live_server.url + path)
        qr = page.locator(".qr img")
        qr.wait_for()
        page.wait_for_function("() => document.querySelector('.qr img').complete")
        assert qr.evaluate("img => img.naturalWidth") > 0, path
    page.goto(f"{live_server.url}/gongshi/")
    page.get_by_role("link", name="长者模式").click()
    page.get_by_role("link", name="退出长者模式").wait_for()
    page.goto(f"{live_server.url}/gongshi/jueding/")  # remembered on the next page
    assert page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)") >= 20
    shoot(page, "portal-elder-phone")
    page.get_by_role("link", name="退出长者模式").click()
    page.get_by_role("link", name="长者模式").wait_for()
    context.close()


def test_a_file_is_checked_in_the_browser_without_being_uploaded(browser, live_server, tmp_path):
    import hashlib
    from types import SimpleNamespace
    from unittest import mock

    from sanxiang.disclosure import verification

    from .helpers import decided_case

    world = World.build()
    genuine = b"%PDF-1.7 genuine decision"
    doc = SimpleNamespace(
        pk=41,
        case_id=decided_case(world).pk,
        number="测民宗罚决字〔2026〕第1号",
        title="行政处罚决定书",
        content_sha256="ab" * 32,
        pdf_sha256=hashlib.sha256(genuine).hexdigest(),
    )
    hashes = {doc.content_sha256, doc.pdf_sha256}
    documents = {
        "queries": SimpleNamespace(
            document_for_verification=lambda n, h: doc if n == doc.number and h in hashes else None
        ),
        "models": SimpleNamespace(
            IssuedDocument=SimpleNamespace(
                objects=SimpleNamespace(filter=lambda **kw: SimpleNamespace(exists=lambda: True))
            )
        ),
    }
    (tmp_path / "genuine.pdf").write_bytes(genuine)
    (tmp_path / "forged.pdf").write_bytes(b"%PDF-1.7 forged decision")
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
    page = context.new_page()
    uploads: list[str] = []
    page.on("request", lambda r: uploads.append(r.url) if r.method == "POST" else None)
    with mock.patch.object(verification, "_documents", documents.__getitem__):
        page.goto(f"{live_server.url}/gongshi/verify/?doc={doc.number}&sha256={doc.content_sha256}")
        page.get_by_text("未核对文件本身").wait_for()  # the QR's hash is not the file's
        shoot(page, "portal-verify-qr-only-phone")
        page.get_by_label("核对文件本身").set_input_files(str(tmp_path / "genuine.pdf"))
        page.get_by_text("一致（SHA-256 相同）").wait_for()
        shoot(page, "portal-verify-file-phone")
        page.get_by_label("核对文件本身").set_input_files(str(tmp_path / "forged.pdf"))
        page.get_by_text("您选择的文件与签发的文件不一致").wait_for()
    assert not uploads, uploads  # hashed in the browser: nothing was posted
    context.close()
