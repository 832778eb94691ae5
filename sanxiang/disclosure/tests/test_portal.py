from __future__ import annotations

import json
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any
from unittest import mock
from xml.etree import ElementTree

from django.test import Client
from django.utils import timezone

from sanxiang.cases.models import Case
from sanxiang.catalog.models import Matter, MatterVersion
from sanxiang.disclosure import services
from sanxiang.disclosure.drafting import search_text_of
from sanxiang.disclosure.models import Post, Publication
from sanxiang.disclosure.portal_views import certificate_url, qr_document

from .helpers import DisclosureTestCase, decided_case, published, queued


class PortalBeforeAndDuring(DisclosureTestCase):
    case: Case
    matter: Matter
    post: Post

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.case = decided_case(cls.w)  # also creates the penalty matter
        cls.matter = cls.case.matter
        MatterVersion.objects.filter(matter=cls.matter).update(
            random_inspection=True, inspection_ratio=5, inspection_method="双随机", conditions="无"
        )
        cls.post = Post.objects.create(
            agency=cls.w.agency, window="1号窗口", name="王某", duties="受理宗教活动场所登记申请"
        )

    def test_every_public_list_page_answers_without_login(self):
        client = Client()
        a = self.w.agency.pk
        for url in (
            "/gongshi/",
            f"/gongshi/zhuti/{a}/",
            f"/gongshi/zhuti/{a}/qingdan/",
            "/gongshi/shixiang/",
            f"/gongshi/shixiang/?agency={a}",
            "/gongshi/choucha/",
            "/gongshi/renyuan/",
            "/gongshi/liucheng/",
            "/gongshi/zhengjian/",
            "/gongshi/jueding/",
            "/gongshi/verify/",
        ):
            assert client.get(url).status_code == 200, url

    def test_lists_show_the_date_of_their_version(self):
        version = MatterVersion.objects.get(matter=self.matter)
        page = Client().get("/gongshi/shixiang/").content.decode()
        assert f"本清单版本日期：{version.valid_from:%Y}年" in page
        assert version.name in page

    def test_the_random_inspection_list_holds_only_marked_matters(self):
        page = Client().get("/gongshi/choucha/").content.decode()
        assert "双随机" in page and "5%" in page

    def test_the_service_guide_shows_the_value_of_every_guide_field(self):
        values = {
            "acceptance_body": "受理窗口甲",
            "approval_body": "审批科乙",
            "conditions": "条件丙",
            "materials": "材料丁",
            "process": "流程戊",
            "guide_time_limit": "时限己",
            "fee": "收费庚",
            "preferential_policy": "优惠辛",
            "responsibilities": "职责壬",
            "accountability": "追责癸",
            "supervision": "监督子",
            "remedy": "救济丑",
            "office_hours": "时间寅",
            "address": "地址卯",
            "phone": "0427-1234567",
        }
        MatterVersion.objects.filter(matter=self.matter).update(**values)
        page = Client().get(f"/gongshi/shixiang/{self.matter.pk}/").content.decode()
        for label in ("受理机构", "审批机构", "办理条件", "申请材料", "办理流程", "办理时限"):
            assert label in page
        for label in ("优惠政策", "职责权限", "责任追究", "监督方式", "救济渠道", "咨询电话"):
            assert label in page
        for value in values.values():
            assert value in page
        assert "/procedures/penalty_ordinary.svg" in page  # the 办理流程's flowchart

    def test_a_guide_as_of_a_date_before_the_matter_existed_is_not_found(self):
        url = f"/gongshi/shixiang/{self.matter.pk}/?as_of=1999-01-01"
        assert Client().get(url).status_code == 404

    def test_the_certificate_check_says_whether_the_officer_may_enforce_today(self):
        page = Client().get("/gongshi/zhengjian/?no=T0001").content.decode()
        assert "今日可以执法" in page and "行政处罚" in page and "测试区" in page
        self.w.officer.officer.certificate_expires = timezone.localdate() - timedelta(days=1)
        self.w.officer.officer.save()
        page = Client().get("/gongshi/zhengjian/?no=T0001").content.decode()
        assert "今日不能执法" in page and "已过期" in page

    def test_an_unknown_certificate_number_gets_a_clear_message_and_is_escaped(self):
        page = Client().get("/gongshi/zhengjian/?no=<script>x</script>").content.decode()
        assert "未查到" in page and "<script>x</script>" not in page

    def test_each_officer_has_a_qr_code_to_the_prefilled_check(self):
        response = Client().get("/gongshi/zhengjian/T0001/qr.svg")
        assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
        assert ElementTree.fromstring(response.content).tag == "{http://www.w3.org/2000/svg}svg"  # noqa: S314 - our own output
        assert response.content == qr_document(certificate_url("T0001"))
        assert Client().get("/gongshi/zhengjian/NOPE/qr.svg").status_code == 404

    def test_the_post_board_shows_its_fields_and_qr(self):
        page = Client().get(f"/gongshi/gangwei/{self.post.pk}/").content.decode()
        for label in ("单位", "姓名", "职务", "岗位职责", "执法种类", "申请材料示范文本"):
            assert label in page
        for label in ("办理进度查询", "咨询服务", "投诉举报", "1号窗口"):
            assert label in page
        qr = Client().get(f"/gongshi/gangwei/{self.post.pk}/qr.svg")
        assert ElementTree.fromstring(qr.content).tag == "{http://www.w3.org/2000/svg}svg"  # noqa: S314 - our own output

    def test_list_pages_do_not_grow_queries_with_rows(self):
        from django.core.cache import cache

        client = Client()
        urls = ["/gongshi/renyuan/", "/gongshi/shixiang/", "/gongshi/choucha/", "/gongshi/"]
        counts: dict[str, int] = {}
        for url in urls:
            cache.clear()  # the lists are cached: measure their rendering
            counts[url] = _count(client, url)
            cache.clear()
            with self.assertNumQueries(counts[url]):
                client.get(url)
        for n in range(5):
            decided_case(self.w)
            Post.objects.create(agency=self.w.agency, window=f"{n}号", name="x", duties="y")
        for url in urls:
            cache.clear()
            with self.assertNumQueries(counts[url]):
                client.get(url)


