from __future__ import annotations

from datetime import date, timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone

from sanxiang.cases.models import Case
from sanxiang.cases.testing import company, person
from sanxiang.disclosure import services
from sanxiang.disclosure.models import Publication, PublicationRule, PublicationStatus
from sanxiang.ledger.models import Entry
from sanxiang.lib import workdays
from sanxiang.lib.errors import DomainError

from .helpers import FULL_WIDTH_ID, ID_NUMBER, DisclosureTestCase, decided_case, published, queued


def decided(case: Case) -> date:
    assert case.decided_on is not None
    return case.decided_on


class QueueingADecision(DisclosureTestCase):
    def test_a_penalty_decision_enters_the_queue_due_in_seven_working_days(self):
        case = decided_case(self.w)
        item = Publication.objects.get(case=case)
        assert item.status == PublicationStatus.QUEUED
        assert item.category == "penalty"
        assert item.due_on == workdays.add_working_days(decided(case), 7)
        assert Entry.objects.filter(event_type="disclosure.queued", case_id=case.pk).exists()

    def test_a_coercion_decision_is_due_in_twenty_working_days(self):
        case = decided_case(self.w, procedure="coercion", kind="seizure", fine=None)
        item = Publication.objects.get(case=case)
        assert item.category == "other"
        assert item.due_on == workdays.add_working_days(decided(case), 20)

    def test_the_agency_rule_table_changes_the_clock(self):
        PublicationRule.objects.create(agency=self.w.agency, category="penalty", days=5)
        case = decided_case(self.w)
        item = Publication.objects.get(case=case)
        assert item.due_on == workdays.add_working_days(decided(case), 5)

    def test_a_missing_calendar_year_flags_the_item_instead_of_losing_it(self):
        with mock.patch.object(
            workdays, "add_working_days", side_effect=workdays.CalendarGap(2027)
        ):
            case = decided_case(self.w)
        item = Publication.objects.get(case=case)
        assert item.status == PublicationStatus.QUEUED
        assert item.due_on is None and item.calendar_gap_year == 2027

    def test_the_summary_names_a_natural_person_by_surname_only(self):
        item = queued(self.w)
        assert item.party == "张某"
        assert item.doc_number == item.case.number
        assert "罚款人民币5,000.00元" in item.outcome
        assert item.agency_name == self.w.agency.name

    def test_the_full_text_is_masked_including_full_width_id_digits(self):
        item = queued(self.w)
        text = item.masked_text
        assert "张三" not in text and "张某" in text
        assert FULL_WIDTH_ID not in text and FULL_WIDTH_ID[6:14] not in text
        assert "13912345678" not in text
        assert "某路8号" not in text
        assert "5000.00元" in text and "第七十一条" in text

    def test_an_id_number_split_by_spaces_is_masked(self):
        spaced = f"{ID_NUMBER[:6]} {ID_NUMBER[6:14]} {ID_NUMBER[14:]}"
        text = f"当事人李四，身份证号 {spaced}，经查属实。"
        item = queued(self.w, parties=[person("李四")], text=text)
        assert spaced not in item.masked_text and ID_NUMBER[6:14] not in item.masked_text
        assert "李某" in item.masked_text

    def test_an_organisation_keeps_its_name_and_credit_code(self):
        party = company("盘锦某文化传播有限公司")
        text = (
            f"当事人盘锦某文化传播有限公司，统一社会信用代码{party.credit_code}，法定代表人李某某。"
        )
        item = queued(self.w, parties=[party], text=text)
        assert item.party == "盘锦某文化传播有限公司"
        assert party.credit_code in item.masked_text

    def test_a_minor_party_is_excluded_with_the_reason_recorded(self):
        item = queued(self.w, parties=[person("王小明", born=date(2014, 1, 1))])
        assert item.status == PublicationStatus.EXCLUDED
        assert item.exclusion_kind == "minor"
        assert Entry.objects.filter(event_type="disclosure.excluded").exists()
        with pytest.raises(DomainError) as caught:
            services.publish(actor=self.w.head, publication_id=item.pk)
        assert caught.value.code == "conflict"

    def test_summary_procedure_and_warning_only_decisions_follow_the_agency_choice(self):
        PublicationRule.objects.create(
            agency=self.w.agency,
            category="penalty",
            days=7,
            publish_summary_procedure=False,
            publish_warning_only=False,
        )
        summary = queued(self.w, procedure="penalty_summary", fine="100.00")
        assert summary.exclusion_kind == "summary_procedure"
        warning = queued(self.w, kind="warning", fine=None)
        assert warning.exclusion_kind == "warning_only"


