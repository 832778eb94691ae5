"""Staff pages and the portal's 一公开: who may do what, and what the public sees."""

from __future__ import annotations

import io
import json
import zipfile

from django.test import Client
from django.utils import timezone

from sanxiang.inspections.models import Assignment, Outcome, Plan, PlanStatus, Target
from sanxiang.inspections.services import (
    freeze_plan,
    perform_draw,
    record_result,
    save_target,
    start_inspection,
)
from sanxiang.testing import WorldTestCase, signed_in

from .helpers import make_plan, make_targets, plan_data, random_matter, target_data


class StaffPages(WorldTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        random_matter(cls.w)
        make_targets(cls.w, 8)

    def test_anonymous_visitors_are_sent_to_sign_in(self):
        response = Client().get("/inspections/")
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]

    def test_an_officer_drafts_a_plan_and_the_head_freezes_and_draws_it(self):
        start, end = plan_data().period_start, plan_data().period_end
        officer = signed_in(self.w.officer)
        response = officer.post(
            "/inspections/plans/new/",
            {
                "number": "JH-9",
                "title": "网页拟定的计划",
                "year": start.year,
                "matters": ["T-SJ-01"],
                "ratio": "50",
                "period_start": start.isoformat(),
                "period_end": end.isoformat(),
                "team_size": "2",
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        plan = Plan.objects.get(number="JH-9")
        officer_try = officer.post(f"/inspections/plans/{plan.pk}/freeze/")
        assert officer_try.status_code == 302
        assert Plan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT
        head = signed_in(self.w.head)
        head.post(f"/inspections/plans/{plan.pk}/freeze/")
        head.post(f"/inspections/plans/{plan.pk}/draw/")
        assert Plan.objects.get(pk=plan.pk).status == PlanStatus.DRAWN
        page = head.get(f"/inspections/plans/{plan.pk}/")
        assert page.status_code == 200
        assert page.content.decode().count('data-testid="assignment"') == 4
        certificate = head.get(f"/inspections/plans/{plan.pk}/certificate-1.json")
        assert json.loads(certificate.content)["format"] == "sanxiang-draw-certificate/1"

    def test_a_ratio_above_a_hundred_percent_is_shown_with_its_message(self):
        start, end = plan_data().period_start, plan_data().period_end
        response = signed_in(self.w.officer).post(
            "/inspections/plans/new/",
            {
                "number": "JH-10",
                "title": "错误比例",
                "year": start.year,
                "matters": ["T-SJ-01"],
                "ratio": "120",
                "period_start": start.isoformat(),
                "period_end": end.isoformat(),
                "team_size": "2",
            },
        )
        assert response.status_code == 200
        assert "抽查比例须大于 0% 且不超过 100%" in response.content.decode()
        assert not Plan.objects.filter(number="JH-10").exists()

    def test_the_workbench_leads_to_the_plans(self):
        home = signed_in(self.w.officer2).get("/").content.decode()
        assert 'data-testid="inspections-link"' in home
        assert 'href="/inspections/"' in home

    def test_another_agency_cannot_see_the_plan(self):
        plan = make_plan(self.w)
        response = signed_in(self.w.other_officer).get(f"/inspections/plans/{plan.pk}/")
        assert response.status_code == 404

    def test_a_bad_import_lists_every_problem(self):
        from .helpers import sheet_row, xlsx

        upload = xlsx([sheet_row(0, 对象类别="寺庙"), sheet_row(1, 风险等级="极高")])
        upload.name = "targets.xlsx"
        response = signed_in(self.w.officer).post("/inspections/targets/", {"file": upload})
        assert response.status_code == 422
        body = response.content.decode()
        assert "共 2 处错误" in body and "第2行" in body and "第3行" in body


class Portal(WorldTestCase):
    person: Target
    plan: Plan

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        random_matter(cls.w)
        make_targets(cls.w, 3)
        from sanxiang.cases.testing import resident_id

        cls.person = save_target(
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
        assignment = Assignment.objects.get(plan=cls.plan, target=cls.person)
        start_inspection(actor=cls.w.head, assignment_id=assignment.pk)
        record_result(
            actor=cls.w.head,
            assignment_id=assignment.pk,
            outcome=Outcome.CLEAR,
            findings="马建华经营的摊位证照齐全，未发现问题。",
            inspected_on=timezone.localdate(),
        )

    def test_the_public_sees_the_plan_the_certificate_and_masked_results(self):
        page = Client().get(f"/gongshi/choucha/jihua/{self.plan.pk}/")
        assert page.status_code == 200
        body = page.content.decode()
        assert "马建华" not in body
        assert "马某" in body
        assert "未发现问题" in body
        assert "verify_draw.py" in body
        cert = Client().get(f"/gongshi/choucha/jihua/{self.plan.pk}/zhengshu-1.json")
        assert cert.status_code == 200
        assert (
            json.loads(cert.content)["input_sha256"]
            == Plan.objects.get(pk=self.plan.pk).input_sha256
        )

    def test_the_certificate_never_carries_a_persons_id_number(self):
        cert = Client().get(f"/gongshi/choucha/jihua/{self.plan.pk}/zhengshu-1.json")
        assert self.person.id_number not in cert.content.decode()
        assert self.person.draw_id in cert.content.decode()

    def test_the_verifier_kit_holds_the_script_and_the_pure_modules_only(self):
        response = Client().get("/gongshi/choucha/jihua/verify_draw.zip")
        names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
        assert "sanxiang-verify-draw/tools/verify_draw.py" in names
        assert "sanxiang-verify-draw/sanxiang/lib/draw.py" in names
        assert not any("inspections" in n for n in names)

    def test_a_draft_plan_is_not_public(self):
        draft = make_plan(self.w, number="JH-draft")
        assert Client().get(f"/gongshi/choucha/jihua/{draft.pk}/").status_code == 404
        assert Client().get("/gongshi/choucha/jihua/").status_code == 200

    def test_the_list_of_random_matters_links_to_the_plans(self):
        body = Client().get("/gongshi/choucha/").content.decode()
        assert "/gongshi/choucha/jihua/" in body


class Inbox(WorldTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        random_matter(cls.w)
        make_targets(cls.w, 4)

    def test_the_head_sees_a_frozen_plan_and_the_team_its_inspections(self):
        from sanxiang.workbench.inbox import inbox_for

        plan = make_plan(self.w, ratio="100")
        pending = freeze_plan(actor=self.w.head, plan_id=plan.pk)
        codes = {s.code: s.count for s in inbox_for(self.w.head).sections}
        assert codes.get("inspections.to_draw") == 1
        perform_draw(draw_id=pending.pk, sign=True)
        mine = Assignment.objects.filter(plan=plan, team=self.w.officer.officer).count()
        sections = {s.code: s for s in inbox_for(self.w.officer).sections}
        assert sections["inspections.mine"].count == mine > 0
        assert "inspections.to_draw" not in {s.code for s in inbox_for(self.w.head).sections}
        with self.assertNumQueries(1):  # one count (the nav badge)
            from sanxiang.inspections.inbox import my_inspections
            from sanxiang.workbench.inbox import Context

            my_inspections(self.w.officer, Context(user=self.w.officer, limit=0))
