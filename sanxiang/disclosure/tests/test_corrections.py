"""纠错: a citizen reports an error on any published item; staff answer; all of it traceable."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from django.db import transaction
from django.test import Client, override_settings

from sanxiang.cases.testing import make_matter
from sanxiang.directory.models import Officer
from sanxiang.disclosure import corrections, services
from sanxiang.disclosure.models import CorrectionReport, Post, Publication
from sanxiang.ledger import services as ledger
from sanxiang.ledger.models import Entry
from sanxiang.lib.errors import DomainError
from sanxiang.testing import World, sign_in_page, signed_in
from sanxiang.workbench.inbox import inbox_for

from .helpers import DisclosureTestCase, published

CHINESE = re.compile("[\u4e00-\u9fff]")
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
TEXT = "处罚金额写错了，决定书上是三千元。"


def submit(client: Client, **data: object):
    return client.post("/gongshi/jiucuo/", {"description": TEXT, **data})


def reference_of(response) -> str:
    assert response.status_code == 302, response.content.decode()[:400]
    return parse_qs(urlparse(response["Location"]).query)["code"][0]


class ReportingAnError(DisclosureTestCase):
    item: Publication

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.item = published(cls.w)

    def test_a_citizen_reports_an_error_on_a_decision_and_follows_it_by_its_reference(self):
        client = Client(REMOTE_ADDR="10.1.1.1")
        code = reference_of(submit(client, kind="decision", id=self.item.pk, contact="13800000000"))
        report = CorrectionReport.objects.get(reference=code)
        assert report.agency_id == self.item.agency_id and report.publication_id == self.item.pk
        assert report.target_path == f"/gongshi/jueding/{self.item.pk}/"
        assert report.contact == "13800000000" and "10.1.1.1" not in report.address_key
        page = client.get(f"/gongshi/jiucuo/cha/?code={code}&new=1").content.decode()
        assert code in page and "待答复" in page and TEXT in page and "应于" in page
        assert "13800000000" not in page

    def test_the_report_is_a_ledger_entry_without_the_contact(self):
        code = reference_of(submit(Client(), kind="decision", id=self.item.pk, contact="微信abc"))
        report = CorrectionReport.objects.select_related("report_entry").get(reference=code)
        entry = report.report_entry
        assert entry is not None and entry.event_type == "disclosure.correction_reported"
        payload = json.loads(entry.payload)
        assert payload["description"] == TEXT and payload["contact_given"] is True
        assert "微信abc" not in entry.payload and entry.case_id == self.item.case_id

    def test_every_kind_of_published_item_can_be_reported(self):
        matter = make_matter(self.w.agency, "licence", code="T-guide")
        officer = Officer.objects.get(user=self.w.officer)
        post = Post.objects.create(
            agency=self.w.agency, window="1号窗口", name="张某", duties="受理宗教活动场所申请"
        )
        for kind, target, label in (
            ("agency", self.w.agency.pk, self.w.agency.name),
            ("matter", matter.pk, matter.versions.get().name),
            ("officer", officer.pk, officer.certificate_no),
            ("post", post.pk, "1号窗口"),
        ):
            page = Client().get(f"/gongshi/jiucuo/?kind={kind}&id={target}")
            assert page.status_code == 200 and label in page.content.decode(), kind
            code = reference_of(submit(Client(), kind=kind, id=target))
            assert CorrectionReport.objects.get(reference=code).agency_id == self.w.agency.pk
        code = reference_of(submit(Client(), kind="other", agency=self.w.other_agency.pk))
        assert CorrectionReport.objects.get(reference=code).agency_id == self.w.other_agency.pk

    def test_bad_input_gets_a_chinese_4xx(self):
        for data, status in (
            ({"kind": "bogus", "id": 1}, 422),
            ({"kind": "decision", "id": "abc"}, 422),
            ({"kind": "decision", "id": "9" * 30}, 422),
            ({"kind": "decision", "id": 999999}, 404),
            ({"kind": "decision"}, 404),
            ({"kind": "other"}, 422),
            ({"kind": "other", "agency": 999999}, 404),
            ({"kind": "decision", "id": self.item.pk, "description": "错"}, 422),
            ({"kind": "decision", "id": self.item.pk, "description": "长" * 2001}, 422),
        ):
            response = Client().post("/gongshi/jiucuo/", {"description": TEXT, **data})
            assert response.status_code == status, (data, response.status_code)
            assert CHINESE.search(response.content.decode())
        assert Client().get("/gongshi/jiucuo/cha/?code=JC-NONE").status_code == 404
        assert Client().get("/gongshi/jiucuo/cha/?code=" + "x" * 500).status_code == 404
        assert CorrectionReport.objects.count() == 0

    @override_settings(SANXIANG_CORRECTION_RATE_LIMIT=3)
    def test_a_flood_from_one_address_gets_a_clear_chinese_429(self):
        flood = Client(REMOTE_ADDR="10.6.6.6")
        for _ in range(3):
            reference_of(submit(flood, kind="decision", id=self.item.pk))
        refused = submit(flood, kind="decision", id=self.item.pk)
        assert refused.status_code == 429 and "提交过于频繁" in refused.content.decode()
        assert CorrectionReport.objects.count() == 3
        reference_of(submit(Client(REMOTE_ADDR="10.7.7.7"), kind="decision", id=self.item.pk))


class AnsweringAReport(DisclosureTestCase):
    item: Publication

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.item = published(cls.w)

    def report(self, **kwargs) -> CorrectionReport:
        return corrections.report_error(
            kind=kwargs.pop("kind", "decision"),
            target_id=kwargs.pop("target_id", self.item.pk),
            description=TEXT,
            address="10.0.0.9",
            **kwargs,
        )

    def test_a_withdrawal_answer_links_the_withdrawal_and_shows_on_the_decision_page(self):
        report = self.report()
        services.withdraw(
            actor=self.w.head, publication_id=self.item.pk, reason_kind="changed", reason="金额更正"
        )
        answered = corrections.answer_report(
            actor=self.w.officer,
            report_id=report.pk,
            outcome="withdrawn",
            answer="已撤回并重新作出决定。",
        )
        withdrawal = Entry.objects.get(event_type="disclosure.withdrawn")
        assert answered.resolution_entry_id == withdrawal.pk
        assert answered.answer_entry is not None
        assert json.loads(answered.answer_entry.payload)["outcome"] == "withdrawn"
        ledger.integrate()
        withdrawal.refresh_from_db()
        track = Client().get(f"/gongshi/jiucuo/cha/?code={report.reference}").content.decode()
        assert "已撤回" in track and f"撤回记入账本序号 {withdrawal.seq}" in track
        page = Client().get(f"/gongshi/jueding/{self.item.pk}/").content.decode()
        assert "纠错记录" in page and "因公众纠错已撤回" in page

    def test_withdrawn_is_refused_until_the_decision_is_withdrawn(self):
        report = self.report()
        with self.assertRaisesMessage(DomainError, "尚未撤回"):
            corrections.answer_report(
                actor=self.w.officer, report_id=report.pk, outcome="withdrawn", answer="撤回"
            )
        other = self.report(kind="agency", target_id=self.w.agency.pk)
        with self.assertRaisesMessage(DomainError, "只有执法决定可以撤回"):
            corrections.answer_report(
                actor=self.w.officer, report_id=other.pk, outcome="withdrawn", answer="撤回"
            )

    def test_a_correction_names_its_page_and_may_name_its_ledger_entry(self):
        report = self.report(kind="agency", target_id=self.w.agency.pk)
        for path in ("", "http://evil.example/", "/gongshi/ x"):
            with self.assertRaisesMessage(DomainError, "/gongshi/"):
                corrections.answer_report(
                    actor=self.w.officer,
                    report_id=report.pk,
                    outcome="corrected",
                    answer="已更正",
                    resolution_path=path,
                )
        with transaction.atomic():
            foreign = ledger.append(
                event_type="disclosure.rule_saved", payload={}, agency_id=self.w.other_agency.pk
            )
        ledger.integrate()
        foreign.refresh_from_db()
        own = Entry.objects.filter(agency_id=self.w.agency.pk, seq__isnull=False).first()
        assert own is not None and foreign.seq is not None
        with self.assertRaisesMessage(DomainError, "没有这个序号"):
            corrections.answer_report(
                actor=self.w.officer,
                report_id=report.pk,
                outcome="corrected",
                answer="已更正",
                resolution_path="/gongshi/zhuti/1/",
                resolution_seq=foreign.seq,
            )
        answered = corrections.answer_report(
            actor=self.w.officer,
            report_id=report.pk,
            outcome="corrected",
            answer="已更正办公电话。",
            resolution_path=f"/gongshi/zhuti/{self.w.agency.pk}/",
            resolution_seq=own.seq,
        )
        assert answered.resolution_entry_id == own.pk and answered.status == "answered"

    def test_a_report_is_answered_once_by_its_own_agency_and_not_by_a_supervisor(self):
        report = self.report()
        for actor, code in (
            (self.w.other_officer, "not_found"),
            (self.w.supervisor, "forbidden"),
            (self.w.reviewer, "forbidden"),
        ):
            with self.assertRaises(DomainError) as caught:
                corrections.answer_report(
                    actor=actor, report_id=report.pk, outcome="no_error", answer="无误"
                )
            assert caught.exception.code == code, actor
        corrections.answer_report(
            actor=self.w.head, report_id=report.pk, outcome="no_error", answer="经核查无误。"
        )
        with self.assertRaisesMessage(DomainError, "已经答复"):
            corrections.answer_report(
                actor=self.w.officer, report_id=report.pk, outcome="no_error", answer="再答"
            )

    def test_staff_see_their_reports_and_answer_them_on_the_page(self):
        report = self.report()
        client = signed_in(self.w.officer)
        listing = client.get("/disclosure/jiucuo/?status=received").content.decode()
        assert report.reference in listing
        stranger = signed_in(self.w.other_officer)  # another agency's officer
        assert report.reference not in stranger.get("/disclosure/jiucuo/").content.decode()
        assert stranger.get(f"/disclosure/jiucuo/{report.pk}/").status_code == 404
        page = client.get(f"/disclosure/jiucuo/{report.pk}/").content.decode()
        assert TEXT in page and "提交答复" in page
        bad = client.post(f"/disclosure/jiucuo/{report.pk}/", {"outcome": "x", "answer": "a"})
        assert bad.status_code == 422
        done = client.post(
            f"/disclosure/jiucuo/{report.pk}/", {"outcome": "no_error", "answer": "经核查无误。"}
        )
        assert done.status_code == 302
        assert CorrectionReport.objects.get(pk=report.pk).outcome == "no_error"
        assert Client().get("/disclosure/jiucuo/").status_code == 302  # anonymous: to login

    def test_the_inbox_source_counts_open_reports_for_those_who_answer(self):
        self.report()
        self.report()
        count, rows = corrections.waiting({self.w.agency.pk}, limit=1)
        assert count == 2 and len(rows) == 1
        assert corrections.waiting({self.w.other_agency.pk}, limit=5) == (0, [])
        sections = {s.code: s for s in inbox_for(self.w.officer).sections}
        section = sections["disclosure.corrections"]
        assert section.count == 2 and section.items[0].url.startswith("/disclosure/jiucuo/")
        for bystander in (self.w.supervisor, self.w.reviewer, self.w.other_officer):
            codes = {s.code for s in inbox_for(bystander).sections}
            assert "disclosure.corrections" not in codes, bystander


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_citizen_reports_an_error_from_the_decision_page_in_a_browser(browser, live_server):
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    world = World.build()
    item = published(world)
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    page.goto(f"{live_server.url}/gongshi/jueding/{item.pk}/")
    page.get_by_role("link", name="信息有误？我要纠错").click()
    page.get_by_role("heading", name="我要纠错").wait_for()
    page.get_by_label("哪里有误，正确的应当是什么").fill(TEXT)
    page.screenshot(path=str(ARTIFACTS / "portal-correction-form.png"), full_page=True)
    page.get_by_role("button", name="提交纠错").click()
    page.get_by_text("已收到您的纠错").wait_for()
    report = CorrectionReport.objects.get()
    assert report.reference in page.content() and report.publication_id == item.pk
    page.screenshot(path=str(ARTIFACTS / "portal-correction-track.png"), full_page=True)

    staff = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    sign_in_page(staff, live_server.url, world.officer)
    staff.goto(f"{live_server.url}/disclosure/jiucuo/")
    staff.get_by_role("link", name=report.reference).click()
    staff.get_by_label("给公众的答复").fill("经核查，罚款金额为五千元，决定书无误。")
    staff.get_by_label("处理结果").select_option("no_error")
    staff.screenshot(path=str(ARTIFACTS / "staff-correction.png"), full_page=True)
    staff.get_by_role("button", name="提交答复").click()
    staff.get_by_text("已答复纠错").wait_for()
    page.reload()
    assert "经核查信息无误" in page.content()
