from __future__ import annotations

import hashlib
import subprocess
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from sanxiang.cases.models import CaseMember
from sanxiang.cases.services import transition
from sanxiang.directory.models import Officer
from sanxiang.ledger.models import Entry
from sanxiang.lib import workdays
from sanxiang.lib.errors import DomainError
from sanxiang.review import checklist, queries, services
from sanxiang.review.models import DiscussionOutcome, ReviewRound, RoundStatus
from sanxiang.testing import make_user

from .helpers import (
    MATERIALS,
    ReviewTestCase,
    all_passed,
    assigned,
    case_at_defence,
    draft,
    failed,
    passed,
    submitted,
    with_problem,
)


def events(case: Any, kind: str) -> Any:
    return Entry.objects.filter(case_id=case.pk, event_type=kind)


class Submission(ReviewTestCase):
    def test_a_team_member_submits_and_the_round_keeps_the_draft_and_materials(self):
        case = case_at_defence(self.w)
        round_ = submitted(self.w, case)
        assert round_.number == 1
        assert round_.status == RoundStatus.SUBMITTED
        assert round_.fingerprint == case.draft.fingerprint
        assert round_.draft["fine_amount"] == "150000.00"
        assert round_.materials["draft_decision"] == case.draft.text
        assert round_.due_on == workdays.add_working_days(timezone.localdate(), 7)
        assert events(case, "review.submitted").count() == 1

    def test_someone_not_on_the_case_may_not_submit(self):
        case = case_at_defence(self.w)
        for user in (self.w.head, self.w.reviewer, self.w.other_officer, self.w.supervisor):
            with pytest.raises(DomainError) as caught:
                services.submit(actor=user, case_id=case.pk, materials=MATERIALS)
            assert caught.value.code in {"forbidden", "not_found"}
        assert not ReviewRound.objects.exists()

    def test_missing_materials_are_listed_and_nothing_is_saved(self):
        case = case_at_defence(self.w)
        with pytest.raises(DomainError) as caught:
            services.submit(actor=self.w.officer, case_id=case.pk, materials={"case_file": "x"})
        assert caught.value.code == "validation_error"
        assert "证据清单" in caught.value.message
        assert "裁量说明" in caught.value.message
        assert not ReviewRound.objects.exists()

    def test_after_a_hearing_the_hearing_record_is_required(self):
        case = case_at_defence(self.w)
        transition(actor=self.w.officer, case_id=case.pk, target="hearing")
        with pytest.raises(DomainError) as caught:
            submitted(self.w, case)
        assert "听证笔录" in caught.value.message
        assert "案件经过听证程序" in queries.major_reasons(case)

    def test_a_second_submission_while_one_is_open_is_refused(self):
        case = case_at_defence(self.w)
        submitted(self.w, case)
        with pytest.raises(DomainError) as caught:
            services.resubmit(
                actor=self.w.officer, case_id=case.pk, materials=MATERIALS, response="x"
            )
        assert caught.value.code == "conflict"

    def test_a_resubmission_needs_a_response_to_the_opinion(self):
        case = case_at_defence(self.w)
        failed(self.w, assigned(self.w, case))
        with pytest.raises(DomainError) as caught:
            services.resubmit(
                actor=self.w.officer, case_id=case.pk, materials=MATERIALS, response=""
            )
        assert caught.value.field == "response"

    def test_every_round_is_kept_with_the_diff_of_the_draft(self):
        case = case_at_defence(self.w)
        failed(self.w, assigned(self.w, case))
        draft(self.w, case, "120000", text="当事人为违法宗教活动提供场所，决定罚款十二万元。")
        second = services.resubmit(
            actor=self.w.officer, case_id=case.pk, materials=MATERIALS, response="已修改"
        )
        assert second.number == 2
        changed = {c["field"]: c for c in second.diff}
        assert changed["fine_amount"]["before"] == "150000.00"
        assert changed["fine_amount"]["after"] == "120000.00"
        assert changed["fine_amount"]["fingerprinted"]
        assert any(line.startswith("+") for line in changed["text"]["lines"])
        assert [r.number for r in queries.rounds_for(case)] == [1, 2]
        assert events(case, "review.resubmitted").count() == 1


