"""Open data of every public list and the per-agency/per-category Atom feeds (issue 12 item 7)."""

from __future__ import annotations

import csv
import io
import json
from xml.etree import ElementTree

from django.test import Client
from django.utils import timezone

from sanxiang.cases.testing import resident_id
from sanxiang.directory.models import Agency
from sanxiang.disclosure import services
from sanxiang.disclosure.open_data import DATASETS
from sanxiang.disclosure.tests.helpers import DisclosureTestCase, published
from sanxiang.inspections.models import Assignment, Outcome, Plan
from sanxiang.inspections.services import (
    freeze_plan,
    perform_draw,
    record_result,
    save_target,
    start_inspection,
)
from sanxiang.inspections.tests.helpers import make_plan, make_targets, random_matter, target_data

ATOM = "{http://www.w3.org/2005/Atom}"
TOMBSTONE = "{http://purl.org/atompub/tombstones/1.0}deleted-entry"


def _atom(body: bytes) -> ElementTree.Element:
    return ElementTree.fromstring(body)  # noqa: S314 - our own feed, produced by this test


def _json(url: str) -> dict:
    response = Client().get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)


def _csv(url: str) -> list[list[str]]:
    response = Client().get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


class OpenDataOfEveryList(DisclosureTestCase):
    plan: Plan
    id_number: str

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        random_matter(cls.w)
        make_targets(cls.w, 2)
        person = save_target(
            actor=cls.w.officer,
            data=target_data(
                9,
                kind="natural",
                name="马建华",
                credit_code="",
                id_number=resident_id(timezone.localdate().replace(year=1975), 3),
            ),
        )
        cls.plan = make_plan(cls.w, ratio="100")
        perform_draw(draw_id=freeze_plan(actor=cls.w.head, plan_id=cls.plan.pk).pk, sign=True)
        assignment = Assignment.objects.get(plan=cls.plan, target=person)
        start_inspection(actor=cls.w.head, assignment_id=assignment.pk)
        record_result(
            actor=cls.w.head,
            assignment_id=assignment.pk,
            outcome=Outcome.CLEAR,
            findings="马建华经营的摊位证照齐全，未发现问题。",
            inspected_on=timezone.localdate(),
        )
        cls.id_number = person.id_number

    def test_every_list_downloads_as_csv_and_json_with_its_schema(self):
        for name, dataset in DATASETS.items():
            data = _json(f"/gongshi/kaifang/{name}.json")
            assert data["dataset"] == name and data["fields"] == dataset.fields
            assert data["as_of"] == timezone.localdate().isoformat()
            for row in data["results"]:
                assert list(row) == list(dataset.fields), name
            table = _csv(f"/gongshi/kaifang/{name}.csv")
            assert table[0] == list(dataset.fields.values()), name
            assert len(table) - 1 == len(data["results"]), name
        assert set(DATASETS) == {
            "zhuti",
            "renyuan",
            "shixiang",
            "choucha",
            "choucha-jihua",
            "choucha-jieguo",
        }

    def test_the_lists_hold_what_the_pages_show(self):
        bodies = _json("/gongshi/kaifang/zhuti.json")["results"]
        assert self.w.agency.name in [b["name"] for b in bodies]
        # the justice bureau and the government are not 执法主体 on the portal
        assert self.w.government.name not in [b["name"] for b in bodies]
        officers = _json("/gongshi/kaifang/renyuan.json")["results"]
        row = next(o for o in officers if o["certificate_no"] == "T0001")
        assert row["state"] == "有效" and row["agency"] == self.w.agency.name
        matters = _json("/gongshi/kaifang/choucha.json")["results"]
        assert [m["code"] for m in matters] == ["T-SJ-01"] and matters[0]["inspection_ratio"]
        plans = _json("/gongshi/kaifang/choucha-jihua.json")["results"]
        assert [p["number"] for p in plans] == [self.plan.number]

    def test_inspection_results_are_masked_as_on_the_page(self):
        results = _json("/gongshi/kaifang/choucha-jieguo.json")["results"]
        body = json.dumps(results, ensure_ascii=False)
        assert "马某" in body and "未发现问题" in body
        assert "马建华" not in body and self.id_number not in body
        csv_text = Client().get("/gongshi/kaifang/choucha-jieguo.csv").content.decode()
        assert "马建华" not in csv_text and "马某" in csv_text

    def test_a_formula_in_a_cell_is_neutralised_in_csv(self):
        Agency.objects.filter(pk=self.w.agency.pk).update(name="=HYPERLINK(1)")
        table = _csv("/gongshi/kaifang/zhuti.csv")
        assert "'=HYPERLINK(1)" in [row[1] for row in table[1:]]

    def test_an_unknown_dataset_or_format_is_a_clear_404(self):
        for url in ("/gongshi/kaifang/nothing.json", "/gongshi/kaifang/zhuti.xml"):
            response = Client().get(url)
            assert response.status_code == 404 and "开放数据" in response.content.decode()

    def test_the_index_documents_every_dataset_and_its_fields(self):
        page = Client().get("/gongshi/kaifang/").content.decode()
        for name, dataset in DATASETS.items():
            assert f"/gongshi/kaifang/{name}.csv" in page and dataset.title in page
            for key in dataset.fields:
                assert f"<code>{key}</code>" in page
        assert "/gongshi/jueding.csv" in page and "/gongshi/jueding.atom" in page
        assert "/gongshi/kaifang/" in Client().get("/gongshi/ditu/").content.decode()


class FeedsPerAgencyAndCategory(DisclosureTestCase):
    def test_an_agencys_feed_has_its_decisions_and_withdrawals_only(self):
        mine = published(self.w, text="本局的决定。")
        gone = published(self.w, text="将被撤回的决定。")
        services.withdraw(
            actor=self.w.head, publication_id=gone.pk, reason_kind="void", reason="确认无效"
        )
        feed = _atom(Client().get(f"/gongshi/jueding.atom?agency={self.w.agency.pk}").content)
        titles = [e.findtext(f"{ATOM}title") or "" for e in feed.iter(f"{ATOM}entry")]
        assert any(mine.doc_number in t for t in titles)
        assert all(e.findtext(f"{ATOM}updated") for e in feed.iter(f"{ATOM}entry"))
        assert next(t.get("ref") or "" for t in feed.iter(TOMBSTONE)).endswith(f"/{gone.pk}/")
        other = _atom(
            Client().get(f"/gongshi/jueding.atom?agency={self.w.other_agency.pk}").content
        )
        assert list(other.iter(f"{ATOM}entry")) == [] and list(other.iter(TOMBSTONE)) == []
        licences = _atom(Client().get("/gongshi/jueding.atom?category=licence").content)
        assert list(licences.iter(f"{ATOM}entry")) == []
        penalties = Client().get("/gongshi/jueding.atom?category=penalty").content.decode()
        assert mine.doc_number in penalties and "张三" not in penalties

    def test_bad_feed_parameters_are_a_404_not_a_500(self):
        for query in ("agency=abc", "category=nonsense", "agency=1%27%20OR%201=1"):
            assert Client().get(f"/gongshi/jueding.atom?{query}").status_code == 404
