"""Each assignment is a 行政检查 case; its result is published and feeds the target's grade."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from sanxiang.cases.models import Case
from sanxiang.cases.testing import make_matter
from sanxiang.catalog.models import Matter
from sanxiang.inspections.models import Assignment, Draw, Outcome, Target
from sanxiang.inspections.services import (
    freeze_plan,
    import_targets,
    perform_draw,
    record_follow_up,
    record_result,
    start_inspection,
)
from sanxiang.ledger.models import Entry
from sanxiang.lib.errors import DomainError
from sanxiang.lib.workdays import add_working_days
from sanxiang.testing import WorldTestCase, signed_in

from .helpers import make_plan, make_targets, random_matter, sheet_row, xlsx


class Execution(WorldTestCase):
    penalty: Matter
    draw: Draw

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        random_matter(cls.w)
        cls.penalty = make_matter(cls.w.agency, "penalty")
        make_targets(cls.w, 8)
        plan = make_plan(cls.w, ratio="100")
        cls.draw = perform_draw(
            draw_id=freeze_plan(actor=cls.w.head, plan_id=plan.pk).pk, sign=True
        )

    def _member(self, assignment):
        """A user of the drawn team (谁检查、谁录入)."""
        return assignment.team.order_by("pk").first().user

    def _assignment(self, n=0):
        return Assignment.objects.filter(draw=self.draw).order_by("position")[n]

    def test_starting_opens_an_inspection_case_with_the_drawn_team(self):
        assignment = self._assignment()
        case = start_inspection(actor=self._member(assignment), assignment_id=assignment.pk)
        assert case.procedure == "inspection"
        assert set(case.members.values_list("officer__certificate_no", flat=True)) == set(
            assignment.team_order
        )
        assert case.parties.get().name == assignment.target.name
        assert Entry.objects.filter(event_type="inspection.started", case_id=case.pk).exists()
        with pytest.raises(DomainError) as again:
            start_inspection(actor=self._member(assignment), assignment_id=assignment.pk)
        assert again.value.code == "conflict"

    def test_a_result_cannot_be_recorded_before_the_inspection_starts(self):
        assignment = self._assignment(1)
        with pytest.raises(DomainError) as refused:
            record_result(
                actor=self._member(assignment),
                assignment_id=assignment.pk,
                outcome=Outcome.CLEAR,
                findings="未发现问题",
                inspected_on=timezone.localdate(),
            )
        assert refused.value.code == "conflict"

    def test_a_clear_result_is_published_with_its_twenty_working_day_deadline(self):
        assignment = self._assignment(2)
        start_inspection(actor=self._member(assignment), assignment_id=assignment.pk)
        today = timezone.localdate()
        done = record_result(
            actor=self._member(assignment),
            assignment_id=assignment.pk,
            outcome=Outcome.CLEAR,
            findings="场所登记事项与实际一致，未发现问题。",
            inspected_on=today,
        )
        assert done.published_at is not None
        assert done.publish_by == add_working_days(today, 20)
        with pytest.raises(DomainError):
            record_result(
                actor=self._member(assignment),
                assignment_id=assignment.pk,
                outcome=Outcome.CLEAR,
                findings="再录一次",
                inspected_on=today,
            )

    def test_an_order_to_rectify_needs_a_deadline_raises_the_grade_and_takes_a_follow_up(self):
        assignment = self._assignment(3)
        start_inspection(actor=self._member(assignment), assignment_id=assignment.pk)
        today = timezone.localdate()
        Target.objects.filter(pk=assignment.target_id).update(risk_grade="low")
        with pytest.raises(DomainError) as refused:
            record_result(
                actor=self._member(assignment),
                assignment_id=assignment.pk,
                outcome=Outcome.RECTIFY,
                findings="消防通道堵塞",
                inspected_on=today,
            )
        assert refused.value.field == "rectify_by"
        record_result(
            actor=self._member(assignment),
            assignment_id=assignment.pk,
            outcome=Outcome.RECTIFY,
            findings="消防通道堵塞",
            inspected_on=today,
            rectify_by=today + timedelta(days=15),
        )
        assert Target.objects.get(pk=assignment.target_id).risk_grade == "medium"
        done = record_follow_up(
            actor=self._member(assignment), assignment_id=assignment.pk, on=today, note="已整改到位"
        )
        assert done.follow_up_on == today

    def test_the_follow_up_is_due_in_the_teams_inbox_at_the_rectify_deadline(self):
        from sanxiang.workbench.inbox import inbox_for

        assignment = self._assignment(3)
        member = self._member(assignment)
        start_inspection(actor=member, assignment_id=assignment.pk)
        today = timezone.localdate()
        record_result(
            actor=member,
            assignment_id=assignment.pk,
            outcome=Outcome.RECTIFY,
            findings="消防通道堵塞",
            inspected_on=today,
            rectify_by=today + timedelta(days=2),
        )

        def follow_ups():
            section = {s.code: s for s in inbox_for(member).sections}.get("inspections.mine")
            return [i for i in (section.items if section else []) if "整改复查" in i.title]

        (item,) = follow_ups()
        assert item.due_on == today + timedelta(days=2)
        assert item.level == "yellow"  # within three days of the 整改期限
        assert "行政处罚法 第28条第1款" in item.detail
        record_follow_up(actor=member, assignment_id=assignment.pk, on=today, note="已整改到位")
        assert follow_ups() == []

    def test_a_conflict_declared_after_the_draw_stops_the_team_from_starting(self):
        from sanxiang.inspections.services import declare_conflict

        assignment = self._assignment(2)
        member = self._member(assignment)
        declare_conflict(
            actor=member,
            officer_id=member.officer.pk,
            kind="relative",
            target_id=assignment.target_id,
            note="配偶新任该场所管理组织成员",
        )
        with pytest.raises(DomainError) as refused:
            start_inspection(actor=member, assignment_id=assignment.pk)
        assert refused.value.code == "conflict"
        assert "回避" in refused.value.message and "第43条" in refused.value.message
        assert Assignment.objects.get(pk=assignment.pk).case_id is None

    def test_a_team_member_suspended_after_the_draw_cannot_start_the_inspection(self):
        from sanxiang.directory.models import CertificateStatus, Officer

        assignment = self._assignment(1)
        member = self._member(assignment)
        other = next(o for o in assignment.team.all() if o.user_id != member.pk)
        Officer.objects.filter(pk=other.pk).update(certificate_status=CertificateStatus.SUSPENDED)
        with pytest.raises(DomainError) as refused:
            start_inspection(actor=member, assignment_id=assignment.pk)
        assert refused.value.code == "officer_not_certified"
        assert Assignment.objects.get(pk=assignment.pk).case_id is None
        assert not Case.objects.filter(procedure="inspection").exists()
        assert not Entry.objects.filter(event_type="inspection.started").exists()

    def test_another_agency_cannot_reach_the_inspection_case_through_the_api(self):
        assignment = self._assignment(0)
        case = start_inspection(actor=self._member(assignment), assignment_id=assignment.pk)
        other = signed_in(self.w.other_officer)
        assert other.get(f"/api/v1/cases/{case.pk}").status_code == 404
        assert all(c["id"] != case.pk for c in other.get("/api/v1/cases").json())
        moved = other.post(
            f"/api/v1/cases/{case.pk}/transitions",
            {"target": "case_review"},
            content_type="application/json",
        )
        assert moved.status_code == 404
        assert Case.objects.get(pk=case.pk).stage == case.stage
        assert other.get(f"/inspections/assignments/{assignment.pk}/").status_code == 404
        cert = other.get(f"/inspections/plans/{assignment.plan_id}/certificate-1.json")
        assert cert.status_code == 404

    def test_a_grade_raised_by_a_result_is_a_new_version_of_the_target(self):
        from sanxiang.inspections.models import TargetVersion

        assignment = (
            Assignment.objects.filter(draw=self.draw)
            .exclude(target__risk_grade="high")
            .order_by("position")
            .first()
        )
        assert assignment is not None
        target = assignment.target
        before = TargetVersion.objects.get(target=target, valid_to__isnull=True)
        assert before.version == target.version
        start_inspection(actor=self._member(assignment), assignment_id=assignment.pk)
        record_result(
            actor=self._member(assignment),
            assignment_id=assignment.pk,
            outcome=Outcome.PENALTY,
            findings="擅自改变宗教活动场所登记内容",
            inspected_on=timezone.localdate(),
            penalty_matter_id=self.penalty.pk,
        )
        versions = list(TargetVersion.objects.filter(target=target).order_by("version"))
        assert [v.version for v in versions] == [before.version, before.version + 1]
        assert versions[0].valid_to is not None and versions[1].valid_to is None
        assert versions[0].fields["risk_grade"] == before.fields["risk_grade"]
        assert versions[1].fields["risk_grade"] == "high"
        assert versions[1].reason == "双随机检查结果：立案查处"
        page = signed_in(self.w.head).get(f"/inspections/targets/{target.pk}/")
        assert "双随机检查结果：立案查处" in page.content.decode()

    def test_penalty_opens_a_linked_penalty_case_and_makes_the_target_high_risk(self):
        assignment = self._assignment(4)
        start_inspection(actor=self._member(assignment), assignment_id=assignment.pk)
        done = record_result(
            actor=self._member(assignment),
            assignment_id=assignment.pk,
            outcome=Outcome.PENALTY,
            findings="擅自改变宗教活动场所登记内容",
            inspected_on=timezone.localdate(),
            penalty_matter_id=self.penalty.pk,
        )
        assert done.penalty_case_id is not None
        penalty = Case.objects.get(pk=done.penalty_case_id)
        assert penalty.procedure == "penalty_ordinary"
        assert penalty.source == "inspection"
        assert Target.objects.get(pk=assignment.target_id).risk_grade == "high"

    def test_a_published_result_is_announced_to_listeners_inside_its_transaction(self):
        from django.db import connection

        from sanxiang.inspections import listeners

        heard = []

        def listener(assignment):
            heard.append((assignment.pk, assignment.outcome, connection.in_atomic_block))

        listeners.on_result_published(listener)
        self.addCleanup(listeners.forget, listener)
        assignment = self._assignment(6)
        start_inspection(actor=self._member(assignment), assignment_id=assignment.pk)
        record_result(
            actor=self._member(assignment),
            assignment_id=assignment.pk,
            outcome=Outcome.CLEAR,
            findings="未发现问题",
            inspected_on=timezone.localdate(),
        )
        assert heard == [(assignment.pk, "clear", True)]

    def test_a_referral_names_the_receiving_body(self):
        assignment = self._assignment(5)
        start_inspection(actor=self._member(assignment), assignment_id=assignment.pk)
        with pytest.raises(DomainError) as refused:
            record_result(
                actor=self._member(assignment),
                assignment_id=assignment.pk,
                outcome=Outcome.REFERRAL,
                findings="涉嫌食品安全问题",
                inspected_on=timezone.localdate(),
            )
        assert refused.value.field == "referred_to"

    def test_an_officer_outside_the_drawn_team_cannot_start_it(self):
        from sanxiang.accounts.models import Role
        from sanxiang.directory.models import Officer
        from sanxiang.testing import make_user

        outsider = make_user("outsider", Role.OFFICER, self.w.agency, certificate="T0099")
        Officer.objects.filter(user=outsider).update(categories=["penalty"])  # never drawn
        with pytest.raises(DomainError) as refused:
            start_inspection(actor=outsider, assignment_id=self._assignment(7).pk)
        assert refused.value.code == "forbidden"
        assert "检查组" in refused.value.message

    def test_another_agency_cannot_touch_the_assignment(self):
        with pytest.raises(DomainError) as refused:
            start_inspection(actor=self.w.other_officer, assignment_id=self._assignment(6).pk)
        assert refused.value.code == "not_found"


class Import(WorldTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        random_matter(cls.w)

    def test_a_good_sheet_is_imported_and_ledgered(self):
        n = import_targets(actor=self.w.officer, stream=xlsx([sheet_row(i) for i in range(5)]))
        assert n == 5
        assert Target.objects.count() == 5
        assert Entry.objects.filter(event_type="inspection.targets_imported").count() == 1

    def test_a_re_import_closes_the_old_version_and_opens_a_new_one(self):
        from sanxiang.inspections.models import TargetVersion

        import_targets(actor=self.w.officer, stream=xlsx([sheet_row(1)]))
        import_targets(actor=self.w.officer, stream=xlsx([sheet_row(1, 所在区域="二街道")]))
        target = Target.objects.get()
        assert target.version == 2
        old, new = TargetVersion.objects.filter(target=target).order_by("version")
        assert (old.fields["area"], old.reason) == ("一街道", "登记")
        assert (new.fields["area"], new.reason) == ("二街道", "更新")
        assert old.valid_to == new.valid_from and new.valid_to is None
        assert new.fields["matters"] == ["T-SJ-01"]

    def test_every_bad_row_is_reported_and_nothing_is_saved(self):
        rows = [
            sheet_row(0),
            sheet_row(1, 统一社会信用代码="91210000XXXXXXXXXX"),
            sheet_row(2, 对象类别="寺庙"),
            sheet_row(3),
            sheet_row(4, 适用抽查事项编码="NOPE"),
            sheet_row(0),  # the same target twice
        ]
        with pytest.raises(DomainError) as refused:
            import_targets(actor=self.w.officer, stream=xlsx(rows))
        problems = getattr(refused.value, "problems", [])
        assert len(problems) == 4
        assert problems[0].startswith("第3行")
        assert "第4行" in problems[1] and "对象类别" in problems[1]
        assert "第6行" in problems[2] and "NOPE" in problems[2]
        assert "第7行" in problems[3] and "第2行" in problems[3]
        assert not Target.objects.exists()
        assert not Entry.objects.filter(event_type__startswith="inspection.target").exists()

    def test_a_sheet_with_the_wrong_headers_is_refused(self):
        with pytest.raises(DomainError) as refused:
            import_targets(actor=self.w.officer, stream=xlsx([["x"]], headers=["名称"]))
        assert "表头不符" in refused.value.message

    def test_a_supervisor_cannot_import(self):
        with pytest.raises(DomainError) as refused:
            import_targets(actor=self.w.supervisor, stream=xlsx([sheet_row(0)]))
        assert refused.value.code == "forbidden"