class Assignment(ReviewTestCase):
    def test_the_head_assigns_a_reviewer_of_the_legal_unit(self):
        case = case_at_defence(self.w)
        round_ = assigned(self.w, case)
        assert round_.status == RoundStatus.ASSIGNED
        assert round_.reviewer.user == self.w.reviewer
        assert events(case, "review.assigned").count() == 1

    def test_a_reviewer_may_take_a_waiting_round_for_themselves(self):
        case = case_at_defence(self.w)
        round_ = submitted(self.w, case)
        taken = services.assign(
            actor=self.w.reviewer, round_id=round_.pk, reviewer_id=self.w.reviewer.officer.pk
        )
        assert taken.reviewer is not None
        assert taken.reviewer.user == self.w.reviewer

    def test_a_reviewer_on_the_case_team_is_refused(self):
        case = case_at_defence(self.w)
        CaseMember.objects.create(case=case, officer=self.w.reviewer.officer, recused=True)
        round_ = submitted(self.w, case)
        with pytest.raises(DomainError) as caught:
            services.assign(
                actor=self.w.head, round_id=round_.pk, reviewer_id=self.w.reviewer.officer.pk
            )
        assert caught.value.code == "forbidden"
        assert "本案办案人员" in caught.value.message

    def test_an_officer_outside_the_legal_unit_is_refused(self):
        case = case_at_defence(self.w)
        round_ = submitted(self.w, case)
        with pytest.raises(DomainError) as caught:
            services.assign(
                actor=self.w.head, round_id=round_.pk, reviewer_id=self.w.officer2.officer.pk
            )
        assert caught.value.code == "validation_error"

    def test_a_first_time_reviewer_without_legal_qualification_is_refused(self):
        novice = make_user(
            "novice", "reviewer", self.w.legal_unit, certificate="T0100", reviewer=True
        )
        Officer.objects.filter(user=novice).update(legal_qualification_no="")
        case = case_at_defence(self.w)
        round_ = submitted(self.w, case)
        with pytest.raises(DomainError) as caught:
            services.assign(actor=self.w.head, round_id=round_.pk, reviewer_id=novice.officer.pk)
        assert caught.value.code == "forbidden"
        assert "第58条" in caught.value.message

    def test_only_the_head_reassigns_and_says_why(self):
        second = make_user(
            "reviewer2", "reviewer", self.w.legal_unit, certificate="T0101", reviewer=True
        )
        case = case_at_defence(self.w)
        round_ = assigned(self.w, case)
        with pytest.raises(DomainError) as caught:
            services.assign(actor=second, round_id=round_.pk, reviewer_id=second.officer.pk)
        assert caught.value.code == "forbidden"
        with pytest.raises(DomainError):
            services.assign(actor=self.w.head, round_id=round_.pk, reviewer_id=second.officer.pk)
        moved = services.assign(
            actor=self.w.head, round_id=round_.pk, reviewer_id=second.officer.pk, reason="回避"
        )
        assert moved.reviewer == second.officer
        assert events(case, "review.reassigned").count() == 1
        with pytest.raises(DomainError) as caught:
            services.review(
                actor=self.w.reviewer,
                round_id=round_.pk,
                marks=all_passed(),
                agree=True,
                opinion_text="同意",
            )
        assert caught.value.code == "forbidden"


class Opinion(ReviewTestCase):
    def test_a_failed_point_without_a_written_problem_is_refused(self):
        case = case_at_defence(self.w)
        round_ = assigned(self.w, case)
        marks = [checklist.Mark(c, c != "facts") for c in checklist.CODES]
        with pytest.raises(DomainError) as caught:
            services.review(
                actor=self.w.reviewer,
                round_id=round_.pk,
                marks=marks,
                agree=False,
                opinion_text="存在问题",
                required_changes="补充证据",
            )
        assert caught.value.code == "validation_error"
        assert caught.value.field == "checklist.facts"
        round_.refresh_from_db()
        assert round_.status == RoundStatus.ASSIGNED

    def test_agreeing_while_a_point_failed_is_refused(self):
        round_ = assigned(self.w, case_at_defence(self.w))
        with pytest.raises(DomainError) as caught:
            services.review(
                actor=self.w.reviewer,
                round_id=round_.pk,
                marks=with_problem(),
                agree=True,
                opinion_text="同意",
            )
        assert caught.value.field == "agree"

    def test_all_nine_points_must_be_marked(self):
        round_ = assigned(self.w, case_at_defence(self.w))
        with pytest.raises(DomainError) as caught:
            services.review(
                actor=self.w.reviewer,
                round_id=round_.pk,
                marks=all_passed()[:8],
                agree=True,
                opinion_text="同意",
            )
        assert "是否涉嫌犯罪需移送" in caught.value.message

    def test_problems_found_need_what_must_change(self):
        round_ = assigned(self.w, case_at_defence(self.w))
        with pytest.raises(DomainError) as caught:
            services.review(
                actor=self.w.reviewer,
                round_id=round_.pk,
                marks=with_problem(),
                agree=False,
                opinion_text="存在问题",
            )
        assert caught.value.field == "required_changes"

    def test_someone_other_than_the_assigned_reviewer_may_not_give_the_opinion(self):
        round_ = assigned(self.w, case_at_defence(self.w))
        for user in (self.w.head, self.w.officer, self.w.other_officer):
            with pytest.raises(DomainError) as caught:
                services.review(
                    actor=user,
                    round_id=round_.pk,
                    marks=all_passed(),
                    agree=True,
                    opinion_text="同意",
                )
            assert caught.value.code in {"forbidden", "not_found"}

    def test_the_signed_pdf_carries_name_and_time_and_its_hash_is_in_the_ledger(self):
        case = case_at_defence(self.w)
        round_ = passed(self.w, case)
        with default_storage.open(round_.opinion_pdf.name, "rb") as f:
            content = f.read()
        assert content.startswith(b"%PDF")
        assert hashlib.sha256(content).hexdigest() == round_.pdf_sha256
        entry = events(case, "review.opinion").get()
        assert f'"pdf_sha256":"{round_.pdf_sha256}"' in entry.payload
        text = subprocess.run(
            ["/usr/bin/pdftotext", "-", "-"], input=content, capture_output=True, check=True
        ).stdout.decode()
        assert "法制审核意见书" in text
        assert "reviewer" in text  # the reviewer's name in the test world
        assert f"{timezone.localtime(round_.reviewed_at):%Y年%-m月%-d日}" in text

    def test_an_opinion_cannot_be_given_twice(self):
        case = case_at_defence(self.w)
        round_ = passed(self.w, case)
        with pytest.raises(DomainError) as caught:
            failed(self.w, round_)
        assert caught.value.code == "conflict"


