from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sanxiang.applicant.models import PartyLink
from sanxiang.applicant.services import create_link, revoke_link, use_link
from sanxiang.documents.services import issue_document
from sanxiang.documents.tests.helpers import QuickDocumentsTestCase
from sanxiang.ledger.models import Entry
from sanxiang.lib.errors import DomainError
from sanxiang.testing import signed_in

from .helpers import company_of, link_for, person_of, two_party_case


def refused(code: str, fn, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as caught:
        fn(**kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value


def link_url(token: str) -> str:
    return reverse("applicant_portal:link", args=[token])


class MakingALink(QuickDocumentsTestCase):
    def test_a_link_is_stored_only_as_its_hash_and_expires_after_ninety_days_by_default(self):
        case = two_party_case(self.w)
        made = create_link(actor=self.w.officer, case_id=case.pk, party_id=company_of(case).pk)
        assert len(made.token) >= 43
        stored = PartyLink.objects.get()
        assert stored.token_sha256 == hashlib.sha256(made.token.encode()).hexdigest()
        assert made.token not in json.dumps(list(PartyLink.objects.values()), default=str)
        assert stored.expires_at - stored.created_at == timedelta(days=90)
        entry = Entry.objects.get(event_type="applicant.link_created")
        assert entry.case_id == case.pk and made.token not in entry.payload

    def test_the_validity_is_configurable(self):
        case = two_party_case(self.w)
        with self.settings(SANXIANG_PARTY_LINK_DAYS=30):
            create_link(actor=self.w.officer, case_id=case.pk, party_id=company_of(case).pk)
        stored = PartyLink.objects.get()
        assert stored.expires_at - stored.created_at == timedelta(days=30)

    def test_a_party_of_another_case_is_refused(self):
        case, other = two_party_case(self.w), two_party_case(self.w)
        refused(
            "validation_error",
            create_link,
            actor=self.w.officer,
            case_id=case.pk,
            party_id=company_of(other).pk,
        )

    def test_an_officer_of_another_agency_and_a_supervisor_cannot_make_one(self):
        case = two_party_case(self.w)
        party = company_of(case).pk
        refused(
            "not_found", create_link, actor=self.w.other_officer, case_id=case.pk, party_id=party
        )
        refused("forbidden", create_link, actor=self.w.supervisor, case_id=case.pk, party_id=party)
        assert not PartyLink.objects.exists()

    def test_staff_make_a_link_from_the_case_page_and_see_it_once(self):
        case = two_party_case(self.w)
        client = signed_in(self.w.officer)
        page = client.get(reverse("cases:detail", args=[case.pk]))
        assert "当事人专用链接" in page.content.decode()
        answer = client.post(
            reverse("applicant:link_create", args=[case.pk]), {"party": company_of(case).pk}
        )
        assert answer.status_code == 201
        assert answer["Cache-Control"] == "no-store"
        assert "/gongshi/jindu/l/" in answer.content.decode()
        again = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
        assert "/gongshi/jindu/l/" not in again and "已使用 0 次" in again

    def test_anonymous_visitors_cannot_make_links(self):
        case = two_party_case(self.w)
        answer = self.client.post(
            reverse("applicant:link_create", args=[case.pk]), {"party": company_of(case).pk}
        )
        assert answer.status_code == 302 and not PartyLink.objects.exists()


class UsingALink(QuickDocumentsTestCase):
    def test_each_use_is_a_ledger_entry_and_counted_on_the_link(self):
        case = two_party_case(self.w)
        token = link_for(self.w, case, company_of(case))
        for _ in range(2):
            assert self.client.get(link_url(token)).status_code == 200
        assert Entry.objects.filter(event_type="applicant.link_used", case_id=case.pk).count() == 2
        assert PartyLink.objects.get().use_count == 2

    def test_the_page_shows_the_party_and_masks_the_other_party(self):
        case = two_party_case(self.w)
        page = self.client.get(link_url(link_for(self.w, case, company_of(case))))
        text = page.content.decode()
        assert "某文化传播有限公司" in text and "王小明" not in text
        assert "调查取证" in text and page["Cache-Control"].startswith("max-age=0")

    def test_a_revoked_link_is_refused_with_410_and_shows_nothing(self):
        case = two_party_case(self.w)
        token = link_for(self.w, case, company_of(case))
        assert self.client.get(link_url(token)).status_code == 200
        revoke_link(actor=self.w.officer, link_id=PartyLink.objects.get().pk)
        answer = self.client.get(link_url(token))
        assert answer.status_code == 410
        text = answer.content.decode()
        assert "已被办案机关撤销" in text and case.number not in text
        assert Entry.objects.filter(event_type="applicant.link_used").count() == 1

    def test_revoking_twice_is_a_conflict(self):
        case = two_party_case(self.w)
        link_for(self.w, case, company_of(case))
        link = PartyLink.objects.get()
        revoke_link(actor=self.w.officer, link_id=link.pk)
        refused("conflict", revoke_link, actor=self.w.officer, link_id=link.pk)

    def test_staff_revoke_from_the_case_page(self):
        case = two_party_case(self.w)
        link_for(self.w, case, company_of(case))
        link = PartyLink.objects.get()
        answer = signed_in(self.w.officer).post(reverse("applicant:link_revoke", args=[link.pk]))
        assert answer.status_code == 302
        assert PartyLink.objects.get().revoked_by == self.w.officer
        assert Entry.objects.filter(event_type="applicant.link_revoked").count() == 1

    def test_an_expired_link_is_refused_with_410(self):
        case = two_party_case(self.w)
        token = link_for(self.w, case, company_of(case), days=1)
        now = timezone.now()
        PartyLink.objects.update(  # a day later: created yesterday, lapsed a minute ago
            created_at=now - timedelta(days=1, minutes=1), expires_at=now - timedelta(minutes=1)
        )
        answer = self.client.get(link_url(token))
        assert answer.status_code == 410 and "过期" in answer.content.decode()

    def test_an_unknown_token_is_a_404_and_guessing_is_rate_limited(self):
        for n in range(5):
            answer = self.client.get(link_url(f"guess-{n:04d}-" + "x" * 32))
            assert answer.status_code == 404
        answer = self.client.get(link_url("guess-9999-" + "x" * 32))
        assert answer.status_code == 429 and "查询过于频繁" in answer.content.decode()

    def test_a_link_is_refused_for_another_case(self):
        case, other = two_party_case(self.w), two_party_case(self.w)
        token = link_for(self.w, case, company_of(case))
        err = refused(
            "forbidden",
            use_link,
            token=token,
            address="1.2.3.4",
            browser="b" * 43,
            what="x",
            case_id=other.pk,
        )
        assert "不能用于此案件" in err.message

    def test_a_document_of_another_case_cannot_be_opened_through_the_link(self):
        case, other = two_party_case(self.w, "case_review"), two_party_case(self.w, "case_review")
        theirs = issue_document(actor=self.w.officer, case_id=other.pk, kind="penalty_notice")
        token = link_for(self.w, case, company_of(case))
        url = reverse("applicant_portal:document", args=[token, theirs.pk])
        answer = self.client.get(url)
        assert answer.status_code == 403 and b"%PDF" not in answer.content

    def test_the_party_opens_a_document_addressed_to_them_and_the_opening_is_logged(self):
        case = two_party_case(self.w, "case_review")
        doc = issue_document(actor=self.w.officer, case_id=case.pk, kind="penalty_notice")
        token = link_for(self.w, case, person_of(case))
        page = self.client.get(link_url(token)).content.decode()
        url = reverse("applicant_portal:document", args=[token, doc.pk])
        assert url in page
        answer = self.client.get(url)
        assert answer.status_code == 200 and answer.content.startswith(b"%PDF")
        uses = [
            json.loads(e.payload) for e in Entry.objects.filter(event_type="applicant.link_used")
        ]
        assert uses[-1]["what"] == "document" and uses[-1]["document_id"] == doc.pk

    def test_an_internal_record_of_the_case_is_not_shown_nor_opened(self):
        case = two_party_case(self.w, "investigation")
        record = issue_document(actor=self.w.officer, case_id=case.pk, kind="inquiry_record")
        token = link_for(self.w, case, person_of(case))
        assert "询问笔录" not in self.client.get(link_url(token)).content.decode()
        url = reverse("applicant_portal:document", args=[token, record.pk])
        assert self.client.get(url).status_code == 404
