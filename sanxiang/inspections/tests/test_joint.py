"""联合抽查 (issue 13 item 3): a plan led by one agency with another agency of the district.

Both libraries and both agencies' inspectors join the frozen lists (sanxiang-draw/2); each
participating agency executes the assignments of its own library; an agency not in the plan
sees and does nothing, whatever id it puts in a URL.
"""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from sanxiang.accounts.models import Role, User
from sanxiang.cases.testing import make_matter
from sanxiang.catalog.models import MatterVersion
from sanxiang.directory.models import Agency, AgencyLevel
from sanxiang.inspections.models import Assignment, Outcome, Plan
from sanxiang.inspections.services import (
    freeze_plan,
    perform_draw,
    record_result,
    save_target,
    start_inspection,
)
from sanxiang.lib import draw
from sanxiang.lib.errors import DomainError, ValidationFailed
from sanxiang.testing import WorldTestCase, make_user, signed_in

from .helpers import make_plan, random_matter, target_data

MARKET = "T-SC-01"


class JointPlan(WorldTestCase):
    plan: Plan
    other2: User
    other_head: User
    outsider: User

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        w = cls.w
        random_matter(w)
        market = make_matter(w.other_agency, "inspection", code=MARKET)
        MatterVersion.objects.filter(matter=market).update(random_inspection=True)
        cls.other2 = make_user("other2", Role.OFFICER, w.other_agency, certificate="T0010")
        cls.other_head = make_user("otherhead", Role.HEAD, w.other_agency, certificate="T0011")
        outsider = Agency.objects.create(
            name="测试区文化和旅游局", level=AgencyLevel.DEPARTMENT, parent=w.government
        )
        cls.outsider = make_user("outsider", Role.HEAD, outsider, certificate="T0020")
        for n in range(6):
            save_target(actor=w.officer, data=target_data(n))
        for n in range(20, 26):
            save_target(actor=w.other_officer, data=target_data(n, matter_codes=[MARKET]))
        cls.plan = make_plan(
            w,
            number="LH-001",
            ratio="50",
            matter_codes=["T-SJ-01", MARKET],
            joint_agency_ids=[w.other_agency.pk],
            team_size=3,
            team_mix="mixed",
        )
        perform_draw(draw_id=freeze_plan(actor=w.head, plan_id=cls.plan.pk).pk, sign=True)

    def _assignment(self, agency: Agency) -> Assignment:
        return Assignment.objects.filter(plan=self.plan, target__agency=agency).earliest("pk")

    def test_both_libraries_and_both_agencies_inspectors_are_frozen_as_version_two(self):
        plan = Plan.objects.get(pk=self.plan.pk)
        document = json.loads(plan.frozen_input)
        assert document["format"] == "sanxiang-draw-input/2"
        assert document["plan"]["agencies"] == [self.w.agency.name, self.w.other_agency.name]
        assert document["plan"]["team_mix"] == "mixed"
        assert {t["agency"] for t in document["targets"]} == {
            self.w.agency.name,
            self.w.other_agency.name,
        }
        assert len(document["targets"]) == 12
        assert {i["id"] for i in document["inspectors"]} == {
            "T0001", "T0002", "T0004", "T0009", "T0010", "T0011"
        }  # fmt: skip

    def test_every_team_has_two_of_the_executing_agency_and_one_of_the_other(self):
        for a in Assignment.objects.filter(plan=self.plan).select_related("target"):
            agencies = [o.agency_id for o in a.team.all()]
            assert agencies.count(a.target.agency_id) == 2
            assert set(agencies) == {self.w.agency.pk, self.w.other_agency.pk}
        assert Assignment.objects.filter(plan=self.plan).count() == 6  # 50 % of 12

    def test_the_certificate_re_runs_to_the_same_result(self):
        certificate = json.loads(self.plan.draws.get(round=1).certificate)
        assert certificate["algorithm"] == "sanxiang-draw/2"
        problems, result = draw.rerun(certificate)
        assert problems == []
        assert result == certificate["result"]

    def test_the_participating_agency_sees_the_plan_and_executes_its_own_assignment(self):
        own = self._assignment(self.w.other_agency)
        client = signed_in(self.w.other_officer)
        assert "LH-001" in client.get("/inspections/").content.decode()
        page = client.get(f"/inspections/plans/{self.plan.pk}/").content.decode()
        assert 'data-testid="joint"' in page
        assert 'data-testid="freeze"' not in page and 'data-testid="draw"' not in page
        case = start_inspection(actor=self.other_head, assignment_id=own.pk)
        assert case.agency_id == self.w.other_agency.pk
        assert {m.officer.agency_id for m in case.members.all()} == {self.w.other_agency.pk}
        assert "联合抽查，会同" in case.facts
        done = record_result(
            actor=self.other_head,
            assignment_id=own.pk,
            outcome=Outcome.CLEAR,
            findings="经营场所、清真标识均符合规定。",
            inspected_on=timezone.localdate(),
        )
        assert done.published_at is not None
        portal = self.client.get(f"/gongshi/choucha/jihua/{self.plan.pk}/").content.decode()
        assert "联合抽查" in portal and "检查部门" in portal
        assert self.w.other_agency.name in portal

    def test_the_lead_cannot_execute_an_assignment_of_the_other_agencys_library(self):
        other = self._assignment(self.w.other_agency)
        with pytest.raises(DomainError) as refused:
            start_inspection(actor=self.w.head, assignment_id=other.pk)
        assert refused.value.code == "not_found"

    def test_an_agency_not_in_the_plan_sees_nothing_and_can_do_nothing(self):
        client = signed_in(self.outsider)
        assignment = self._assignment(self.w.agency)
        assert "LH-001" not in client.get("/inspections/").content.decode()
        for url in (
            f"/inspections/plans/{self.plan.pk}/",
            f"/inspections/plans/{self.plan.pk}/certificate-1.json",
            f"/inspections/assignments/{assignment.pk}/",
        ):
            assert client.get(url).status_code == 404, url
        response = client.post(f"/inspections/assignments/{assignment.pk}/", {"action": "start"})
        assert response.status_code == 404
        response = client.post(f"/inspections/plans/{self.plan.pk}/redraw/", {"reason": "试"})
        assert Plan.objects.get(pk=self.plan.pk).draws.count() == 1
        with pytest.raises(DomainError) as refused:
            start_inspection(actor=self.outsider, assignment_id=assignment.pk)
        assert refused.value.code == "not_found"
        assert not Assignment.objects.filter(pk=assignment.pk, case__isnull=False).exists()

    def test_an_agency_of_another_district_cannot_join(self):
        elsewhere = Agency.objects.create(name="外区人民政府", level=AgencyLevel.GOVERNMENT)
        foreign = Agency.objects.create(
            name="外区市场监督管理局", level=AgencyLevel.DEPARTMENT, parent=elsewhere
        )
        with pytest.raises(ValidationFailed) as refused:
            make_plan(self.w, number="LH-002", joint_agency_ids=[foreign.pk])
        assert "同一区（县）" in refused.value.message

    def test_a_mixed_team_smaller_than_its_agencies_need_is_refused(self):
        with pytest.raises(ValidationFailed) as refused:
            make_plan(
                self.w, number="LH-003", joint_agency_ids=[self.w.other_agency.pk], team_size=2
            )
        assert "每组至少 3 人" in refused.value.message

    def test_a_matter_of_an_agency_outside_the_plan_is_refused(self):
        with pytest.raises(ValidationFailed) as refused:
            make_plan(self.w, number="LH-004", matter_codes=["T-SJ-01", MARKET])
        assert MARKET in refused.value.message