class DeadlineAndEscalation(ReviewTestCase):
    def test_the_head_extends_the_deadline_once_by_three_working_days(self):
        round_ = assigned(self.w, case_at_defence(self.w))
        with pytest.raises(DomainError):
            services.extend_deadline(actor=self.w.reviewer, round_id=round_.pk, reason="复杂")
        longer = services.extend_deadline(actor=self.w.head, round_id=round_.pk, reason="案情复杂")
        assert longer.due_on == workdays.add_working_days(round_.due_on, 3)
        with pytest.raises(DomainError) as caught:
            services.extend_deadline(actor=self.w.head, round_id=round_.pk, reason="再延")
        assert caught.value.code == "conflict"

    def test_a_deadline_turns_yellow_near_its_end_and_red_after(self):
        round_ = assigned(self.w, case_at_defence(self.w))
        today = timezone.localdate()
        assert queries.deadline_of(round_, warn_days=2, today=today).level == "ok"
        near = round_.due_on - timedelta(days=1)
        assert queries.deadline_of(round_, warn_days=2, today=near).level == "yellow"
        assert (
            queries.deadline_of(round_, warn_days=2, today=round_.due_on + timedelta(days=1)).level
            == "red"
        )

    def test_two_failed_rounds_go_to_the_head(self):
        case = case_at_defence(self.w)
        failed(self.w, assigned(self.w, case))
        assert not queries.status_for(case).escalated
        draft(self.w, case, "140000")
        second = services.resubmit(
            actor=self.w.officer, case_id=case.pk, materials=MATERIALS, response="改"
        )
        failed(self.w, second)
        assert queries.status_for(case).escalated
        assert events(case, "review.escalated").count() == 1
        assert case.legal_review in [f for f in queries.queue_for(self.w.head)["escalations"]]

    def test_the_unit_may_dispute_a_failed_opinion(self):
        case = case_at_defence(self.w)
        round_ = failed(self.w, assigned(self.w, case))
        with pytest.raises(DomainError):
            services.dispute(actor=self.w.reviewer, round_id=round_.pk, reason="不同意")
        services.dispute(actor=self.w.officer, round_id=round_.pk, reason="裁量在基准内")
        assert queries.status_for(case).escalated

    def test_a_collective_discussion_does_not_open_the_gate_without_a_passing_review(self):
        # Documented choice (行政处罚法 第58条): the 集体讨论 records the head's decision, but only
        # a passing opinion of the legal unit on the very draft lets the decision be made.
        case = case_at_defence(self.w)
        round_ = failed(self.w, assigned(self.w, case))
        services.dispute(actor=self.w.officer, round_id=round_.pk, reason="裁量在基准内")
        services.record_discussion(
            actor=self.w.head,
            case_id=case.pk,
            held_on=timezone.localdate(),
            attendees=["head", "officer", "reviewer"],
            outcome=DiscussionOutcome.RESOLVED,
            minutes="经讨论，承办机构的裁量理由成立，报法制股重新出具意见。",
        )
        assert not queries.status_for(case).escalated
        with pytest.raises(DomainError) as caught:
            transition(actor=self.w.head, case_id=case.pk, target="decision")
        assert caught.value.code == "legal_review_required"
        assert events(case, "review.discussion").count() == 1

    def test_a_discussion_needs_the_head_three_attendees_and_minutes(self):
        case = case_at_defence(self.w)
        failed(self.w, assigned(self.w, case))
        kwargs: dict[str, Any] = dict(
            case_id=case.pk, held_on=timezone.localdate(), outcome="revise", minutes="记录"
        )
        with pytest.raises(DomainError) as caught:
            services.record_discussion(actor=self.w.officer, attendees=["a", "b", "c"], **kwargs)
        assert caught.value.code == "forbidden"
        with pytest.raises(DomainError) as caught:
            services.record_discussion(actor=self.w.head, attendees=["a", "b"], **kwargs)
        assert caught.value.field == "attendees"

    def discussing(self, **changed: Any) -> DomainError:
        """A disputed case whose discussion, with ``changed`` fields, is refused."""
        case = case_at_defence(self.w)
        failed(self.w, assigned(self.w, case))
        fields: dict[str, Any] = dict(
            held_on=timezone.localdate(),
            attendees=["head", "officer", "reviewer"],
            outcome="revise",
            minutes="记录",
        )
        with pytest.raises(DomainError) as caught:
            services.record_discussion(actor=self.w.head, case_id=case.pk, **(fields | changed))
        assert events(case, "review.discussion").count() == 0
        return caught.value

    def test_a_name_typed_three_times_is_one_attendee_and_nothing_is_recorded(self):
        refusal = self.discussing(attendees=["张局长", " 张局长", "张局长 "])
        assert refusal.field == "attendees"
        assert "同一人只计一次" in refusal.message

    def test_a_discussion_dated_before_the_case_was_opened_is_refused(self):
        # the case was opened today
        refusal = self.discussing(held_on=timezone.localdate() - timedelta(days=1))
        assert refusal.field == "held_on"
        assert "早于立案日期" in refusal.message


