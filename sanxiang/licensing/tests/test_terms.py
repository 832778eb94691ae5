"""What a licence grants (行政许可法 第39条): recorded before the decision, reviewed and decided
with the draft, printed in the 准予行政许可决定书, reported in the 行政许可 双公示 file, and
guarded by the ledger against edits behind the application."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from sanxiang.cases.services import DraftData, save_draft
from sanxiang.cases.testing import company, open_test_case
from sanxiang.documents.queries import sheet_from_case
from sanxiang.documents.testing import take_step
from sanxiang.documents.tests.helpers import QuickDocumentsTestCase
from sanxiang.ledger.models import Entry
from sanxiang.ledger.reconcile import reconcile
from sanxiang.lib.errors import DomainError, ValidationFailed
from sanxiang.licensing.models import LicenceTerms
from sanxiang.licensing.queries import decided_terms, grant_paragraph
from sanxiang.licensing.services import TermsData, set_terms
from sanxiang.licensing.testing import CERTIFICATE, NUMBER, record_terms
from sanxiang.review.testing import pass_review
from sanxiang.testing import signed_in

TODAY = timezone.localdate()


class LicenceTermsTestCase(QuickDocumentsTestCase):
    def at_examination(self):
        case = open_test_case(self.w, procedure="licence", parties=[company()])
        for target in ("acceptance", "examination"):
            take_step(self.w.officer, case.pk, target)
        return case

    def save_grant(self, case):
        return save_draft(
            actor=self.w.officer,
            case_id=case.pk,
            data=DraftData(kind="licence_grant", legal_basis="《宗教事务条例》第二十二条"),
        )

    def entries(self, case):
        return Entry.objects.filter(case_id=case.pk, event_type="licence.terms_set").count()


class Recording(LicenceTermsTestCase):
    def test_terms_recorded_before_the_draft_are_decided_with_it_and_printed(self):
        case = self.at_examination()
        record_terms(self.w.officer, case.pk, valid_until=TODAY + timedelta(days=365 * 3))
        assert self.entries(case) == 1
        self.save_grant(case)
        decided = take_step(self.w.head, case.pk, "decision")
        terms = decided_terms(decided)
        assert terms is not None and terms["licence_number"] == NUMBER
        paragraph = grant_paragraph(decided)
        assert "许可类别：登记" in paragraph
        assert f"《{CERTIFICATE}》（编号：{NUMBER}）" in paragraph
        assert "有效期限：" in paragraph and "至" in paragraph
        sheet = sheet_from_case(decided)
        assert sheet.provided["licence_grant"] == paragraph

    def test_a_grant_without_terms_is_refused_with_the_article(self):
        case = self.at_examination()
        self.save_grant(case)
        with pytest.raises(DomainError) as refused:
            take_step(self.w.head, case.pk, "decision")
        assert refused.value.code == "licence_terms_required"
        assert "第三十九条" in refused.value.message

    def test_a_refusal_needs_no_terms(self):
        case = self.at_examination()
        save_draft(
            actor=self.w.officer,
            case_id=case.pk,
            data=DraftData(
                kind="licence_refusal",
                legal_basis="《宗教事务条例》第二十二条",
                text="申请材料不符合法定条件。",
            ),
        )
        pass_review(self.w, case)  # a refusal is a major decision in the demo catalogue
        assert take_step(self.w.head, case.pk, "decision").stage == "decision"

    def test_terms_changed_after_the_draft_was_saved_stop_the_decision_until_it_is_saved_again(
        self,
    ):
        case = self.at_examination()
        record_terms(self.w.officer, case.pk)
        self.save_grant(case)
        record_terms(self.w.officer, case.pk, licence_number="兴民宗登字〔2026〕第002号")
        with pytest.raises(ValidationFailed) as refused:
            take_step(self.w.head, case.pk, "decision")
        assert "重新保存决定草稿" in refused.value.message
        self.save_grant(case)
        terms = decided_terms(take_step(self.w.head, case.pk, "decision"))
        assert terms is not None and terms["licence_number"] == "兴民宗登字〔2026〕第002号"

    def test_terms_cannot_change_once_decided(self):
        case = self.at_examination()
        record_terms(self.w.officer, case.pk)
        self.save_grant(case)
        take_step(self.w.head, case.pk, "decision")
        with pytest.raises(DomainError) as refused:
            record_terms(self.w.officer, case.pk, content="另一项许可")
        assert refused.value.code == "conflict"
        assert LicenceTerms.objects.get(case=case).content == "准予宗教活动场所登记"
        assert self.entries(case) == 1


class BadInput(LicenceTermsTestCase):
    def assert_refused(self, case, field, **changes):
        with pytest.raises(ValidationFailed) as refused:
            record_terms(self.w.officer, case.pk, **changes)
        assert refused.value.field == field
        assert not LicenceTerms.objects.filter(case=case).exists()
        assert self.entries(case) == 0
        return refused.value.message

    def test_each_bad_field_is_named_and_nothing_is_saved(self):
        case = self.at_examination()
        assert "第十二条" in self.assert_refused(case, "category", category="franchise-ish")
        self.assert_refused(case, "content", content="  ")
        assert "证件编号" in self.assert_refused(case, "licence_number", licence_number="")
        self.assert_refused(case, "certificate_name", certificate_name="", licence_number="1")
        self.assert_refused(case, "valid_from", valid_from=case.opened_on - timedelta(days=1))
        self.assert_refused(case, "valid_until", valid_until=case.opened_on - timedelta(days=1))

    def test_only_licence_cases_record_terms(self):
        case = open_test_case(self.w)
        with pytest.raises(DomainError) as refused:
            record_terms(self.w.officer, case.pk)
        assert refused.value.code == "conflict"

    def test_an_officer_of_another_agency_cannot_record_terms(self):
        case = self.at_examination()
        with pytest.raises(DomainError) as refused:
            set_terms(
                actor=self.w.other_officer,
                case_id=case.pk,
                data=TermsData("registration", "准予登记", case.opened_on),
            )
        assert refused.value.code in {"not_found", "forbidden"}
        assert not LicenceTerms.objects.filter(case=case).exists()


class Ledger(LicenceTermsTestCase):
    def licence_divergences(self):
        return [d for d in reconcile() if d.table == "licensing_licenceterms"]

    def test_a_row_changed_or_inserted_by_raw_sql_is_named_by_the_state_check(self):
        case = self.at_examination()
        terms = record_terms(self.w.officer, case.pk)
        assert self.licence_divergences() == []
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE licensing_licenceterms SET licence_number = 'FORGED', valid_until = %s "
                "WHERE id = %s",
                [date(2099, 1, 1), terms.pk],
            )
        found = {(d.row, d.field) for d in self.licence_divergences()}
        assert found == {(str(terms.pk), "licence_number"), (str(terms.pk), "valid_until")}
        other = self.at_examination()
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO licensing_licenceterms (case_id, category, certificate_name, "
                "licence_number, content, valid_from, updated_at) "
                "VALUES (%s, 'registration', '', '', '伪造', %s, %s)",
                [other.pk, other.opened_on, timezone.now()],
            )
        messages = [d.message for d in self.licence_divergences()]
        assert "许可证件信息在账本中没有登记条目" in messages

    def test_the_documents_print_the_decided_terms_not_a_row_changed_afterwards(self):
        case = self.at_examination()
        record_terms(self.w.officer, case.pk)
        self.save_grant(case)
        decided = take_step(self.w.head, case.pk, "decision")
        LicenceTerms.objects.filter(case=case).update(licence_number="改过的编号")
        assert NUMBER in grant_paragraph(decided)
        assert "改过的编号" not in grant_paragraph(decided)


class Page(LicenceTermsTestCase):
    def test_the_case_page_offers_the_form_and_the_form_records_the_terms(self):
        case = self.at_examination()
        client = signed_in(self.w.officer)
        page = client.get(f"/cases/{case.pk}/").content.decode()
        assert 'id="case-licence"' in page and "尚未登记" in page and "第三十九条" in page
        answer = client.post(
            f"/licensing/cases/{case.pk}/terms/",
            {
                "category": "registration",
                "content": "准予宗教活动场所登记",
                "certificate_name": CERTIFICATE,
                "licence_number": NUMBER,
                "valid_from": case.opened_on.isoformat(),
                "valid_until": "",
            },
            follow=True,
        )
        text = answer.content.decode()
        assert "许可证件信息已登记" in text and NUMBER in text and "长期" in text
        assert LicenceTerms.objects.get(case=case).licence_number == NUMBER

    def test_a_bad_form_says_why_in_chinese_and_saves_nothing(self):
        case = self.at_examination()
        answer = signed_in(self.w.officer).post(
            f"/licensing/cases/{case.pk}/terms/",
            {
                "category": "registration",
                "content": "准予登记",
                "certificate_name": CERTIFICATE,
                "licence_number": "",
                "valid_from": case.opened_on.isoformat(),
            },
            follow=True,
        )
        assert "许可证件信息未保存" in answer.content.decode()
        assert not LicenceTerms.objects.filter(case=case).exists()

    def test_a_penalty_case_page_has_no_licence_panel(self):
        case = open_test_case(self.w)
        page = signed_in(self.w.officer).get(f"/cases/{case.pk}/").content.decode()
        assert 'id="case-licence"' not in page
