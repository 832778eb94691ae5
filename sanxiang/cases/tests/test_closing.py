"""结案 is the head's: the officer asks (报请结案), the head signs or says why not."""

from __future__ import annotations

import dataclasses
import json

import pytest
from django.db import IntegrityError, connection, transaction

from sanxiang.cases.models import Case, ClosingRequest, ClosingRequestStatus
from sanxiang.cases.services import (
    DraftData,
    request_closing,
    return_closing,
    save_draft,
    transition,
)
from sanxiang.cases.testing import open_test_case
from sanxiang.documents.testing import take_step
from sanxiang.ledger.models import Entry
from sanxiang.lib.errors import DomainError
from sanxiang.procedures.definitions import (
    DEFINITIONS,
    PENALTY_SUMMARY,
    DefinitionError,
    StageRole,
    validate,
)
from sanxiang.testing import WorldTestCase, signed_in
from sanxiang.workbench.inbox import inbox_for


def refused(code: str, fn, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as caught:
        fn(**kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value


def approvals(user):
    return next((s for s in inbox_for(user).sections if s.code == "cases.approvals"), None)


def test_every_step_into_closing_is_a_head_approval_in_every_procedure():
    for definition in DEFINITIONS.values():
        into = definition.codes_with_role(StageRole.CLOSING)
        closing = [s for s in definition.steps if s.target in into]
        assert closing or not into, definition.code
        for step in closing:
            assert step.head_approval and step.roles == {"head"}, (definition.code, step.label)


def test_a_definition_that_lets_an_officer_close_is_refused():
    loose = tuple(
        dataclasses.replace(s, roles=frozenset({"officer", "head"}), head_approval=False)
        if s.target == "closing"
        else s
        for s in PENALTY_SUMMARY.steps
    )
    with pytest.raises(DefinitionError, match="closes without the head"):
        validate(dataclasses.replace(PENALTY_SUMMARY, code="loose", steps=loose))


class ClosingTestCase(WorldTestCase):
    def delivered(self, title: str = "某公司违规组织宗教活动案") -> Case:
        """A warning delivered: nothing to execute, so 结案 is next."""
        case = open_test_case(self.w, procedure="penalty_summary", title=title)
        take_step(self.w.officer, case.pk, "notice")
        save_draft(actor=self.w.officer, case_id=case.pk, data=DraftData(kind="warning"))
        for target in ("decision", "delivery"):
            take_step(self.w.officer, case.pk, target)
        return Case.objects.get(pk=case.pk)


class AskingForClosing(ClosingTestCase):
    def test_an_officer_cannot_close_a_case_but_asks_the_head(self):
        case = self.delivered()
        error = refused(
            "forbidden", transition, actor=self.w.officer, case_id=case.pk, target="closing"
        )
        assert "负责人" in error.message
        assert approvals(self.w.head) is None
        request_closing(actor=self.w.officer, case_id=case.pk, note="警告已当场交付")
        entry = Entry.objects.filter(case_id=case.pk).latest("pk")
        assert entry.event_type == "case.closing_requested"
        section = approvals(self.w.head)
        assert section is not None and section.count == 1
        item = section.items[0]
        assert item.title == "结案审批（无需执行，结案）：某公司违规组织宗教活动案"
        assert item.url == f"/cases/{case.pk}/#closing-request"
        assert approvals(self.w.officer) is None

    def test_the_heads_closing_approves_the_request_and_empties_the_inbox(self):
        case = self.delivered()
        request = request_closing(actor=self.w.officer, case_id=case.pk)
        closed = transition(actor=self.w.head, case_id=case.pk, target="closing")
        assert closed.closed_on is not None
        request.refresh_from_db()
        assert request.status == ClosingRequestStatus.APPROVED
        assert request.decided_by == self.w.head
        entry = Entry.objects.filter(case_id=case.pk, event_type="case.transition").latest("pk")
        assert json.loads(entry.payload)["closing_request"] == request.pk
        assert approvals(self.w.head) is None

    def test_the_head_may_close_without_being_asked(self):
        case = self.delivered()
        assert transition(actor=self.w.head, case_id=case.pk, target="closing").closed_on

    def test_asking_twice_makes_one_request(self):
        case = self.delivered()
        request_closing(actor=self.w.officer, case_id=case.pk)
        refused("conflict", request_closing, actor=self.w.officer2, case_id=case.pk)
        assert ClosingRequest.objects.filter(case=case).count() == 1

    def test_the_database_holds_one_waiting_request_per_case_even_by_sql(self):
        case = self.delivered()
        first = request_closing(actor=self.w.officer, case_id=case.pk)
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(
                "INSERT INTO cases_closingrequest (case_id, stage, target, requested_by_id,"
                " requested_at, note, status, decision_note)"
                " VALUES (%s, 'delivery', 'closing', %s, %s, '', 'pending', '')",
                [case.pk, self.w.officer.pk, first.requested_at],
            )

    def test_a_request_forged_by_sql_does_not_let_the_officer_close(self):
        case = self.delivered()
        with connection.cursor() as cur:
            cur.execute(
                "INSERT INTO cases_closingrequest (case_id, stage, target, requested_by_id,"
                " requested_at, note, status, decision_note, decided_by_id)"
                " VALUES (%s, 'delivery', 'closing', %s, CURRENT_TIMESTAMP, '', 'approved', '',"
                " %s)",
                [case.pk, self.w.officer.pk, self.w.head.pk],
            )
        refused("forbidden", transition, actor=self.w.officer, case_id=case.pk, target="closing")
        assert Case.objects.get(pk=case.pk).closed_on is None

    def test_the_head_sends_a_request_back_saying_why(self):
        case = self.delivered()
        request_closing(actor=self.w.officer, case_id=case.pk)
        refused("validation_error", return_closing, actor=self.w.head, case_id=case.pk, note=" ")
        refused("forbidden", return_closing, actor=self.w.officer, case_id=case.pk, note="自己退回")
        returned = return_closing(actor=self.w.head, case_id=case.pk, note="送达回证未归入案卷")
        assert returned.status == ClosingRequestStatus.RETURNED
        assert approvals(self.w.head) is None
        page = signed_in(self.w.officer).get(f"/cases/{case.pk}/").content.decode()
        assert "送达回证未归入案卷" in page and 'data-testid="request-closing"' in page
        # Asked again after mending: a new round, the returned one kept.
        request_closing(actor=self.w.officer, case_id=case.pk)
        assert ClosingRequest.objects.filter(case=case).count() == 2

    def test_a_case_that_moves_on_leaves_its_request_behind(self):
        case = self.delivered()
        request_closing(actor=self.w.officer, case_id=case.pk)
        transition(actor=self.w.officer, case_id=case.pk, target="execution")
        assert ClosingRequest.objects.get(case=case).status == ClosingRequestStatus.SUPERSEDED
        assert approvals(self.w.head) is None

    def test_a_stage_without_a_closing_step_cannot_ask(self):
        case = open_test_case(self.w, procedure="penalty_summary")
        take_step(self.w.officer, case.pk, "notice")
        error = refused(
            "transition_not_allowed", request_closing, actor=self.w.officer, case_id=case.pk
        )
        assert "不能报请结案" in error.message

    def test_only_the_case_team_asks(self):
        case = self.delivered()
        refused("forbidden", request_closing, actor=self.w.head, case_id=case.pk)
        refused("not_found", request_closing, actor=self.w.other_officer, case_id=case.pk)
        refused("forbidden", request_closing, actor=self.w.reviewer, case_id=case.pk)

    def test_a_stale_page_is_told_to_reload(self):
        case = self.delivered()
        error = refused(
            "conflict",
            request_closing,
            actor=self.w.officer,
            case_id=case.pk,
            expected_stage="notice",
        )
        assert "请刷新" in error.message


class ClosingOnTheCasePage(ClosingTestCase):
    def test_the_officer_asks_on_the_page_and_the_head_finds_the_request_there(self):
        case = self.delivered()
        officer = signed_in(self.w.officer)
        page = officer.get(f"/cases/{case.pk}/").content.decode()
        assert 'id="closing-request"' in page and "待负责人批准：无需执行，结案" in page
        response = officer.post(
            f"/cases/{case.pk}/closing/request/", {"expected_stage": "delivery", "note": "无需执行"}
        )
        assert response.status_code == 302
        head_page = signed_in(self.w.head).get(f"/cases/{case.pk}/").content.decode()
        assert 'data-testid="closing-pending"' in head_page and "无需执行" in head_page
        assert (
            'data-target-stage="closing"' in head_page
            and 'data-testid="closing-return"' in head_page
        )

    def test_the_head_returns_on_the_page(self):
        case = self.delivered()
        request_closing(actor=self.w.officer, case_id=case.pk)
        response = signed_in(self.w.head).post(
            f"/cases/{case.pk}/closing/return/", {"note": "请补充缴款凭证"}
        )
        assert response.status_code == 302
        assert ClosingRequest.objects.get(case=case).decision_note == "请补充缴款凭证"

    def test_a_refused_request_says_why_without_the_code_in_the_sentence(self):
        case = self.delivered()
        response = signed_in(self.w.head).post(
            f"/cases/{case.pk}/closing/request/", {"expected_stage": "delivery"}
        )
        html = response.content.decode()
        assert response.status_code == 403 and "只有本案办案人员可以报请结案" in html
        assert "（forbidden）" not in html


class ClosingFromCaseReview(ClosingTestCase):
    """At 审查 two steps end the case (移送司法机关, 不予行政处罚): the request names both."""

    def test_the_closing_box_and_the_heads_inbox_name_both_ways_to_close(self):
        case = open_test_case(self.w, title="某公司违规组织宗教活动案")
        take_step(self.w.head, case.pk, "investigation")
        take_step(self.w.officer, case.pk, "case_review")
        page = signed_in(self.w.officer).get(f"/cases/{case.pk}/").content.decode()
        assert "结案审批（移送司法机关或不予行政处罚）" in page
        # Test data: the service would first want the 移送书 or the 不予行政处罚决定书 issued.
        ClosingRequest.objects.create(
            case=case, stage="case_review", target="closing", requested_by=self.w.officer
        )
        section = approvals(self.w.head)
        assert section is not None
        assert [i.title for i in section.items] == [
            "结案审批（移送司法机关或不予行政处罚）：某公司违规组织宗教活动案"
        ]