class PublishingAndWithdrawing(DisclosureTestCase):
    def test_publishing_records_the_content_hash_in_the_ledger(self):
        item = published(self.w)
        assert item.status == PublicationStatus.PUBLISHED
        entry = item.ledger_entry
        assert entry is not None and entry.event_type == "disclosure.published"
        assert item.content_sha256 in entry.payload
        assert item.ends_on == timezone.localdate() + timedelta(days=180)  # natural person

    def test_publishing_twice_is_a_conflict(self):
        item = published(self.w)
        with pytest.raises(DomainError) as caught:
            services.publish(actor=self.w.head, publication_id=item.pk)
        assert caught.value.code == "conflict"
        assert "不能重复公示" in caught.value.message

    def test_another_agency_cannot_publish(self):
        item = queued(self.w)
        with pytest.raises(DomainError) as caught:
            services.publish(actor=self.w.other_officer, publication_id=item.pk)
        assert caught.value.code == "not_found"

    def test_a_supervisor_and_a_reviewer_cannot_publish(self):
        item = queued(self.w)
        for user in (self.w.supervisor, self.w.reviewer):
            with pytest.raises(DomainError) as caught:
                services.publish(actor=user, publication_id=item.pk)
            assert caught.value.code == "forbidden"

    def test_an_exclusion_needs_a_reason(self):
        item = queued(self.w)
        with pytest.raises(DomainError) as caught:
            services.exclude(actor=self.w.head, publication_id=item.pk, kind="privacy", reason=" ")
        assert caught.value.code == "validation_error"
        item = services.exclude(
            actor=self.w.head, publication_id=item.pk, kind="privacy", reason="涉及个人隐私"
        )
        assert item.status == PublicationStatus.EXCLUDED

    def test_withdrawing_an_item_never_published_is_a_clear_conflict(self):
        item = queued(self.w)
        with pytest.raises(DomainError) as caught:
            services.withdraw(
                actor=self.w.head, publication_id=item.pk, reason_kind="revoked", reason="撤销"
            )
        assert caught.value.code == "conflict"
        assert "从未公示" in caught.value.message

    def test_withdrawal_takes_the_item_down_with_its_reason(self):
        item = published(self.w)
        item = services.withdraw(
            actor=self.w.head,
            publication_id=item.pk,
            reason_kind="revoked",
            reason="经行政复议，原决定被撤销。",
        )
        assert item.status == PublicationStatus.WITHDRAWN
        assert Entry.objects.filter(event_type="disclosure.withdrawn").exists()
        with pytest.raises(DomainError):
            services.withdraw(
                actor=self.w.head, publication_id=item.pk, reason_kind="revoked", reason="x"
            )

    def test_a_recorded_revocation_starts_the_three_working_day_clock(self):
        item = published(self.w)
        revoked_on = timezone.localdate()
        item = services.record_revocation(
            actor=self.w.head,
            publication_id=item.pk,
            revoked_on=revoked_on,
            reason_kind="changed",
            reason="复议变更",
        )
        assert item.withdraw_due_on == workdays.add_working_days(revoked_on, 3)

    def test_expiry_takes_ended_items_down_and_records_it(self):
        item = published(self.w)
        Publication.objects.filter(pk=item.pk).update(ends_on=timezone.localdate() - timedelta(1))
        out = StringIO()
        call_command("disclosure_expire", stdout=out)
        item.refresh_from_db()
        assert item.status == PublicationStatus.EXPIRED
        assert Entry.objects.filter(event_type="disclosure.expired").count() == 1
        assert "1" in out.getvalue()