class ManualFlag(ReviewTestCase):
    def test_a_flag_makes_a_small_case_major_and_says_why(self):
        case = case_at_defence(self.w, "5000")
        services.flag_major(
            actor=self.w.officer,
            case_id=case.pk,
            reason="multiple_relations",
            note="涉及三个法律关系",
        )
        reasons = queries.major_reasons(case)
        assert reasons == ["经认定涉及多个法律关系：涉及三个法律关系"]
        assert events(case, "review.flagged_major").count() == 1
        with pytest.raises(DomainError) as caught:
            transition(actor=self.w.head, case_id=case.pk, target="decision")
        assert caught.value.code == "legal_review_required"

    def test_every_category_of_the_seed_plan_that_no_figure_decides_can_be_flagged(self):
        # 实施方案 §四(三)3(1): 重大公共利益, 重大社会影响或社会风险, 相对人或第三人重大权益,
        # 疑难复杂, 多个法律关系 (听证 and the amounts are decided by the catalogue's rules).
        wanted = {
            "public_interest": "涉及重大公共利益",
            "social_risk": "可能造成重大社会影响或引发社会风险",
            "major_rights": "直接关系行政相对人或第三人重大权益",
            "complex": "案情疑难复杂",
            "multiple_relations": "涉及多个法律关系",
        }
        for reason, label in wanted.items():
            case = case_at_defence(self.w, "5000")
            services.flag_major(actor=self.w.officer, case_id=case.pk, reason=reason, note="说明")
            assert queries.major_reasons(case) == [f"经认定{label}：说明"]

    def test_a_flag_needs_a_known_reason_and_a_note_and_a_team_member_or_head(self):
        case = case_at_defence(self.w, "5000")
        with pytest.raises(DomainError) as caught:
            services.flag_major(actor=self.w.officer, case_id=case.pk, reason="whim", note="x")
        assert caught.value.code == "validation_error"
        with pytest.raises(DomainError) as caught:
            services.flag_major(actor=self.w.officer, case_id=case.pk, reason="complex", note=" ")
        assert caught.value.code == "validation_error"
        with pytest.raises(DomainError) as caught:
            services.flag_major(actor=self.w.reviewer, case_id=case.pk, reason="complex", note="x")
        assert caught.value.code == "forbidden"

    def test_once_major_a_case_stays_major_when_the_fine_is_lowered(self):
        case = case_at_defence(self.w)
        submitted(self.w, case)
        draft(self.w, case, "5000")
        assert queries.major_reasons(case)[0].startswith("已认定为重大执法决定")