def _count(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return len(ctx.captured_queries)


class PortalAfter(DisclosureTestCase):
    item: Publication
    waiting: Publication

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.item = published(cls.w)
        cls.waiting = queued(cls.w, text="尚未公示的决定正文。")

    def test_a_published_decision_shows_the_summary_and_masked_text(self):
        page = Client().get(f"/gongshi/jueding/{self.item.pk}/").content.decode()
        assert "张某" in page and "张三" not in page and "13912345678" not in page
        assert self.item.doc_number in page and "验证本条信息" in page

    def test_a_queued_decision_is_not_public(self):
        assert Client().get(f"/gongshi/jueding/{self.waiting.pk}/").status_code == 404

    def test_a_withdrawn_decision_shows_the_notice_not_the_text(self):
        item = published(self.w, text="撤回前的正文内容。")
        services.withdraw(
            actor=self.w.head, publication_id=item.pk, reason_kind="void", reason="确认无效"
        )
        page = Client().get(f"/gongshi/jueding/{item.pk}/").content.decode()
        assert "已撤回" in page and "确认无效" in page and "撤回前的正文内容" not in page
        assert item.doc_number not in Client().get("/gongshi/jueding/").content.decode()
        # nor does the page's meta description (what search engines show) name the party
        assert item.party not in page.split("</head>")[0]

    def test_every_portal_page_has_one_meta_description_of_its_own(self):
        home = Client().get("/gongshi/").content.decode()
        decision = Client().get(f"/gongshi/jueding/{self.item.pk}/").content.decode()
        for page in (home, decision, Client().get("/gongshi/kaifang/").content.decode()):
            assert page.count('<meta name="description"') == 1
        assert self.item.doc_number in decision.split("</head>")[0]

    def test_search_finds_by_party_and_document_number(self):
        assert self.item.doc_number in _get("/gongshi/jueding/?q=张某")
        assert self.item.doc_number in _get(f"/gongshi/jueding/?q={self.item.doc_number}")
        assert "共 0 条" in _get("/gongshi/jueding/?q=不存在的当事人")

    def test_a_document_number_is_found_however_its_year_brackets_are_typed(self):
        number = "测民宗罚决字〔2026〕第7号"
        Publication.objects.filter(pk=self.item.pk).update(
            doc_number=number, search_text=search_text_of(number, "张某")
        )
        for typed in (
            "罚决字〔2026〕第7号",
            "罚决字[2026]第7号",
            "罚决字【2026】第7号",
            "罚决字（2026）第7号",
            "罚决字(2026)第7号",
            "罚决字［２０２６］第7号",
        ):
            assert number in _get(f"/gongshi/jueding/?q={typed}"), typed
        assert "共 0 条" in _get("/gongshi/jueding/?q=罚决字[2025]第7号")

    def test_search_by_date_range(self):
        day = self.item.decided_on
        assert "共 1 条" in _get(f"/gongshi/jueding/?from={day}&to={day}")
        assert "共 0 条" in _get(f"/gongshi/jueding/?from={day + timedelta(days=1)}")

    def test_sql_and_html_in_a_search_are_harmless(self):
        page = _get("/gongshi/jueding/?q=' OR 1=1; DROP TABLE disclosure_publication; --")
        assert "共 0 条" in page
        page = _get("/gongshi/jueding/?q=<img src=x onerror=alert(1)>")
        assert "<img src=x" not in page and "&lt;img" in page
        assert Publication.objects.count() >= 2

    def test_a_bad_date_or_agency_gets_a_clear_message(self):
        response = Client().get("/gongshi/jueding/?from=yesterday")
        assert response.status_code == 400 and "日期格式" in response.content.decode()
        assert Client().get("/gongshi/jueding/?agency=x").status_code == 400

    def test_a_page_beyond_the_last_shows_the_last_page(self):
        page = _get("/gongshi/jueding/?page=999")
        assert "已显示最后一页（第 1 页）" in page and self.item.doc_number in page
        assert "已显示最后一页" in _get("/gongshi/jueding/?page=100000")
        assert Client().get("/gongshi/jueding/?page=abc").status_code == 200

    def test_open_data_holds_only_published_masked_rows(self):
        data = json.loads(_get("/gongshi/jueding.json"))
        numbers = [r["doc_number"] for r in data["results"]]
        assert numbers == [self.item.doc_number]
        assert data["results"][0]["party"] == "张某"
        assert data["results"][0]["category"] == "行政处罚" and data["results"][0]["published_on"]
        csv = Client().get("/gongshi/jueding.csv")
        body = _body(csv)
        assert csv["Content-Type"].startswith("text/csv") and "张某" in body
        assert body.splitlines()[0].startswith("文号,执法类别,")
        assert "张三" not in body and self.waiting.doc_number not in body.replace(
            self.item.doc_number, ""
        )

    def test_open_data_streams_every_row_across_chunks(self):
        more = [published(self.w, text=f"第{i}份决定。") for i in range(2)]
        with mock.patch("sanxiang.disclosure.portal_results.CHUNK", 1):
            data = json.loads(_get("/gongshi/jueding.json"))
            lines = _get("/gongshi/jueding.csv").splitlines()
        expected = {self.item.doc_number, *(m.doc_number for m in more)}
        assert {r["doc_number"] for r in data["results"]} == expected
        assert len(lines) == 1 + len(expected)

    def test_the_atom_feed_has_updated_and_a_tombstone_for_a_withdrawn_entry(self):
        item = published(self.w, text="将被撤回的决定。")
        services.withdraw(
            actor=self.w.head, publication_id=item.pk, reason_kind="revoked", reason="复议撤销"
        )
        feed = _get("/gongshi/jueding.atom")
        assert "<updated>" in feed.split("<entry>", 1)[1]
        assert 'xmlns:at="http://purl.org/atompub/tombstones/1.0"' in feed
        assert '<at:deleted-entry ref="http://' in feed and f"/gongshi/jueding/{item.pk}/" in feed
        assert "复议撤销" in feed and "将被撤回的决定" not in feed

    def test_the_atom_feed_lists_new_decisions_masked(self):
        feed = _get("/gongshi/jueding.atom")
        assert "<feed" in feed and self.item.doc_number in feed
        assert "张三" not in feed and "13912345678" not in feed


def _get(url: str) -> str:
    return _body(Client().get(url))


def _body(response: Any) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return str(response.content.decode())


class ListsOwnedByOtherApps(DisclosureTestCase):
    def test_without_the_review_and_records_lists_the_page_says_so(self):
        with mock.patch("sanxiang.disclosure.portal_queries._optional", lambda *a: None):
            page = _get(f"/gongshi/zhuti/{self.w.agency.pk}/qingdan/")
        assert page.count("尚未在本平台发布") == 2

    def test_the_records_app_list_is_read_when_installed(self):
        response = Client().get(f"/gongshi/zhuti/{self.w.agency.pk}/qingdan/")
        assert response.status_code == 200 and "音像记录事项清单" in response.content.decode()

    def test_the_av_list_is_shown_with_stage_labels_when_records_provides_it(self):
        line = SimpleNamespace(
            get_category_display=lambda: "行政处罚",
            matter_id=None,
            matter=None,
            stage="investigation",
            get_level_display=lambda: "应当",
            scene="现场检查",
            valid_from=date(2026, 1, 1),
        )

        def optional(app, module, name):
            return (lambda agency, on: [line]) if name == "av_list" else None

        with mock.patch("sanxiang.disclosure.portal_queries._optional", optional):
            page = _get(f"/gongshi/zhuti/{self.w.agency.pk}/qingdan/")
        assert "调查取证" in page and "现场检查" in page and "2026年1月1日" in page


class OpenDataDetails(DisclosureTestCase):
    def test_a_cell_that_looks_like_a_formula_is_neutralised_in_csv(self):
        from sanxiang.disclosure.exports import csv_safe

        assert csv_safe("=HYPERLINK(1)") == "'=HYPERLINK(1)"
        assert csv_safe("张某") == "张某"

    def test_the_officer_list_shows_the_date_of_its_version(self):
        assert "名单更新于" in _get("/gongshi/renyuan/")
