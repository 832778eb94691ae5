"""verify_ledger names a frozen list, a certificate or a result changed behind the application."""

from __future__ import annotations

import json
from datetime import timedelta

from django.utils import timezone

from sanxiang.inspections.models import Assignment, Draw, Outcome, Plan
from sanxiang.inspections.services import (
    freeze_plan,
    perform_draw,
    record_result,
    start_inspection,
)
from sanxiang.ledger import services as ledger
from sanxiang.ledger.tests.test_tampering import run_verify_ledger
from sanxiang.testing import WorldTestCase

from .helpers import make_plan, make_targets, random_matter


class StateCheck(WorldTestCase):
    drawn: Draw
    plan: Plan
    assignment: Assignment

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        random_matter(cls.w)
        make_targets(cls.w, 6)
        plan = make_plan(cls.w, ratio="100")
        cls.drawn = perform_draw(
            draw_id=freeze_plan(actor=cls.w.head, plan_id=plan.pk).pk, sign=True
        )
        cls.plan = Plan.objects.get(pk=plan.pk)
        cls.assignment = Assignment.objects.filter(draw=cls.drawn).order_by("position")[0]
        start_inspection(actor=cls.w.head, assignment_id=cls.assignment.pk)
        record_result(
            actor=cls.w.head,
            assignment_id=cls.assignment.pk,
            outcome=Outcome.RECTIFY,
            findings="消防器材过期",
            inspected_on=timezone.localdate(),
            rectify_by=timezone.localdate() + timedelta(days=10),
        )
        ledger.make_checkpoint()

    def test_an_untouched_demo_of_the_module_verifies(self):
        code, text = run_verify_ledger()
        assert code == 0, text

    def test_a_target_removed_from_the_frozen_list_is_named(self):
        document = json.loads(self.plan.frozen_input)
        document["targets"].pop()
        Plan.objects.filter(pk=self.plan.pk).update(frozen_input=json.dumps(document))
        code, text = run_verify_ledger()
        assert code == 1
        assert f"inspections_plan #{self.plan.pk} 字段 frozen_input" in text

    def test_a_rewritten_certificate_is_named(self):
        cert = json.loads(self.drawn.certificate)
        cert["result"]["selected"].reverse()
        Draw.objects.filter(pk=self.drawn.pk).update(certificate=json.dumps(cert))
        code, text = run_verify_ledger()
        assert code == 1
        assert f"inspections_draw #{self.drawn.pk} 字段 certificate" in text

    def test_a_result_softened_in_the_table_is_named(self):
        Assignment.objects.filter(pk=self.assignment.pk).update(outcome=Outcome.CLEAR)
        code, text = run_verify_ledger()
        assert code == 1
        assert f"inspections_assignment #{self.assignment.pk} 字段 outcome" in text

    def test_a_drawn_target_swapped_in_the_table_is_named(self):
        other = Assignment.objects.filter(draw=self.drawn).order_by("position")[1]
        Assignment.objects.filter(pk=self.assignment.pk).update(target=other.target_id)
        code, text = run_verify_ledger()
        assert code == 1
        assert f"inspections_assignment #{self.assignment.pk} 字段 target" in text

    def test_an_inspector_swapped_into_a_team_is_named(self):
        from sanxiang.directory.models import Officer

        other = Assignment.objects.filter(draw=self.drawn).order_by("position")[1]
        outsider = Officer.objects.exclude(certificate_no__in=other.team_order).first()
        assert outsider is not None
        member = other.team.order_by("pk").first()
        assert member is not None
        other.team.remove(member)  # the M2M row, as raw SQL on the through table would
        other.team.add(outsider)
        code, text = run_verify_ledger()
        assert code == 1
        assert f"inspections_assignment #{other.pk} 字段 team" in text

    def test_an_assignment_dropped_from_a_round_is_named(self):
        last = Assignment.objects.filter(draw=self.drawn).order_by("-position")[0]
        last.team.clear()
        Assignment.objects.filter(pk=last.pk).delete()
        code, text = run_verify_ledger()
        assert code == 1
        assert f"inspections_assignment #{self.drawn.pk}/{last.position} 字段 position" in text

    def test_findings_or_a_deadline_softened_in_the_table_are_named(self):
        Assignment.objects.filter(pk=self.assignment.pk).update(
            findings="未见明显问题", rectify_by=timezone.localdate() + timedelta(days=90)
        )
        code, text = run_verify_ledger()
        assert code == 1
        assert f"inspections_assignment #{self.assignment.pk} 字段 findings" in text
        assert f"inspections_assignment #{self.assignment.pk} 字段 rectify_by" in text
