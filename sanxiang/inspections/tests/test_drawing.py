"""Plans are frozen into the ledger, drawn from the next checkpoint, and re-run by the verifier."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from sanxiang.accounts.models import Role
from sanxiang.inspections.models import Assignment, Draw, DrawStatus, Plan, PlanStatus, Target
from sanxiang.inspections.services import (
    declare_conflict,
    freeze_plan,
    perform_draw,
    request_redraw,
    save_target,
)
from sanxiang.ledger import services as ledger
from sanxiang.ledger.keys import public_key_info
from sanxiang.ledger.models import Entry
from sanxiang.lib import draw
from sanxiang.lib.errors import DomainError
from sanxiang.lib.tests.draw_fixtures import ROOT
from sanxiang.testing import WorldTestCase, make_user

from .helpers import make_plan, make_targets, random_matter, target_data


class FreezeAndDraw(WorldTestCase):
    targets: list[Target]

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        random_matter(cls.w)
        cls.targets = make_targets(cls.w, 12)

    def test_freezing_ledgers_the_hash_of_the_plan_and_of_both_lists(self):
        plan = make_plan(self.w)
        pending = freeze_plan(actor=self.w.head, plan_id=plan.pk)
        plan.refresh_from_db()
        entry = Entry.objects.get(pk=pending.seed_entry_id)
        payload = json.loads(entry.payload)
        document = json.loads(plan.frozen_input)
        assert entry.event_type == "inspection.plan_frozen"
        assert payload["input_sha256"] == plan.input_sha256 == draw.hashes(document)["input_sha256"]
        assert payload["targets_sha256"] == draw.hashes(document)["targets_sha256"]
        assert len(document["targets"]) == 12
        assert {i["id"] for i in document["inspectors"]} == {"T0001", "T0002", "T0004"}
        assert plan.status == PlanStatus.FROZEN

    def test_the_draw_waits_for_a_checkpoint_signed_after_the_freeze(self):
        ledger.make_checkpoint()  # an older checkpoint does not count
        plan = make_plan(self.w)
        pending = freeze_plan(actor=self.w.head, plan_id=plan.pk)
        with pytest.raises(DomainError) as refused:
            perform_draw(draw_id=pending.pk)
        assert refused.value.code == "draw_seed_pending"
        assert not Assignment.objects.exists()
        cp = ledger.make_checkpoint()
        drawn = perform_draw(draw_id=pending.pk)
        assert drawn.status == DrawStatus.DRAWN
        assert drawn.checkpoint_id == cp.pk
        cert = json.loads(drawn.certificate)
        plan.refresh_from_db()
        assert cert["input_sha256"] == plan.input_sha256
        seed = draw.seed_from(input_sha256=plan.input_sha256, checkpoint_root=cp.root_hash)
        assert drawn.seed == seed.hex()
        # 25 % of the base stratum, rounded up, with teams of two and nobody twice in a team.
        assignments = list(Assignment.objects.filter(draw=drawn).prefetch_related("team"))
        assert len(assignments) == len(cert["result"]["selected"]) >= 3
        assert all(a.team.count() == 2 for a in assignments)
        assert Plan.objects.get(pk=plan.pk).status == PlanStatus.DRAWN

    def test_the_standalone_verifier_re_runs_the_certificate_in_another_process(self):
        plan = make_plan(self.w, key_rules=[{"grade": "high", "ratio": "100"}])
        pending = freeze_plan(actor=self.w.head, plan_id=plan.pk)
        drawn = perform_draw(draw_id=pending.pk, sign=True)
        path = self._tmp() / "cert.json"
        path.write_text(drawn.certificate, encoding="utf-8")
        done = subprocess.run(  # noqa: S603 - our own script
            [
                sys.executable,
                str(ROOT / "tools" / "verify_draw.py"),
                str(path),
                "--public-key",
                public_key_info()["public_key"],
                "--json",
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        rerun = json.loads(done.stdout)
        cert = json.loads(drawn.certificate)
        assert rerun == {"seed": cert["seed"], "result": cert["result"]}
        high = [t.credit_code for t in self.targets if t.risk_grade == "high"]
        drawn_keys = [s["target"] for s in cert["result"]["selected"] if s["stratum"] == "key:high"]
        assert sorted(drawn_keys) == sorted(high)

    def _tmp(self):
        import tempfile
        from pathlib import Path

        directory = Path(tempfile.mkdtemp())
        self.addCleanup(lambda: __import__("shutil").rmtree(directory, ignore_errors=True))
        return directory

    def test_a_list_changed_after_the_freeze_is_refused_and_nothing_is_drawn(self):
        plan = make_plan(self.w)
        pending = freeze_plan(actor=self.w.head, plan_id=plan.pk)
        document = json.loads(Plan.objects.get(pk=plan.pk).frozen_input)
        document["targets"].pop()  # someone removes a target they would rather not inspect
        Plan.objects.filter(pk=plan.pk).update(frozen_input=json.dumps(document))
        with pytest.raises(DomainError) as refused:
            perform_draw(draw_id=pending.pk, sign=True)
        assert refused.value.code == "draw_input_changed"
        assert Draw.objects.get(pk=pending.pk).status == DrawStatus.PENDING
        assert not Assignment.objects.exists()

    def test_a_list_and_its_hash_both_rewritten_are_still_refused_by_the_ledger(self):
        plan = make_plan(self.w)
        pending = freeze_plan(actor=self.w.head, plan_id=plan.pk)
        document = json.loads(Plan.objects.get(pk=plan.pk).frozen_input)
        document["targets"] = document["targets"][1:]
        Plan.objects.filter(pk=plan.pk).update(
            frozen_input=json.dumps(document), input_sha256=draw.hashes(document)["input_sha256"]
        )
        with pytest.raises(DomainError) as refused:
            perform_draw(draw_id=pending.pk, sign=True)
        assert refused.value.code == "draw_input_changed"
        assert not Assignment.objects.exists()

    def test_a_second_draw_needs_a_reason_and_supersedes_the_first_publicly(self):
        plan = make_plan(self.w)
        first = perform_draw(draw_id=freeze_plan(actor=self.w.head, plan_id=plan.pk).pk, sign=True)
        with pytest.raises(DomainError) as refused:
            request_redraw(actor=self.w.head, plan_id=plan.pk, reason="  ")
        assert refused.value.code == "draw_reason_required"
        second = request_redraw(actor=self.w.head, plan_id=plan.pk, reason="抽中对象已注销")
        entry = Entry.objects.get(pk=second.seed_entry_id)
        assert entry.event_type == "inspection.redraw_requested"
        assert json.loads(entry.payload)["reason"] == "抽中对象已注销"
        second = perform_draw(draw_id=second.pk, sign=True)
        assert second.seed != first.seed
        assert Draw.objects.get(pk=first.pk).status == DrawStatus.SUPERSEDED
        assert not Assignment.objects.filter(draw=first, active=True).exists()
        assert Assignment.objects.filter(draw=second, active=True).exists()
        assert json.loads(second.certificate)["reason"] == "抽中对象已注销"

    def test_only_the_head_freezes_or_redraws(self):
        plan = make_plan(self.w)
        with pytest.raises(DomainError) as refused:
            freeze_plan(actor=self.w.officer, plan_id=plan.pk)
        assert refused.value.code == "forbidden"
        with pytest.raises(DomainError):
            freeze_plan(actor=self.w.other_officer, plan_id=plan.pk)
        pending = freeze_plan(actor=self.w.head, plan_id=plan.pk)
        with pytest.raises(DomainError) as refused:
            perform_draw(draw_id=pending.pk, actor=self.w.officer, sign=True)
        assert refused.value.code == "forbidden"  # nobody but the head picks the moment
        assert Draw.objects.get(pk=pending.pk).status == DrawStatus.PENDING


class Refusals(WorldTestCase):
    """Each bad input of issue 13 is refused with its code, and nothing is frozen or drawn."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        random_matter(cls.w)
        make_targets(cls.w, 6)

    def _refused_at_freeze(self, plan):
        with pytest.raises(DomainError) as refused:
            freeze_plan(actor=self.w.head, plan_id=plan.pk)
        plan.refresh_from_db()
        assert plan.status == PlanStatus.DRAFT
        assert not Draw.objects.filter(plan=plan).exists()
        return refused.value

    def test_a_ratio_of_zero_or_above_a_hundred_percent_is_refused(self):
        for ratio in ("0", "100.5", "-1", "abc"):
            with pytest.raises(DomainError) as refused:
                make_plan(self.w, ratio=ratio, number=f"R{ratio}")
            assert refused.value.code == "draw_ratio_invalid"
            assert "抽查比例" in refused.value.message
        assert not Plan.objects.exists()

    def test_a_key_rule_not_above_the_plans_ratio_is_refused(self):
        for key in ("20", "25"):
            with pytest.raises(DomainError) as refused:
                make_plan(self.w, ratio="25", key_rules=[{"grade": "high", "ratio": key}])
            assert refused.value.code == "draw_ratio_invalid"
            assert "重点检查比例须高于一般抽查比例 25%" in refused.value.message
        assert not Plan.objects.exists()
        make_plan(self.w, ratio="25", key_rules=[{"grade": "high", "ratio": "25.01"}])
        make_plan(self.w, ratio="100", number="F", key_rules=[{"grade": "high", "ratio": "100"}])

    def test_a_plan_with_no_eligible_target_is_refused(self):
        error = self._refused_at_freeze(make_plan(self.w, areas=["没有的街道"]))
        assert error.code == "draw_no_eligible_target"

    def test_too_few_inspectors_after_recusal_is_refused(self):
        for user in (self.w.officer, self.w.officer2):
            declare_conflict(
                actor=user, officer_id=user.officer.pk, kind="area", area="一街道", note="居住地"
            )
        error = self._refused_at_freeze(make_plan(self.w))
        assert error.code == "draw_too_few_inspectors"
        assert "回避后" in error.message

    def test_a_named_inspector_with_an_expired_certificate_is_refused(self):
        from datetime import timedelta

        from sanxiang.directory.models import Officer

        officer = self.w.officer2.officer
        plan = make_plan(
            self.w, inspector_ids=[self.w.officer.officer.pk, officer.pk, self.w.head.officer.pk]
        )
        Officer.objects.filter(pk=officer.pk).update(
            certificate_expires=plan.period_start + timedelta(days=1)
        )
        error = self._refused_at_freeze(plan)
        assert error.code == "officer_not_certified"
        assert "T0002" in error.message

    def test_an_expired_officer_is_simply_not_in_the_derived_library(self):
        from sanxiang.directory.models import Officer
        from sanxiang.inspections import frozen

        plan = make_plan(self.w)
        Officer.objects.filter(pk=self.w.head.officer.pk).update(
            certificate_expires=plan.period_start
        )
        document, _, _ = frozen.build(plan)
        assert {i["id"] for i in document["inspectors"]} == {"T0001", "T0002"}

    def test_an_officer_certified_for_another_area_or_field_is_not_in_the_library(self):
        from sanxiang.directory.models import Officer
        from sanxiang.inspections import frozen

        plan = make_plan(self.w)
        Officer.objects.filter(pk=self.w.head.officer.pk).update(area="别的区")
        Officer.objects.filter(pk=self.w.officer2.officer.pk).update(categories=["penalty"])
        document, _, _ = frozen.build(plan)
        assert {i["id"] for i in document["inspectors"]} == {"T0001"}

    def test_a_named_inspector_certified_for_another_area_is_refused(self):
        from sanxiang.directory.models import Officer

        officer = self.w.officer2.officer
        plan = make_plan(
            self.w, inspector_ids=[self.w.officer.officer.pk, officer.pk, self.w.head.officer.pk]
        )
        Officer.objects.filter(pk=officer.pk).update(area="别的区")
        error = self._refused_at_freeze(plan)
        assert error.code == "officer_not_certified"
        assert "管辖区域" in error.message


