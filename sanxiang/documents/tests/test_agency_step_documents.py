"""An agency's own step-bound 文书 (issue 10, item 2: "overridable per agency and published").

The agency adds a document a step cannot be left without (``StepRequirement``, through
``services.add_step_requirement`` with its ledger entry); the documents guard then refuses the
step (``document_required``, naming the document and the agency's basis) until it is issued,
and delivered where the row says so. Only the agency's head or administrator adds; a later
``valid_from`` does not apply yet; the portal publishes it; a row changed by raw SQL is named by
``verify_ledger``'s state check."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from sanxiang.accounts.models import Role
from sanxiang.cases.models import Case
from sanxiang.cases.services import transition
from sanxiang.cases.testing import company, make_matter, open_test_case
from sanxiang.documents.guards import file_lacking
from sanxiang.documents.models import IssuedDocument, StepRequirement
from sanxiang.documents.services import (
    StepRequirementData,
    add_step_requirement,
    end_step_requirement,
    issue_document,
)
from sanxiang.documents.testing import take_step
from sanxiang.ledger.models import Entry
from sanxiang.ledger.reconcile import reconcile
from sanxiang.lib.errors import DomainError
from sanxiang.testing import make_user, signed_in

from .helpers import QuickDocumentsTestCase, case_at

BASIS = "本局执法规范第12条：调查终结前须向当事人送达询问通知书"


def data(**changes: Any) -> StepRequirementData:
    values: dict[str, Any] = {
        "procedure": "penalty_ordinary",
        "source": "investigation",
        "target": "case_review",
        "kind": "inquiry_notice",
        "basis": BASIS,
        "valid_from": timezone.localdate(),
        "delivered": False,
    }
    values.update(changes)
    return StepRequirementData(**values)


def refused_with(code: str, fn, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as caught:
        fn(**kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value


class Adding(QuickDocumentsTestCase):
    def test_the_head_adds_a_row_with_its_ledger_entry(self):
        row = add_step_requirement(actor=self.w.head, agency_id=self.w.agency.pk, data=data())
        entry = Entry.objects.get(event_type="document.step_requirement_added")
        assert entry.agency_id == self.w.agency.pk
        assert json.loads(entry.payload)["row"] == row.pk
        assert row.kind == "inquiry_notice" and row.created_by == self.w.head

    def test_the_administrator_may_add_too_and_a_title_is_stored_as_its_code(self):
        row = add_step_requirement(
            actor=self.w.admin, agency_id=self.w.agency.pk, data=data(kind="询问笔录")
        )
        assert row.kind == "inquiry_record"

    def test_an_officer_cannot_add(self):
        refused_with(
            "forbidden",
            add_step_requirement,
            actor=self.w.officer,
            agency_id=self.w.agency.pk,
            data=data(),
        )
        assert not StepRequirement.objects.exists()

    def test_another_agencys_head_cannot_add_to_ours(self):
        other_head = make_user("otherhead", Role.HEAD, self.w.other_agency, certificate="T0099")
        error = refused_with(
            "not_found",
            add_step_requirement,
            actor=other_head,
            agency_id=self.w.agency.pk,
            data=data(),
        )
        assert "无权" in error.message
        assert not StepRequirement.objects.exists()
        assert not Entry.objects.filter(event_type="document.step_requirement_added").exists()

    def test_another_agencys_head_cannot_end_ours(self):
        row = add_step_requirement(actor=self.w.head, agency_id=self.w.agency.pk, data=data())
        other_head = make_user("otherhead", Role.HEAD, self.w.other_agency, certificate="T0099")
        refused_with(
            "not_found",
            end_step_requirement,
            actor=other_head,
            row_id=row.pk,
            valid_to=timezone.localdate(),
        )
        assert StepRequirement.objects.get(pk=row.pk).valid_to is None

    def test_bad_input_is_refused_in_chinese_with_a_stable_code_and_nothing_written(self):
        cases = [
            (data(procedure="nonsense"), "validation_error", "程序无效"),
            (data(target="decision"), "validation_error", "没有该环节"),
            (data(kind="no_such_kind"), "validation_error", "文书种类无效"),
            # 调查终结 does not make a 行政处罚决定书: it cannot be asked for before it.
            (data(kind="penalty_decision"), "validation_error", "不制作"),
            (data(basis="  "), "validation_error", "依据或理由"),
            # a rule cannot reach back to steps already taken
            (data(valid_from=timezone.localdate() - timedelta(days=1)), "validation_error", "溯及"),
        ]
        for bad, code, words in cases:
            error = refused_with(
                code, add_step_requirement, actor=self.w.head, agency_id=self.w.agency.pk, data=bad
            )
            assert words in error.message, error.message
        assert not StepRequirement.objects.exists()
        assert not Entry.objects.filter(event_type="document.step_requirement_added").exists()

    def test_a_duplicate_is_refused_and_so_is_repeating_the_law(self):
        add_step_requirement(actor=self.w.head, agency_id=self.w.agency.pk, data=data())
        error = refused_with(
            "conflict",
            add_step_requirement,
            actor=self.w.head,
            agency_id=self.w.agency.pk,
            data=data(),
        )
        assert "重复" in error.message
        law = data(source="case_review", target="notice", kind="penalty_notice")
        error = refused_with(
            "conflict",
            add_step_requirement,
            actor=self.w.head,
            agency_id=self.w.agency.pk,
            data=law,
        )
        assert "法定要求已包含" in error.message
        assert StepRequirement.objects.count() == 1

    def test_the_law_asks_no_delivery_of_the_notice_so_the_agency_may_ask_for_it(self):
        stricter = data(
            source="case_review", target="notice", kind="penalty_notice", delivered=True
        )
        row = add_step_requirement(actor=self.w.head, agency_id=self.w.agency.pk, data=stricter)
        assert row.delivered


class Guard(QuickDocumentsTestCase):
    def test_the_step_is_refused_until_the_added_document_is_issued(self):
        add_step_requirement(actor=self.w.head, agency_id=self.w.agency.pk, data=data())
        case = case_at(self.w, "investigation")
        error = refused_with(
            "document_required",
            transition,
            actor=self.w.officer,
            case_id=case.pk,
            target="case_review",
        )
        assert "《询问通知书》" in error.message
        assert BASIS in error.message and self.w.agency.name in error.message
        assert Case.objects.get(pk=case.pk).stage == "investigation"
        issue_document(actor=self.w.officer, case_id=case.pk, kind="inquiry_notice")
        assert transition(actor=self.w.officer, case_id=case.pk, target="case_review").stage == (
            "case_review"
        )

    def test_without_the_row_the_step_goes(self):
        case = case_at(self.w, "investigation")
        moved = transition(actor=self.w.officer, case_id=case.pk, target="case_review")
        assert moved.stage == "case_review"

    def test_delivered_asks_for_a_receipt_after_the_document(self):
        add_step_requirement(
            actor=self.w.head, agency_id=self.w.agency.pk, data=data(delivered=True)
        )
        case = case_at(self.w, "investigation")
        issue_document(actor=self.w.officer, case_id=case.pk, kind="inquiry_notice")
        error = refused_with(
            "document_required",
            transition,
            actor=self.w.officer,
            case_id=case.pk,
            target="case_review",
        )
        assert "送达" in error.message and BASIS in error.message
        issue_document(actor=self.w.officer, case_id=case.pk, kind="delivery_receipt")
        moved = transition(actor=self.w.officer, case_id=case.pk, target="case_review")
        assert moved.stage == "case_review"

    def test_a_row_with_a_later_valid_from_does_not_apply_yet(self):
        later = data(valid_from=timezone.localdate() + timedelta(days=3))
        add_step_requirement(actor=self.w.head, agency_id=self.w.agency.pk, data=later)
        case = case_at(self.w, "investigation")
        moved = transition(actor=self.w.officer, case_id=case.pk, target="case_review")
        assert moved.stage == "case_review"

    def test_an_ended_row_no_longer_applies(self):
        row = add_step_requirement(actor=self.w.head, agency_id=self.w.agency.pk, data=data())
        end_step_requirement(actor=self.w.head, row_id=row.pk, valid_to=timezone.localdate())
        case = case_at(self.w, "investigation")
        moved = transition(actor=self.w.officer, case_id=case.pk, target="case_review")
        assert moved.stage == "case_review"

    def test_another_agencys_row_does_not_apply_to_our_cases(self):
        other_head = make_user("otherhead", Role.HEAD, self.w.other_agency, certificate="T0099")
        add_step_requirement(actor=other_head, agency_id=self.w.other_agency.pk, data=data())
        case = case_at(self.w, "investigation")
        moved = transition(actor=self.w.officer, case_id=case.pk, target="case_review")
        assert moved.stage == "case_review"

    def test_a_row_for_one_matter_applies_to_that_matter_only(self):
        one = make_matter(self.w.agency, "penalty", code="T-one")
        add_step_requirement(
            actor=self.w.head, agency_id=self.w.agency.pk, data=data(matter_id=one.pk)
        )
        other = case_at(self.w, "investigation")  # the default test matter
        moved = transition(actor=self.w.officer, case_id=other.pk, target="case_review")
        assert moved.stage == "case_review"
        case = open_test_case(self.w, matter=one, parties=[company()])
        Case.objects.filter(pk=case.pk).update(stage="investigation")
        refused_with(
            "document_required",
            transition,
            actor=self.w.officer,
            case_id=case.pk,
            target="case_review",
        )

    def test_a_matter_of_another_agency_or_procedure_is_refused(self):
        theirs = make_matter(self.w.other_agency, "penalty", code="T-theirs")
        licence = make_matter(self.w.agency, "licence", code="T-licence")
        for matter, words in ((theirs, "不属于本执法主体"), (licence, "不适用此程序")):
            error = refused_with(
                "validation_error",
                add_step_requirement,
                actor=self.w.head,
                agency_id=self.w.agency.pk,
                data=data(matter_id=matter.pk),
            )
            assert words in error.message
        assert not StepRequirement.objects.exists()

    def test_take_step_issues_what_the_agency_added(self):
        add_step_requirement(
            actor=self.w.head, agency_id=self.w.agency.pk, data=data(delivered=True)
        )
        case = case_at(self.w, "investigation")
        moved = take_step(self.w.officer, case.pk, "case_review")
        assert moved.stage == "case_review"
        kinds = list(IssuedDocument.objects.filter(case=case).values_list("kind", flat=True))
        assert "inquiry_notice" in kinds
        assert kinds.index("delivery_receipt", kinds.index("inquiry_notice")) > 0


class Pages(QuickDocumentsTestCase):
    def test_the_staff_page_lists_the_law_with_its_article_and_the_agencys_rows(self):
        add_step_requirement(actor=self.w.head, agency_id=self.w.agency.pk, data=data())
        page = signed_in(self.w.officer).get("/documents/step-requirements/").content.decode()
        assert "《行政处罚事先告知书》" in page and "第44条" in page  # the law's, with its article
        assert "《询问通知书》" in page and BASIS in page  # the agency's
        assert "不能删除或放宽" in page
        assert "增设或停用要求限本机关负责人或管理员" in page  # an officer sees no form

    def test_the_head_adds_through_the_page(self):
        response = signed_in(self.w.head).post(
            "/documents/step-requirements/",
            {
                "step": "penalty_ordinary:investigation:case_review",
                "kind": "inquiry_record",
                "basis": BASIS,
                "valid_from": timezone.localdate().isoformat(),
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        assert StepRequirement.objects.get().kind == "inquiry_record"

    def test_a_kind_the_step_does_not_make_is_refused_on_the_page(self):
        response = signed_in(self.w.head).post(
            "/documents/step-requirements/",
            {
                "step": "penalty_ordinary:investigation:case_review",
                "kind": "penalty_decision",
                "basis": BASIS,
                "valid_from": timezone.localdate().isoformat(),
            },
        )
        assert response.status_code == 200
        assert "不制作" in response.content.decode()
        assert not StepRequirement.objects.exists()

    def test_an_officer_cannot_add_through_the_page(self):
        response = signed_in(self.w.officer).post(
            "/documents/step-requirements/",
            {
                "step": "penalty_ordinary:investigation:case_review",
                "kind": "inquiry_record",
                "basis": BASIS,
                "valid_from": timezone.localdate().isoformat(),
            },
        )
        assert response.status_code in (200, 403)
        assert not StepRequirement.objects.exists()

    def test_the_portal_publishes_the_law_and_the_agencys_rows(self):
        add_step_requirement(actor=self.w.head, agency_id=self.w.agency.pk, data=data())
        page = Client().get(f"/gongshi/zhuti/{self.w.agency.pk}/qingdan/").content.decode()
        assert "环节文书要求" in page
        assert "《行政处罚事先告知书》" in page and "第44条" in page
        assert "《询问通知书》" in page and BASIS in page and "本机关增设" in page
        other = Client().get(f"/gongshi/zhuti/{self.w.other_agency.pk}/qingdan/").content.decode()
        assert BASIS not in other


class TheCaseFile(QuickDocumentsTestCase):
    """归档 checks the file again: what the agency's rows asked of the steps the case took."""

    def through_the_step(self) -> Case:
        case = open_test_case(self.w, parties=[company()], title="某公司违规组织宗教活动")
        transition(actor=self.w.head, case_id=case.pk, target="investigation")
        issue_document(actor=self.w.officer, case_id=case.pk, kind="inquiry_notice")
        transition(actor=self.w.officer, case_id=case.pk, target="case_review")
        return Case.objects.get(pk=case.pk)

    def test_a_document_the_agency_required_and_a_dba_deleted_is_named_at_archiving(self):
        add_step_requirement(actor=self.w.head, agency_id=self.w.agency.pk, data=data())
        case = self.through_the_step()
        assert not any("询问通知书" in line for line in file_lacking(case))
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM documents_issueddocument WHERE case_id = %s AND kind = %s",
                [case.pk, "inquiry_notice"],
            )
        lacking = [line for line in file_lacking(case) if "询问通知书" in line]
        assert lacking and BASIS in lacking[0] and self.w.agency.name in lacking[0], lacking

    def test_a_row_added_after_the_step_was_taken_does_not_reach_back(self):
        case = open_test_case(self.w, parties=[company()], title="某公司违规组织宗教活动")
        transition(actor=self.w.head, case_id=case.pk, target="investigation")
        transition(actor=self.w.officer, case_id=case.pk, target="case_review")
        add_step_requirement(actor=self.w.head, agency_id=self.w.agency.pk, data=data())
        assert not any("询问通知书" in line for line in file_lacking(case))

    def test_a_row_cannot_be_ended_in_the_past(self):
        row = add_step_requirement(actor=self.w.head, agency_id=self.w.agency.pk, data=data())
        StepRequirement.objects.filter(pk=row.pk).update(
            valid_from=timezone.localdate() - timedelta(days=10)
        )
        error = refused_with(
            "validation_error",
            end_step_requirement,
            actor=self.w.head,
            row_id=row.pk,
            valid_to=timezone.localdate() - timedelta(days=1),
        )
        assert "早于今天" in error.message
        assert StepRequirement.objects.get(pk=row.pk).valid_to is None
        assert not Entry.objects.filter(event_type="document.step_requirement_ended").exists()


