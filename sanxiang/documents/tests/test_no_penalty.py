"""不予处罚 at 审查 (h10a item 1): 行政处罚法 第57条第1款第（二）（三）项 with the grounds of
第30、31、33、36条 — the ground recorded, the 不予行政处罚决定书 printing it, issued and delivered
before the head closes the case; no 事先告知 (第44条 asks it for a 行政处罚 only); not published."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from sanxiang.cases.models import Case
from sanxiang.cases.no_penalty import prepare_no_penalty
from sanxiang.cases.services import DraftData, save_draft, transition
from sanxiang.cases.testing import company, open_test_case, person
from sanxiang.disclosure.models import Publication
from sanxiang.documents.builders import build
from sanxiang.documents.kinds import get_kind
from sanxiang.documents.models import IssuedDocument
from sanxiang.documents.queries import allowed_kinds, sheet_from_case
from sanxiang.documents.services import issue_document
from sanxiang.documents.testing import take_step
from sanxiang.ledger.models import Entry
from sanxiang.lib.errors import DomainError
from sanxiang.testing import signed_in

from .helpers import QuickDocumentsTestCase, fine_draft

NO_PENALTY = DraftData(kind="no_penalty", legal_basis="《宗教事务条例》第七十一条")
REASONS = "当事人于检查当日撤除全部宣传品，未造成影响（现场检查笔录、询问笔录为证）"


def refused(code: str, fn, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as caught:
        fn(**kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value


class NoPenaltyAtReview(QuickDocumentsTestCase):
    def at_review(self, parties=None, *, draft: DraftData | None = NO_PENALTY) -> Case:
        case = open_test_case(self.w, parties=parties or [company()], title="某公司散发宣传品案")
        take_step(self.w.head, case.pk, "investigation")
        take_step(self.w.officer, case.pk, "case_review")
        if draft is not None:
            save_draft(actor=self.w.officer, case_id=case.pk, data=draft)
        return Case.objects.get(pk=case.pk)

    def prepare(self, case: Case, ground: str = "minor_corrected", **kwargs) -> None:
        values = {"reasons": REASONS} | kwargs
        prepare_no_penalty(actor=self.w.officer, case_id=case.pk, ground=ground, **values)

    # The walk -----------------------------------------------------------------------------
    def test_the_head_ends_the_case_in_no_penalty_once_the_decision_is_served(self):
        case = self.at_review()
        self.prepare(case)
        closed = take_step(self.w.head, case.pk, "closing")
        assert closed.stage == "closing" and closed.closed_on == timezone.localdate()
        kinds = list(IssuedDocument.objects.filter(case=case).values_list("kind", flat=True))
        assert kinds[-2:] == ["no_penalty_decision", "delivery_receipt"]
        # 第44条: no 事先告知书 — a 不予处罚 imposes no 行政处罚.
        assert "penalty_notice" not in kinds
        step = Entry.objects.filter(case_id=case.pk, event_type="case.transition").latest("id")
        assert '"step":"不予行政处罚"' in step.payload.replace(" ", "")
        # 双公示 publishes 行政处罚 decisions: a 不予处罚 is not one and is not queued.
        assert not Publication.objects.filter(case=case).exists()
        archived = take_step(self.w.head, case.pk, "archived")
        assert archived.stage == "archived"

    def test_the_decision_prints_the_ground_its_article_and_the_reasons(self):
        case = self.at_review()
        self.prepare(case, "first_offence")
        doc = issue_document(actor=self.w.officer, case_id=case.pk, kind="no_penalty_decision")
        kind = get_kind("no_penalty_decision")
        assert kind is not None and doc.number
        day = timezone.localdate(doc.issued_at)
        content = build(kind, sheet_from_case(case), number=doc.number, issued_on=day)
        assert content.sha256() == doc.content_sha256
        text = "".join(str(b) for b in content.blocks)
        assert "当事人系初次违法，危害后果轻微并及时改正" in text
        assert "《中华人民共和国行政处罚法》第三十三条第一款" in text and REASONS in text
        assert "第三十三条第三款" in text and "六十日内" in text

    def test_the_step_is_refused_without_the_decision_naming_article_57_and_the_transfer(self):
        case = self.at_review()
        self.prepare(case)
        error = refused(
            "document_required", transition, actor=self.w.head, case_id=case.pk, target="closing"
        )
        assert "“不予行政处罚”" in error.message and "《不予行政处罚决定书》" in error.message
        assert "第57条第1款" in error.message and "“移送司法机关”" in error.message
        assert Case.objects.get(pk=case.pk).stage == "case_review"

    def test_the_decision_issued_but_not_delivered_does_not_close_the_case(self):
        case = self.at_review()
        self.prepare(case)
        issue_document(actor=self.w.officer, case_id=case.pk, kind="no_penalty_decision")
        error = refused(
            "document_required", transition, actor=self.w.head, case_id=case.pk, target="closing"
        )
        assert "送达" in error.message and "第61条" in error.message
        issue_document(actor=self.w.officer, case_id=case.pk, kind="delivery_receipt")
        assert transition(actor=self.w.head, case_id=case.pk, target="closing").stage == "closing"

    def test_only_the_head_takes_the_step(self):
        case = self.at_review()
        self.prepare(case)
        for kind in ("no_penalty_decision", "delivery_receipt"):
            issue_document(actor=self.w.officer, case_id=case.pk, kind=kind)
        error = refused(
            "forbidden", transition, actor=self.w.officer, case_id=case.pk, target="closing"
        )
        assert "负责人" in error.message

    def test_the_decision_needs_the_ground_and_a_no_penalty_draft(self):
        case = self.at_review()
        assert "no_penalty_decision" in {k.code for k in allowed_kinds(case)}
        error = refused(
            "validation_error",
            issue_document,
            actor=self.w.officer,
            case_id=case.pk,
            kind="no_penalty_decision",
        )
        assert "不予处罚的情形和理由" in error.message
        fined = self.at_review(draft=DraftData(**fine_draft()))
        assert "no_penalty_decision" not in {k.code for k in allowed_kinds(fined)}
        error = refused("validation_error", self.prepare, case=fined)
        assert error.field == "draft"
        assert not Entry.objects.filter(case_id=fined.pk, event_type="case.no_penalty_prepared")

    # The grounds, checked ---------------------------------------------------------------
    def test_articles_30_and_31_are_for_natural_persons_only(self):
        case = self.at_review()
        for ground in ("minor", "incapable"):
            error = refused(
                "no_penalty_ground_unfounded",
                self.prepare,
                case=case,
                ground=ground,
                violation_on=date(2026, 1, 5),
            )
            assert "只适用于自然人" in error.message and "某文化传播有限公司" in error.message

    def test_article_30_is_refused_for_a_party_fourteen_on_the_day_of_the_act(self):
        acted = timezone.localdate() - timedelta(days=30)
        born = acted.replace(year=acted.year - 14)
        case = self.at_review([person("李某", born=born)])
        error = refused(
            "no_penalty_ground_unfounded",
            self.prepare,
            case=case,
            ground="minor",
            violation_on=acted,
        )
        assert "已满十四周岁" in error.message and "第30条" in error.message
        refused("validation_error", self.prepare, case=case, ground="minor")  # no act date

    def test_article_30_holds_for_a_child_of_thirteen(self):
        acted = timezone.localdate() - timedelta(days=30)
        born = acted.replace(year=acted.year - 13)
        case = self.at_review([person("李某", born=born)])
        self.prepare(case, "minor", violation_on=acted)
        doc = issue_document(actor=self.w.officer, case_id=case.pk, kind="no_penalty_decision")
        kind = get_kind("no_penalty_decision")
        assert kind is not None
        day = timezone.localdate(doc.issued_at)
        content = build(kind, sheet_from_case(case), number=doc.number, issued_on=day)
        text = "".join(str(b) for b in content.blocks)
        assert "第三十条" in text and "责令其监护人加以管教" in text

    def test_article_36_needs_the_act_found_outside_the_period(self):
        case = self.at_review()
        recent = case.opened_on - timedelta(days=300)
        error = refused(
            "no_penalty_ground_unfounded",
            self.prepare,
            case=case,
            ground="time_barred",
            violation_on=recent,
        )
        assert "未超过2年的追责期限" in error.message and "第36条" in error.message
        refused("validation_error", self.prepare, case=case, ground="time_barred")
        self.prepare(case, "time_barred", violation_on=case.opened_on - timedelta(days=800))
        payload = Entry.objects.filter(case_id=case.pk, event_type="case.no_penalty_prepared")
        assert "limitation_ends_on" in payload.latest("id").payload

    # Bad input and other people ---------------------------------------------------------
    def test_bad_input_writes_nothing(self):
        case = self.at_review()
        refused("validation_error", self.prepare, case=case, ground="mercy")
        refused("validation_error", self.prepare, case=case, reasons="   ")
        future = timezone.localdate() + timedelta(days=1)
        refused("validation_error", self.prepare, case=case, violation_on=future)
        assert not Entry.objects.filter(case_id=case.pk, event_type="case.no_penalty_prepared")

    def test_other_people_cannot_record_it(self):
        case = self.at_review()
        for user, code in (
            (self.w.other_officer, "not_found"),
            (self.w.supervisor, "forbidden"),
            (self.w.reviewer, "forbidden"),
        ):
            refused(
                code,
                prepare_no_penalty,
                actor=user,
                case_id=case.pk,
                ground="minor_corrected",
                reasons=REASONS,
            )

    def test_it_is_recorded_only_between_the_investigation_and_the_decision(self):
        case = open_test_case(self.w, parties=[company()])
        take_step(self.w.head, case.pk, "investigation")
        error = refused("conflict", self.prepare, case=case)
        assert "调查终结后" in error.message

    def test_once_the_decision_is_issued_the_ground_is_fixed(self):
        case = self.at_review()
        self.prepare(case)
        issue_document(actor=self.w.officer, case_id=case.pk, kind="no_penalty_decision")
        refused("conflict", self.prepare, case=case, ground="no_fault")

    # The case page ----------------------------------------------------------------------
    def test_the_case_page_offers_the_form_and_records_the_ground(self):
        case = self.at_review()
        client = signed_in(self.w.officer)
        page = client.get(f"/cases/{case.pk}/").content.decode()
        assert 'id="case-no-penalty"' in page and "第57条第1款" in page and "第44条" in page
        response = client.post(
            f"/cases/{case.pk}/no-penalty/",
            {"ground": "no_fault", "reasons": REASONS, "violation_on": ""},
        )
        assert response.status_code == 302
        assert Entry.objects.filter(case_id=case.pk, event_type="case.no_penalty_prepared")
        page = client.get(f"/cases/{case.pk}/").content.decode()
        assert "有证据足以证明没有主观过错" in page

    def test_the_page_refuses_other_agencies_and_bad_input(self):
        case = self.at_review()
        other = signed_in(self.w.other_officer).post(
            f"/cases/{case.pk}/no-penalty/", {"ground": "no_fault", "reasons": REASONS}
        )
        assert other.status_code == 404
        signed_in(self.w.officer).post(f"/cases/{case.pk}/no-penalty/", {"ground": "x"})
        assert not Entry.objects.filter(case_id=case.pk, event_type="case.no_penalty_prepared")
