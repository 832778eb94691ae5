"""双随机、一公开: a published 抽查结果 is pushed like a decision — written with the result, in
its transaction, masked as the portal shows it, only to the endpoints that take it."""

from __future__ import annotations

import json
import tempfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from sanxiang.accounts.models import Role
from sanxiang.cases.testing import make_matter, resident_id
from sanxiang.catalog.models import MatterVersion
from sanxiang.exchange import outbox
from sanxiang.exchange.models import Endpoint, EventType, OutboxMessage
from sanxiang.exchange.testing import Receiver, free_port
from sanxiang.inspections import listeners
from sanxiang.inspections.models import Assignment, Draw, Outcome, Plan, TargetKind
from sanxiang.inspections.services import (
    freeze_plan,
    perform_draw,
    record_result,
    save_target,
    start_inspection,
)
from sanxiang.inspections.tests.helpers import (
    make_plan,
    make_targets,
    random_matter,
    target_data,
)
from sanxiang.lib.errors import DomainError
from sanxiang.testing import WorldTestCase, make_user, signed_in

RESULT = EventType.INSPECTION_RESULT_PUBLISHED
PERSON_ID = resident_id(date(1975, 3, 9), seq=7)


def endpoint(world, *, events=None, agencies=None, url="http://127.0.0.1:9/push"):
    return outbox.create_endpoint(
        actor=world.admin,
        data=outbox.EndpointData(
            name="省级平台",
            system="provincial",
            url=url,
            event_types=events or [RESULT],
            agency_ids=agencies or [],
        ),
    )


class PushingInspectionResults(WorldTestCase):
    draw: Draw

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        random_matter(cls.w)
        make_targets(cls.w, 3)
        # A 个体 stall kept by a natural person: name and ID number in the 名录库.
        save_target(
            actor=cls.w.officer,
            data=target_data(
                9,
                kind=TargetKind.NATURAL,
                name="马小明",
                credit_code="",
                id_number=PERSON_ID,
                legal_representative="",
                category="halal",
            ),
        )
        plan = make_plan(cls.w, ratio="100")
        cls.draw = perform_draw(
            draw_id=freeze_plan(actor=cls.w.head, plan_id=plan.pk).pk, sign=True
        )

    def _assignment(self, *, natural=False):
        kind = TargetKind.NATURAL if natural else TargetKind.ORGANISATION
        return Assignment.objects.filter(draw=self.draw, target__kind=kind).order_by("position")[0]

    def _record(self, assignment, findings="现场检查未发现问题。", **kwargs):
        member = assignment.team.order_by("pk").first().user
        start_inspection(actor=member, assignment_id=assignment.pk)
        return record_result(
            actor=member,
            assignment_id=assignment.pk,
            outcome=kwargs.pop("outcome", Outcome.CLEAR),
            findings=findings,
            inspected_on=timezone.localdate(),
            **kwargs,
        )

    def test_a_recorded_result_writes_one_outbox_row_inside_its_transaction(self):
        ep = endpoint(self.w).endpoint
        seen = []

        def count_rows(assignment):  # runs after exchange's hook, still in record_result
            seen.append((OutboxMessage.objects.count(), connection.in_atomic_block))

        listeners.on_result_published(count_rows)
        self.addCleanup(listeners.forget, count_rows)
        assignment = self._assignment()
        done = self._record(assignment)
        assert seen == [(1, True)]
        message = OutboxMessage.objects.get()
        assert (message.endpoint, message.event_type) == (ep, "inspection_result.published")
        assert message.agency_id == self.w.agency.pk
        data = message.payload
        assert data["assignment_id"] == assignment.pk
        assert data["plan"]["number"] == "JH-001"
        assert data["plan"]["title"] == "宗教活动场所随机抽查"
        matter = MatterVersion.objects.get(matter__code="T-SJ-01", valid_to__isnull=True)
        assert data["matters"] == [{"code": "T-SJ-01", "name": matter.name}]
        assert data["target"]["name"] == assignment.target.name
        assert data["target"]["category"] == "法人及非法人组织"
        assert data["target"]["credit_code"] == assignment.target.credit_code
        assert (data["outcome"], data["outcome_label"]) == ("clear", "未发现问题")
        assert data["inspected_on"] == timezone.localdate().isoformat()
        assert data["published_at"] == timezone.localtime(done.published_at).isoformat()
        assert data["agency"]["credit_code"] == self.w.agency.credit_code
        assert data["url"].endswith(f"/gongshi/choucha/jihua/{assignment.plan_id}/")

    def test_a_natural_persons_result_is_pushed_masked_and_without_an_id_number(self):
        endpoint(self.w)
        assignment = self._assignment(natural=True)
        findings = (
            f"经营者马小明（身份证号 {PERSON_ID}，电话 13912345678）未按规定公示清真标识，"
            "马小明当场表示整改。"
        )
        self._record(
            assignment,
            findings=findings,
            outcome=Outcome.RECTIFY,
            rectify_by=timezone.localdate() + timedelta(days=30),
        )
        data = OutboxMessage.objects.get().payload
        text = json.dumps(data, ensure_ascii=False)
        assert PERSON_ID not in text and "马小明" not in text and "13912345678" not in text
        assert data["target"] == {
            "name": "马某",
            "category": "自然人",
            "credit_code": "",
            "area": assignment.target.area,
            "kind_of_target": "清真食品经营者",
        }
        assert "马某" in data["findings"] and data["outcome"] == "rectify"
        assert data["rectify_by"] is not None

    def test_a_result_rolled_back_leaves_no_message(self):
        endpoint(self.w)

        def fails(assignment):
            raise DomainError("conflict", "模拟结果事务失败")

        listeners.on_result_published(fails)
        self.addCleanup(listeners.forget, fails)
        assignment = self._assignment()
        with pytest.raises(DomainError):
            self._record(assignment)
        assert not OutboxMessage.objects.exists()
        assert Assignment.objects.get(pk=assignment.pk).outcome == ""

    def test_a_refused_result_pushes_nothing(self):
        endpoint(self.w)
        with pytest.raises(DomainError):
            self._record(self._assignment(), findings="   ")
        assert not OutboxMessage.objects.exists()

    def test_endpoints_not_taking_it_or_for_another_agency_get_nothing(self):
        endpoint(self.w, events=[EventType.DECISION_PUBLISHED, EventType.DECISION_MADE])
        endpoint(self.w, agencies=[self.w.other_agency.pk])
        mine = endpoint(self.w, agencies=[self.w.agency.pk]).endpoint
        self._record(self._assignment())
        assert [m.endpoint_id for m in OutboxMessage.objects.all()] == [mine.pk]

    def test_it_reaches_a_real_receiver_in_the_documented_format(self):
        port = free_port()
        made = endpoint(self.w, url=f"http://127.0.0.1:{port}/sanxiang/push")
        with tempfile.TemporaryDirectory() as tmp:
            receiver = Receiver(port=port, secret=made.secret, out=Path(tmp) / "r.jsonl")
            receiver.start()
            try:
                with self.captureOnCommitCallbacks(execute=False):
                    self._record(self._assignment())
                run = outbox.deliver(endpoint_id=made.endpoint.pk)
            finally:
                receiver.stop()
            (body,) = receiver.received()
        assert run.delivered == 1
        message = OutboxMessage.objects.get()
        assert message.status == "delivered" and message.last_status == 200
        assert set(body) == {"data", "event", "format", "id", "occurred_at"}
        assert (body["format"], body["event"], body["id"]) == (
            "sanxiang.exchange/1",
            "inspection_result.published",
            message.pk,
        )
        assert set(body["data"]) == {
            "agency",
            "assignment_id",
            "draw_round",
            "findings",
            "inspected_on",
            "key_inspection",
            "matters",
            "outcome",
            "outcome_label",
            "plan",
            "position",
            "published_at",
            "rectify_by",
            "referred_to",
            "target",
            "url",
        }

    def test_the_admin_subscribes_an_endpoint_to_it_on_the_page(self):
        admin = signed_in(self.w.admin)
        page = admin.get("/exchange/endpoints/").content.decode()
        assert "抽查结果公示" in page and 'value="inspection_result.published"' in page
        response = admin.post(
            "/exchange/endpoints/",
            {
                "name": "省双随机平台",
                "system": "provincial",
                "url": "https://sjs.example.gov.cn/push",
                "event_types": ["inspection_result.published"],
            },
        )
        assert response.status_code == 200
        made = Endpoint.objects.get(name="省双随机平台")
        assert made.event_types == ["inspection_result.published"]
        assert "抽查结果公示" in admin.get("/exchange/endpoints/").content.decode()
        self._record(self._assignment())
        assert OutboxMessage.objects.get().endpoint == made


