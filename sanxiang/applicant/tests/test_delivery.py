"""电子送达 (issue 16, item 4): a party who signed a 送达地址确认书 choosing electronic delivery
receives documents through their link (and e-mail); the 送达 time is the first opening (or, by
the agency's rule, the sending), recorded with the document's hash; undelivered ones fall back."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from sanxiang.applicant import delivery
from sanxiang.applicant.models import ElectronicDelivery
from sanxiang.cases.services import transition
from sanxiang.documents.models import IssuedDocument
from sanxiang.documents.services import issue_document
from sanxiang.documents.tests.helpers import QuickDocumentsTestCase, case_at, fine_draft
from sanxiang.ledger.models import Entry
from sanxiang.ledger.reconcile import reconcile
from sanxiang.lib.errors import DomainError
from sanxiang.workbench.inbox import inbox_for

from .helpers import (
    company_of,
    granted,
    link_for,
    online_matter,
    person_of,
    submitted,
    two_party_case,
)


class ElectronicDeliveryTests(QuickDocumentsTestCase):
    def setUp(self) -> None:
        self.case = two_party_case(self.w, "case_review")
        self.notice = issue_document(
            actor=self.w.officer, case_id=self.case.pk, kind="penalty_notice"
        )

    def confirm(self, **kwargs):
        issue_document(actor=self.w.officer, case_id=self.case.pk, kind="address_confirmation")
        return delivery.record_consent(
            actor=self.w.officer, case_id=self.case.pk, party_id=company_of(self.case).pk, **kwargs
        )

    def send(self, party=None):
        return delivery.send_document(
            actor=self.w.officer,
            case_id=self.case.pk,
            document_id=self.notice.pk,
            party_id=(party or company_of(self.case)).pk,
        )

    def test_consent_needs_the_signed_address_confirmation(self):
        with pytest.raises(DomainError) as refused:
            delivery.record_consent(
                actor=self.w.officer, case_id=self.case.pk, party_id=company_of(self.case).pk
            )
        assert (
            refused.value.code == "document_required" and "送达地址确认书" in refused.value.message
        )

    def test_the_first_opening_through_the_link_is_the_delivery_with_the_pdf_hash(self):
        self.confirm()
        sent = self.send()
        assert sent.delivered_at is None and sent.rule == "opened"
        token = link_for(self.w, self.case, company_of(self.case))
        url = reverse("applicant_portal:document", args=[token, self.notice.pk])
        assert self.client.get(url).status_code == 200
        sent.refresh_from_db()
        assert sent.delivered_at is not None and sent.opened_at == sent.delivered_at
        entry = Entry.objects.get(event_type="applicant.delivery_received")
        assert json.loads(entry.payload)["pdf_sha256"] == self.notice.pdf_sha256
        self.client.get(url)  # a second opening is logged as a use, not a second 送达
        assert Entry.objects.filter(event_type="applicant.delivery_received").count() == 1

    @override_settings(SANXIANG_EDELIVERY_RULE="sent")
    def test_by_the_agencys_rule_sending_is_the_delivery(self):
        self.confirm()
        assert self.send().delivered_at is not None

    def test_an_email_on_record_gets_a_personal_link_after_the_commit(self):
        self.confirm(email="party@example.com")
        with self.captureOnCommitCallbacks(execute=True):
            self.send()
        [message] = mail.outbox
        assert message.to == ["party@example.com"] and "行政处罚事先告知书" in message.subject
        found = re.search(r"/gongshi/jindu/l/([A-Za-z0-9_\-]+)/", str(message.body))
        assert found is not None
        url = reverse("applicant_portal:document", args=[found.group(1), self.notice.pk])
        assert self.client.get(url).status_code == 200
        assert ElectronicDelivery.objects.get().delivered_at is not None

    def test_a_party_without_consent_is_refused_and_nothing_sent(self):
        self.confirm()
        with pytest.raises(DomainError) as refused:
            self.send(person_of(self.case))
        assert refused.value.code == "conflict" and "其他方式送达" in refused.value.message
        assert ElectronicDelivery.objects.count() == 0

    def test_sending_twice_is_a_conflict_and_another_agency_cannot_send(self):
        self.confirm()
        self.send()
        with pytest.raises(DomainError):
            self.send()
        with pytest.raises(DomainError) as other:
            delivery.send_document(
                actor=self.w.other_officer,
                case_id=self.case.pk,
                document_id=self.notice.pk,
                party_id=company_of(self.case).pk,
            )
        assert other.value.code == "not_found"

    def test_undelivered_after_the_working_days_falls_back_in_the_inbox(self):
        self.confirm()
        sent = self.send()
        assert not [s for s in inbox_for(self.w.head).sections if s.code == "applicant.undelivered"]
        ElectronicDelivery.objects.filter(pk=sent.pk).update(
            sent_at=timezone.now() - timedelta(days=10)  # test data: sent ten days ago
        )
        [section] = [
            s for s in inbox_for(self.w.head).sections if s.code == "applicant.undelivered"
        ]
        assert section.count == 1 and "其他" not in section.items[0].title
        assert "邮寄送达" in section.items[0].detail


class LicenceDeliveredElectronically(QuickDocumentsTestCase):
    def test_an_applicant_who_chose_it_in_the_form_gets_the_grant_through_the_link(self):
        from unittest import mock

        from sanxiang.cases.models import Case
        from sanxiang.cases.services import transition
        from sanxiang.documents.tests.helpers import quick_pdf

        matter = online_matter(self.w)
        with mock.patch("sanxiang.documents.render_pdf.render_pdf", quick_pdf):
            _, token = submitted(self.client, matter, electronic_delivery="1")
        case = Case.objects.get()
        [consent] = delivery.consents_of(case.pk)
        assert consent.application is not None and consent.confirmation is None
        transition(actor=self.w.head, case_id=case.pk, target="acceptance")
        grant = granted(self.w, case.pk)
        sent = delivery.send_document(
            actor=self.w.head, case_id=case.pk, document_id=grant.pk, party_id=consent.party_id
        )
        page = self.client.get(reverse("applicant_portal:link", args=[token])).content.decode()
        assert "准予行政许可决定书" in page
        opened = self.client.get(reverse("applicant_portal:document", args=[token, grant.pk]))
        assert opened.status_code == 200
        sent.refresh_from_db()
        assert sent.delivered_at is not None and sent.pdf_sha256 == grant.pdf_sha256


class DecisionDeliveredElectronically(QuickDocumentsTestCase):
    """行政处罚法 第61条第2款: a 决定书 that reached the party through their link needs no paper
    送达回证 before the case moves to 送达; one only sent (under the "opened" rule) is not yet
    delivered."""

    def test_the_step_to_delivery_waits_for_the_opening_and_then_needs_no_paper_receipt(self):
        case = case_at(self.w, "decision", **fine_draft())
        party = case.parties.get()
        issue_document(actor=self.w.officer, case_id=case.pk, kind="address_confirmation")
        delivery.record_consent(actor=self.w.officer, case_id=case.pk, party_id=party.pk)
        decision = issue_document(actor=self.w.officer, case_id=case.pk, kind="penalty_decision")
        delivery.send_document(
            actor=self.w.officer, case_id=case.pk, document_id=decision.pk, party_id=party.pk
        )
        with pytest.raises(DomainError) as refused:
            transition(actor=self.w.officer, case_id=case.pk, target="delivery")
        assert refused.value.code == "document_required"
        assert "电子送达" in refused.value.message
        token = link_for(self.w, case, party)
        url = reverse("applicant_portal:document", args=[token, decision.pk])
        assert self.client.get(url).status_code == 200
        moved = transition(actor=self.w.officer, case_id=case.pk, target="delivery")
        assert moved.stage == "delivery"
        assert not IssuedDocument.objects.filter(case=case, kind="delivery_receipt").exists()

    def test_a_delivery_to_another_case_delivers_nothing_here(self):
        case = case_at(self.w, "decision", **fine_draft())
        issue_document(actor=self.w.officer, case_id=case.pk, kind="penalty_decision")
        other = case_at(self.w, "decision", **fine_draft())
        party = other.parties.get()
        issue_document(actor=self.w.officer, case_id=other.pk, kind="address_confirmation")
        delivery.record_consent(actor=self.w.officer, case_id=other.pk, party_id=party.pk)
        theirs = issue_document(actor=self.w.officer, case_id=other.pk, kind="penalty_decision")
        delivery.send_document(
            actor=self.w.officer, case_id=other.pk, document_id=theirs.pk, party_id=party.pk
        )
        ElectronicDelivery.objects.update(delivered_at=timezone.now())
        with pytest.raises(DomainError):
            transition(actor=self.w.officer, case_id=case.pk, target="delivery")


class DeliveriesAgainstTheLedger(QuickDocumentsTestCase):
    """An electronic delivery passes the 送达 step without paper, so verify_ledger's state
    check compares each row with its entries: a database administrator who marks a delivery
    delivered, re-points it at another document or inserts one is named."""

    def setUp(self) -> None:
        self.case = case_at(self.w, "decision", **fine_draft())
        self.party = self.case.parties.get()
        issue_document(actor=self.w.officer, case_id=self.case.pk, kind="address_confirmation")
        delivery.record_consent(actor=self.w.officer, case_id=self.case.pk, party_id=self.party.pk)
        self.decision = issue_document(
            actor=self.w.officer, case_id=self.case.pk, kind="penalty_decision"
        )
        self.sent = delivery.send_document(
            actor=self.w.officer,
            case_id=self.case.pk,
            document_id=self.decision.pk,
            party_id=self.party.pk,
        )

    def found(self) -> list[str]:
        return [d.line() for d in reconcile() if d.table == "applicant_electronicdelivery"]

    def test_a_delivery_sent_and_opened_through_the_link_agrees_with_the_ledger(self):
        assert self.found() == []
        token = link_for(self.w, self.case, self.party)
        self.client.get(reverse("applicant_portal:document", args=[token, self.decision.pk]))
        assert self.found() == []

    def test_marking_it_delivered_by_sql_is_named(self):
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE applicant_electronicdelivery SET delivered_at = %s WHERE id = %s",
                [timezone.now(), self.sent.pk],
            )
        assert any("delivered_at" in line and "没有送达条目" in line for line in self.found())

    def test_re_pointing_it_or_inserting_one_by_sql_is_named(self):
        notice = issue_document(actor=self.w.officer, case_id=self.case.pk, kind="delivery_receipt")
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE applicant_electronicdelivery SET document_id = %s WHERE id = %s",
                [notice.pk, self.sent.pk],
            )
        ElectronicDelivery.objects.bulk_create(
            [
                ElectronicDelivery(
                    consent=self.sent.consent,
                    document=self.decision,
                    pdf_sha256=self.decision.pdf_sha256,
                    sent_by=self.w.officer,
                    rule="sent",
                    delivered_at=timezone.now(),
                )
            ]
        )
        lines = self.found()
        assert any("document_id" in line for line in lines)
        assert any("没有登记条目" in line for line in lines)