class Reconcile(QuickDocumentsTestCase):
    def lines(self) -> list[str]:
        return [d.line() for d in reconcile() if d.table == "documents_steprequirement"]

    def test_rows_written_by_the_service_agree_with_the_ledger(self):
        row = add_step_requirement(actor=self.w.head, agency_id=self.w.agency.pk, data=data())
        end_step_requirement(actor=self.w.head, row_id=row.pk, valid_to=timezone.localdate())
        assert self.lines() == []

    def test_a_row_changed_by_raw_sql_is_named(self):
        row = add_step_requirement(actor=self.w.head, agency_id=self.w.agency.pk, data=data())
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE documents_steprequirement SET kind = %s, delivered = %s WHERE id = %s",
                ["inquiry_record", True, row.pk],
            )
        lines = self.lines()
        assert any(f"#{row.pk} 字段 kind" in line for line in lines), lines
        assert any(f"#{row.pk} 字段 delivered" in line for line in lines), lines

    def test_a_row_ended_by_raw_sql_is_named(self):
        row = add_step_requirement(actor=self.w.head, agency_id=self.w.agency.pk, data=data())
        StepRequirement.objects.filter(pk=row.pk).update(valid_to=timezone.localdate())
        assert any(f"#{row.pk} 字段 valid_to" in line for line in self.lines())

    def test_a_row_inserted_by_raw_sql_is_named(self):
        row = add_step_requirement(actor=self.w.head, agency_id=self.w.agency.pk, data=data())
        StepRequirement.objects.filter(pk=row.pk).update(kind="inquiry_record")
        copy = StepRequirement.objects.get(pk=row.pk)
        copy.pk = None
        copy.save()
        lines = self.lines()
        assert any(f"#{copy.pk} 字段 id" in line and "没有添加条目" in line for line in lines)


class TheWayIn(QuickDocumentsTestCase):
    def test_the_head_finds_the_page_from_the_case_list_and_an_officer_does_not(self):
        page = signed_in(self.w.head).get("/cases/").content.decode()
        assert 'href="/documents/step-requirements/"' in page and "环节文书要求" in page
        officer_page = signed_in(self.w.officer).get("/cases/").content.decode()
        assert "/documents/step-requirements/" not in officer_page