class PushingJointResults(WorldTestCase):
    """联合抽查: a result of the participating agency is its own, not the lead's."""

    plan: Plan

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        w = cls.w
        random_matter(w)
        market = make_matter(w.other_agency, "inspection", code="T-SC-01")
        MatterVersion.objects.filter(matter=market).update(random_inspection=True)
        make_user("other2", Role.OFFICER, w.other_agency, certificate="T0010")
        make_user("otherhead", Role.HEAD, w.other_agency, certificate="T0011")
        for n in range(4):
            save_target(actor=w.officer, data=target_data(n))
        for n in range(20, 24):
            save_target(actor=w.other_officer, data=target_data(n, matter_codes=["T-SC-01"]))
        plan = make_plan(
            w,
            number="LH-009",
            # Every candidate drawn: the seed is a fresh checkpoint root, so at 50 % the draw
            # could pick none of the participating agency's four targets (a flaky failure).
            ratio="100",
            matter_codes=["T-SJ-01", "T-SC-01"],
            joint_agency_ids=[w.other_agency.pk],
            team_size=3,
            team_mix="mixed",
        )
        perform_draw(draw_id=freeze_plan(actor=w.head, plan_id=plan.pk).pk, sign=True)
        cls.plan = plan

    def test_the_participating_agencys_result_goes_to_its_endpoints_in_its_name(self):
        lead_only = endpoint(self.w, agencies=[self.w.agency.pk]).endpoint
        market_only = endpoint(self.w, agencies=[self.w.other_agency.pk]).endpoint
        theirs = Assignment.objects.filter(
            plan=self.plan, target__agency=self.w.other_agency
        ).earliest("pk")
        member = theirs.team.filter(agency=self.w.other_agency).earliest("pk").user
        assert member is not None
        start_inspection(actor=member, assignment_id=theirs.pk)
        record_result(
            actor=member,
            assignment_id=theirs.pk,
            outcome=Outcome.CLEAR,
            findings="现场检查未发现问题。",
            inspected_on=timezone.localdate(),
        )
        message = OutboxMessage.objects.get()
        assert message.endpoint_id == market_only.pk != lead_only.pk
        assert message.payload["agency"]["name"] == self.w.other_agency.name
