"""A party asks for the progress of their case on a phone, by case number and by their link.
Screenshots go to test-artifacts/ (looked at by a person)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sanxiang.applicant.services import create_link
from sanxiang.testing import World

from .helpers import company_of, person_of, two_party_case

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
PHONE = {"width": 390, "height": 844}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shoot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def smallest_text_px(page) -> float:
    return page.evaluate(
        """() => Math.min(...[...document.querySelectorAll('main *')]
            .filter(e => e.childNodes.length && [...e.childNodes].some(
                n => n.nodeType === 3 && n.textContent.trim()))
            .map(e => parseFloat(getComputedStyle(e).fontSize)))"""
    )


def test_a_party_asks_for_progress_on_a_phone(browser, live_server):
    world = World.build()
    case = two_party_case(world, "defence")
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/gongshi/")
    page.get_by_role("link", name="进度查询").click()
    page.get_by_label("案件编号").fill(case.number)
    page.get_by_label("证件号码或统一社会信用代码后六位").fill("000000")
    page.get_by_role("button", name="查询").click()
    page.get_by_role("alert").get_by_text("未能查询到办理进度").wait_for()
    shoot(page, "applicant-progress-refused-phone")
    page.get_by_label("证件号码或统一社会信用代码后六位").fill(person_of(case).id_number[-6:])
    page.get_by_role("button", name="查询").click()
    page.get_by_role("heading", name="当前阶段：陈述申辩").wait_for()
    assert page.get_by_text("王小明").is_visible()
    assert "某文化传播有限公司" not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    assert smallest_text_px(page) >= 14
    shoot(page, "applicant-progress-phone")
    token = create_link(actor=world.officer, case_id=case.pk, party_id=company_of(case).pk).token
    page.goto(f"{live_server.url}/gongshi/jindu/l/{token}/")
    page.get_by_role("heading", name="需要您办理的事项").wait_for()
    assert page.get_by_text("某文化传播有限公司").is_visible()
    shoot(page, "applicant-link-phone")
    context.close()


def test_apply_online_then_supplement_on_a_phone(browser, live_server, tmp_path):
    """网上受理 → 补正 asked by the head → the applicant supplements through the link."""
    from sanxiang.applicant.tests.helpers import PDF, online_matter
    from sanxiang.cases.models import Case
    from sanxiang.testing import signed_in_page

    world = World.build()
    online_matter(world)
    scan = tmp_path / "申请书.pdf"
    scan.write_bytes(PDF)
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/gongshi/shenqing/")
    page.get_by_role("link", name="宗教活动场所登记").click()
    page.get_by_label("名称或姓名").fill("测试区某某寺")
    from sanxiang.cases.testing import org_credit_code

    page.get_by_label("统一社会信用代码").fill(org_credit_code(31))
    page.get_by_label("联系电话").fill("0427-2800099")
    page.get_by_label("申请事项及理由").fill("申请宗教活动场所登记。")
    page.get_by_label("同意电子送达").check()
    shoot(page, "applicant-apply-form-phone")
    page.get_by_role("button", name="下一步：上传申请材料").click()
    for label in ("申请书", "登记证书复印件"):
        page.get_by_label(f"选择“{label}”的文件").set_input_files(str(scan))
        page.locator(f"form:has(input[value='{label}']) button").click()
        page.get_by_text(f"已上传“{label}”").wait_for()
    shoot(page, "applicant-apply-materials-phone")
    page.get_by_role("button", name="确认提交申请").click()
    page.get_by_role("heading", name="申请已提交").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    shoot(page, "applicant-apply-receipt-phone")
    link = page.locator("#party-link").inner_text().strip()
    receipt = page.request.get(link + "huizhi.pdf")
    assert receipt.ok and receipt.body().startswith(b"%PDF")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "applicant-apply-receipt.pdf").write_bytes(receipt.body())
    case = Case.objects.get(procedure="licence")
    assert case.stage == "application"
    # The head asks for 补正 on the case page (desktop).
    staff = signed_in_page(browser, live_server.url, world.head)
    staff.goto(f"{live_server.url}/cases/{case.pk}/#online-application")
    staff.get_by_label("申请书", exact=True).check()
    staff.get_by_label("“申请书”需补正的内容").fill("申请书未加盖公章")
    staff.get_by_role("button", name="告知补正（制发补正告知书）").click()
    staff.get_by_text("已一次告知需要补正的全部内容").wait_for()
    shoot(staff, "applicant-supplement-staff")
    # The applicant sees exactly that item and supplements it.
    page.goto(link)
    page.get_by_text("申请书未加盖公章").wait_for()
    page.get_by_label("选择“申请书”的补正文件").set_input_files(str(scan))
    page.locator("#h-supplement form:has(input[value='申请书']) button").click()
    page.get_by_text("已上传：").wait_for()
    page.get_by_role("button", name="提交全部补正材料").click()
    page.get_by_role("status").get_by_text("已收到您的全部补正材料").wait_for()
    shoot(page, "applicant-supplement-done-phone")
    staff.goto(f"{live_server.url}/cases/{case.pk}/")  # a reload: the hash alone would not
    staff.get_by_role("button", name="受理（受理日期").click()
    staff.get_by_text("已受理，受理日期为").wait_for()
    assert Case.objects.get(pk=case.pk).stage == "acceptance"
    # Granted (examination and the head's decision through the services), then delivered
    # electronically to the applicant who chose it in the form, and opened through the link.
    from .helpers import granted

    grant = granted(world, case.pk)
    staff.goto(f"{live_server.url}/cases/{case.pk}/")
    staff.get_by_label("文书", exact=True).select_option(str(grant.pk))
    staff.get_by_role("button", name="电子送达给测试区某某寺").click()
    staff.get_by_text("已电子送达《准予行政许可决定书》").wait_for()
    page.goto(link)
    page.get_by_text("准予行政许可决定书").first.wait_for()
    shoot(page, "applicant-grant-phone")
    opened = page.request.get(f"{link}wenshu/{grant.pk}.pdf")
    assert opened.ok and opened.body().startswith(b"%PDF")
    staff.goto(f"{live_server.url}/cases/{case.pk}/")
    staff.locator("#party-links").get_by_text(" 送达").first.wait_for()
    shoot(staff, "applicant-delivered-staff")
    from sanxiang.applicant.models import ElectronicDelivery

    assert ElectronicDelivery.objects.get(document=grant).delivered_at is not None
    context.close()


def test_a_penalty_party_states_its_defence_and_asks_for_a_hearing_on_a_phone(
    browser, live_server, tmp_path
):
    """After the 告知: 陈述申辩 and a hearing request through the link; the decision then waits."""
    import pytest as _pytest

    from sanxiang.cases.models import Case
    from sanxiang.cases.services import DraftData, save_draft, transition
    from sanxiang.cases.testing import company, open_test_case
    from sanxiang.documents.testing import take_step
    from sanxiang.lib.errors import DomainError

    world = World.build()
    case = open_test_case(world, parties=[company()], title="某公司违规组织宗教活动")
    take_step(world.head, case.pk, "investigation")
    take_step(world.officer, case.pk, "case_review")
    save_draft(
        actor=world.officer,
        case_id=case.pk,
        data=DraftData(
            violated_provision="《宗教事务条例》第四十一条",
            kind="fine",
            fine_amount="200000",
            legal_basis="《宗教事务条例》第七十一条",
        ),
    )
    take_step(world.officer, case.pk, "notice", waive=False)
    take_step(world.officer, case.pk, "defence", waive=False)
    token = create_link(actor=world.officer, case_id=case.pk, party_id=case.parties.get().pk).token
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/gongshi/jindu/l/{token}/")
    from sanxiang.applicant.tests.helpers import PDF

    evidence = tmp_path / "整改情况说明.pdf"
    evidence.write_bytes(PDF)
    page.get_by_label("您的陈述、申辩意见").fill("我公司已整改，请求从轻处罚。")
    page.get_by_label("附件").set_input_files(str(evidence))
    shoot(page, "applicant-defence-form-phone")
    page.get_by_role("button", name="提交陈述申辩").click()
    page.get_by_text("已收到您的陈述申辩意见").wait_for()
    page.get_by_text("附件：整改情况说明.pdf").wait_for()
    page.get_by_label("要求听证的事项和理由").fill("罚款数额过高。")
    page.get_by_role("button", name="要求听证").click()
    page.get_by_text("已收到您的听证要求").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    shoot(page, "applicant-hearing-requested-phone")
    with _pytest.raises(DomainError) as refused:
        transition(actor=world.head, case_id=case.pk, target="decision")
    assert refused.value.code == "hearing_requested"
    assert Case.objects.get(pk=case.pk).stage == "defence"
    # The case team reads both on the case page, the attachment with it.
    from sanxiang.testing import signed_in_page

    staff = signed_in_page(browser, live_server.url, world.officer)
    staff.goto(f"{live_server.url}/cases/{case.pk}/#party-links")
    staff.get_by_role("link", name="整改情况说明.pdf").wait_for()
    shoot(staff, "applicant-defence-hearing-staff")
    context.close()


def test_a_link_replayed_on_another_phone_is_refused_until_the_party_proves_the_factor(
    browser, live_server
):
    """The link binds to the first phone; a second phone with the same URL sees nothing of the
    case until the party gives the last six characters of the credit code (issue 16)."""
    world = World.build()
    case = two_party_case(world, "defence")
    party = company_of(case)
    token = create_link(actor=world.officer, case_id=case.pk, party_id=party.pk).token
    url = f"{live_server.url}/gongshi/jindu/l/{token}/"
    first = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    mine = first.new_page()
    mine.goto(url)
    mine.get_by_role("heading", name="需要您办理的事项").wait_for()
    other = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = other.new_page()
    page.goto(url)
    page.get_by_role("alert").get_by_text("第一次打开该链接的设备").wait_for()
    assert party.name not in page.content() and case.number not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    shoot(page, "applicant-link-other-browser-phone")
    page.get_by_label("后六位").fill("000000")
    page.get_by_role("button", name="在此设备上继续使用").click()
    page.get_by_role("alert").get_by_text("不正确").wait_for()
    page.get_by_label("后六位").fill(party.credit_code[-6:])
    page.get_by_role("button", name="在此设备上继续使用").click()
    page.get_by_role("heading", name="需要您办理的事项").wait_for()
    mine.reload()
    mine.get_by_role("alert").get_by_text("第一次打开该链接的设备").wait_for()
    first.close()
    other.close()


def test_the_phone_form_asks_the_matters_own_items_and_stops_an_empty_required_one(
    browser, live_server
):
    from sanxiang.catalog.models import MatterVersion

    from .helpers import online_matter

    world = World.build()
    matter = online_matter(world)
    MatterVersion.objects.filter(matter=matter).update(
        application_fields="宗教活动场所名称*\n实施地点*\n拟实施日期"
    )
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/gongshi/shenqing/{matter.pk}/")
    page.get_by_label("名称或姓名").fill("测试区某某寺")
    page.get_by_label("统一社会信用代码（组织填写）").fill("")
    page.get_by_label("联系电话").fill("0427-2800099")
    page.get_by_label("宗教活动场所名称").fill("测试区某某寺")
    page.get_by_label("申请事项及理由").fill("申请举办大型宗教活动。")
    # the browser's own check stops an empty required item before anything is sent
    page.get_by_role("button", name="下一步：上传申请材料").click()
    assert page.evaluate("document.querySelector('#field_1').validity.valueMissing")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    shoot(page, "applicant-intake-items-phone")
    context.close()