class YearlyCapAndRecusal(WorldTestCase):
    targets: list[Target]

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        for n in (5, 6, 7):
            make_user(f"inspector{n}", Role.OFFICER, cls.w.agency, certificate=f"T000{n}")
        random_matter(cls.w)
        cls.targets = make_targets(cls.w, 6)

    def test_no_target_is_drawn_twice_for_the_same_matter_in_a_year_unless_complained_of(self):
        first = make_plan(self.w, ratio="100", number="A")
        perform_draw(draw_id=freeze_plan(actor=self.w.head, plan_id=first.pk).pk, sign=True)
        second = make_plan(self.w, ratio="100", number="B")
        with pytest.raises(DomainError) as refused:
            freeze_plan(actor=self.w.head, plan_id=second.pk)
        assert refused.value.code == "draw_no_eligible_target"
        complained = self.targets[2]
        save_target(actor=self.w.officer, data=target_data(2, complaint=True))
        drawn = perform_draw(
            draw_id=freeze_plan(actor=self.w.head, plan_id=second.pk).pk, sign=True
        )
        result = json.loads(drawn.certificate)["result"]
        assert [s["target"] for s in result["selected"]] == [complained.credit_code]
        assert result["capped"] == 5

    def test_a_complaint_case_naming_a_target_lifts_the_yearly_cap_for_it(self):
        from sanxiang.cases.services.opening import open_case
        from sanxiang.cases.testing import company, make_matter

        first = make_plan(self.w, ratio="100", number="A")
        perform_draw(draw_id=freeze_plan(actor=self.w.head, plan_id=first.pk).pk, sign=True)
        complained = self.targets[3]
        open_case(  # a 投诉举报 against the target, handled as a case
            actor=self.w.officer,
            matter_id=make_matter(self.w.agency, "penalty").pk,
            procedure="penalty_ordinary",
            title="群众举报：违规销售",
            source="complaint",
            facts="12345 转来举报。",
            parties=[company(complained.name, credit_code=complained.credit_code)],
            team=[self.w.officer.officer.pk, self.w.officer2.officer.pk],
            opened_on=first.period_start,
        )
        second = make_plan(self.w, ratio="100", number="B")
        drawn = perform_draw(
            draw_id=freeze_plan(actor=self.w.head, plan_id=second.pk).pk, sign=True
        )
        cert = json.loads(drawn.certificate)
        flagged = [t["id"] for t in cert["input"]["targets"] if t["complaint"]]
        assert flagged == [complained.credit_code]
        assert [s["target"] for s in cert["result"]["selected"]] == [complained.credit_code]
        assert cert["result"]["capped"] == 5
        assert not Target.objects.get(pk=complained.pk).complaint  # derived, not written

    def test_a_plan_of_the_same_matter_waits_until_a_frozen_plan_is_drawn(self):
        first = make_plan(self.w, ratio="50", number="A")
        pending = freeze_plan(actor=self.w.head, plan_id=first.pk)
        second = make_plan(self.w, ratio="100", number="B")
        with pytest.raises(DomainError) as refused:
            freeze_plan(actor=self.w.head, plan_id=second.pk)
        assert refused.value.code == "conflict"
        assert "年度一次" in refused.value.message
        assert Plan.objects.get(pk=second.pk).status == PlanStatus.DRAFT
        drawn = perform_draw(draw_id=pending.pk, sign=True)
        picked = {s["target"] for s in json.loads(drawn.certificate)["result"]["selected"]}
        again = perform_draw(
            draw_id=freeze_plan(actor=self.w.head, plan_id=second.pk).pk, sign=True
        )
        result = json.loads(again.certificate)["result"]
        assert picked.isdisjoint(s["target"] for s in result["selected"])
        assert result["capped"] == len(picked) == 3

    def test_no_redraw_once_another_plan_of_the_matter_drew_after_the_freeze(self):
        first = make_plan(self.w, ratio="50", number="A")
        perform_draw(draw_id=freeze_plan(actor=self.w.head, plan_id=first.pk).pk, sign=True)
        second = make_plan(self.w, ratio="100", number="B")
        perform_draw(draw_id=freeze_plan(actor=self.w.head, plan_id=second.pk).pk, sign=True)
        with pytest.raises(DomainError) as refused:
            request_redraw(actor=self.w.head, plan_id=first.pk, reason="抽中对象已注销")
        assert refused.value.code == "conflict"
        assert "计划 B" in refused.value.message
        assert Draw.objects.filter(plan=first).count() == 1

    def test_inspectors_are_recused_from_declared_targets_and_targets_they_inspected(self):
        target = self.targets[0]
        declare_conflict(
            actor=self.w.officer,
            officer_id=self.w.officer.officer.pk,
            kind="relative",
            target_id=target.pk,
            note="近亲属任管理组织负责人",
        )
        plan = make_plan(self.w, ratio="100", number="C")
        drawn = perform_draw(draw_id=freeze_plan(actor=self.w.head, plan_id=plan.pk).pk, sign=True)
        cert = json.loads(drawn.certificate)
        officer = next(i for i in cert["input"]["inspectors"] if i["id"] == "T0001")
        assert officer["conflict_targets"] == [target.credit_code]
        team = next(s["team"] for s in cert["result"]["selected"] if s["target"] == target.draw_id)
        assert "T0001" not in team
        # Next year's plan: whoever inspected a target before is recused from it.
        from datetime import date

        from sanxiang.inspections import frozen

        year = plan.year + 1
        later = make_plan(
            self.w,
            ratio="100",
            number="D",
            year=year,
            period_start=date(year, 1, 5),
            period_end=date(year, 1, 30),
        )
        document, _, _ = frozen.build(later)
        for pick in cert["result"]["selected"]:
            for code in pick["team"]:
                inspector = next(i for i in document["inspectors"] if i["id"] == code)
                assert pick["target"] in inspector["inspected_targets"]

    def test_an_inspection_case_outside_the_draws_recuses_its_team_from_the_target(self):
        from sanxiang.cases.testing import company, open_test_case
        from sanxiang.inspections import frozen

        target = self.targets[4]
        open_test_case(  # officer and officer2 inspected it on a complaint last month
            self.w,
            procedure="inspection",
            parties=[company(target.name, credit_code=target.credit_code)],
        )
        document, _, _ = frozen.build(make_plan(self.w, ratio="100", number="G"))
        inspected = {i["id"]: i["inspected_targets"] for i in document["inspectors"]}
        assert inspected["T0001"] == inspected["T0002"] == [target.credit_code]
        assert inspected["T0004"] == []
        result = draw.draw(document, bytes(32))
        team = next(s["team"] for s in result["selected"] if s["target"] == target.credit_code)
        assert not {"T0001", "T0002"} & set(team)

    def test_a_deactivated_target_is_not_a_candidate(self):
        Target.objects.filter(pk=self.targets[1].pk).update(active=False)
        from sanxiang.inspections import frozen

        _, rows, _ = frozen.build(make_plan(self.w, number="E"))
        assert self.targets[1].pk not in {t.pk for t in rows}


class Worker(WorldTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        random_matter(cls.w)
        make_targets(cls.w, 4)

    def test_the_task_worker_draws_once_the_next_checkpoint_exists(self):
        from sanxiang.inspections import tasks

        plan = make_plan(self.w)
        pending = freeze_plan(actor=self.w.head, plan_id=plan.pk)
        assert tasks.draw_pending.call() == 0  # no checkpoint yet: nothing drawn
        assert Draw.objects.get(pk=pending.pk).status == DrawStatus.PENDING
        ledger.make_checkpoint()
        assert tasks.draw_pending.call() == 1
        assert Draw.objects.get(pk=pending.pk).status == DrawStatus.DRAWN
