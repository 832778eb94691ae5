"""The reviewer reads the 案卷 (issue 10 item 10): the 法制审核人员 assigned to an open round opens
every record of the case without the head's approval, each opening logged in the access log and
the ledger like any other; the grant ends with the round; everyone else meets the usual rules."""

from __future__ import annotations

import json

import pytest

from sanxiang.accounts.models import Role, User
from sanxiang.cases.models import Case
from sanxiang.directory.models import Agency, AgencyLevel
from sanxiang.ledger.models import Entry
from sanxiang.lib.errors import DomainError
from sanxiang.records import queries as record_queries
from sanxiang.records import services as records
from sanxiang.records.models import Access, AccessRequest, Record
from sanxiang.records.tests.helpers import PDF, staff_client, upload
from sanxiang.review import services
from sanxiang.review.models import ReviewRound
from sanxiang.testing import make_user

from .helpers import ReviewTestCase, all_passed, assigned, case_at_defence, submitted


def opened(user, record: Record, reason: str = "") -> Access:
    return records.access_record(actor=user, record_id=record.pk, purpose="view", reason=reason)


def refused(code: str, user, record: Record, reason: str = "审核证据") -> DomainError:
    with pytest.raises(DomainError) as err:
        opened(user, record, reason)
    assert err.value.code == code, err.value.message
    return err.value


def other_agency_reviewer(world) -> User:
    """A 法制审核人员 of the other bureau's own legal unit."""
    legal = Agency.objects.create(
        name="测试区市场监督管理局法制科",
        level=AgencyLevel.UNIT,
        parent=world.other_agency,
        is_legal_unit=True,
    )
    return make_user("other_reviewer", Role.REVIEWER, legal, certificate="T0010", reviewer=True)


class AssignedReviewerOpensRecordsTest(ReviewTestCase):
    case: Case
    record: Record
    secret: Record
    reviewer2: User
    other_reviewer: User

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.reviewer2 = make_user(
            "reviewer2", Role.REVIEWER, cls.w.legal_unit, certificate="T0005", reviewer=True
        )
        cls.other_reviewer = other_agency_reviewer(cls.w)
        cls.case = case_at_defence(cls.w)
        cls.record = upload(cls.w.officer, cls.case, PDF, title="现场检查笔录")
        cls.secret = upload(
            cls.w.officer, cls.case, PDF, label="trade_secret", title="某公司进货价格清单"
        )

    def test_the_assigned_reviewer_opens_a_record_and_the_ledger_names_the_round(self) -> None:
        round_ = assigned(self.w, self.case)
        access = opened(self.w.reviewer, self.record)
        assert access.actor_id == self.w.reviewer.pk
        entry = Entry.objects.get(pk=access.ledger_entry_id)
        payload = json.loads(entry.payload)
        assert entry.event_type == "record.accessed" and entry.case_id == self.case.pk
        assert (payload["grant"], payload["grant_ref"]) == ("legal_review", round_.pk)
        assert payload["sha256"] == self.record.sha256
        assert not AccessRequest.objects.exists()  # no approval asked, none needed

    def test_a_trade_secret_is_shown_to_the_assigned_reviewer_but_needs_a_reason(self) -> None:
        assigned(self.w, self.case)
        [shown] = record_queries.redact_for(self.w.reviewer, [self.secret])
        assert shown.shown_title == "某公司进货价格清单"  # type: ignore[attr-defined]
        error = refused("validation_error", self.w.reviewer, self.secret, reason="")
        assert "商业秘密" in error.message
        access = opened(self.w.reviewer, self.secret, "核对违法所得的计算依据")
        assert access.reason == "核对违法所得的计算依据"

    def test_a_reviewer_not_assigned_needs_the_heads_approval_and_sees_no_secret(self) -> None:
        assigned(self.w, self.case)
        error = refused("forbidden", self.reviewer2, self.record)
        assert "负责人批准" in error.message
        [hidden] = record_queries.redact_for(self.reviewer2, [self.secret])
        assert "进货价格" not in hidden.shown_title  # type: ignore[attr-defined]
        assert not Access.objects.exists()

    def test_a_round_waiting_for_assignment_grants_nothing(self) -> None:
        submitted(self.w, self.case)
        refused("forbidden", self.w.reviewer, self.record)

    def test_the_grant_ends_when_the_round_ends(self) -> None:
        round_ = assigned(self.w, self.case)
        opened(self.w.reviewer, self.record)
        services.review(
            actor=self.w.reviewer,
            round_id=round_.pk,
            marks=all_passed(),
            agree=True,
            opinion_text="事实清楚，证据充分。",
        )
        refused("forbidden", self.w.reviewer, self.record)
        [hidden] = record_queries.redact_for(self.w.reviewer, [self.secret])
        assert hidden.redacted  # type: ignore[attr-defined]
        assert Access.objects.count() == 1

    def test_reassigning_moves_the_grant_to_the_new_reviewer(self) -> None:
        round_ = assigned(self.w, self.case)
        services.assign(
            actor=self.w.head,
            round_id=round_.pk,
            reviewer_id=self.reviewer2.officer.pk,
            reason="原审核人员回避",
        )
        refused("forbidden", self.w.reviewer, self.record)
        assert opened(self.reviewer2, self.record).actor_id == self.reviewer2.pk

    def test_a_reviewer_of_another_agency_does_not_even_find_the_record(self) -> None:
        assigned(self.w, self.case)
        refused("not_found", self.other_reviewer, self.record)

    def test_a_round_of_another_case_grants_nothing_here(self) -> None:
        other_case = case_at_defence(self.w)
        assigned(self.w, other_case)
        refused("forbidden", self.w.reviewer, self.record)

    def test_raw_sql_round_state_is_what_counts_not_a_cached_flag(self) -> None:
        round_ = assigned(self.w, self.case)
        # The round closed by any path (here a direct update) ends the grant at the next opening.
        ReviewRound.objects.filter(pk=round_.pk).update(status="submitted", reviewer=None)
        refused("forbidden", self.w.reviewer, self.record)


class ReviewerPagesAndApiTest(ReviewTestCase):
    case: Case
    record: Record
    secret: Record
    reviewer2: User
    other_reviewer: User

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.reviewer2 = make_user(
            "reviewer2", Role.REVIEWER, cls.w.legal_unit, certificate="T0005", reviewer=True
        )
        cls.other_reviewer = other_agency_reviewer(cls.w)
        cls.case = case_at_defence(cls.w)
        cls.record = upload(cls.w.officer, cls.case, PDF, title="现场检查笔录")
        cls.secret = upload(
            cls.w.officer, cls.case, PDF, label="personal_privacy", title="当事人病历"
        )

    def test_the_record_page_opens_for_the_assigned_reviewer_and_logs_it(self) -> None:
        round_ = assigned(self.w, self.case)
        body = staff_client(self.w.reviewer).get(f"/records/{self.record.pk}/").content.decode()
        assert "本次查看已记入全过程记录账本" in body
        assert f"依第{round_.number}轮法制审核调阅" in body
        access = Access.objects.get()
        assert (access.actor_id, access.via) == (self.w.reviewer.pk, "web")

    def test_the_record_page_asks_others_to_apply_and_logs_nothing(self) -> None:
        assigned(self.w, self.case)
        body = staff_client(self.reviewer2).get(f"/records/{self.record.pk}/").content.decode()
        assert "申请调阅" in body and "本次查看已记入" not in body
        assert not Access.objects.exists()

    def test_the_record_page_after_the_round_closed_and_for_another_agency(self) -> None:
        round_ = assigned(self.w, self.case)
        services.review(
            actor=self.w.reviewer,
            round_id=round_.pk,
            marks=all_passed(),
            agree=True,
            opinion_text="事实清楚，证据充分。",
        )
        closed = staff_client(self.w.reviewer).get(f"/records/{self.record.pk}/")
        body = closed.content.decode()
        assert closed.status_code == 200 and "申请调阅" in body and "依第" not in body
        other = staff_client(self.other_reviewer).get(f"/records/{self.record.pk}/")
        assert other.status_code == 404
        assert not Access.objects.exists()

    def test_the_api_serves_the_assigned_reviewer_and_refuses_after_the_round(self) -> None:
        round_ = assigned(self.w, self.case)
        client = staff_client(self.w.reviewer)
        record = upload(self.w.officer, self.case, PDF)  # its bytes in this test's media
        url = f"/api/v1/records/{record.pk}/content"
        response = client.get(url, {"purpose": "view"})
        assert response.status_code == 200
        assert response.getvalue() == PDF
        entry = Entry.objects.get(event_type="record.accessed")
        assert json.loads(entry.payload)["via"] == "api"
        services.review(
            actor=self.w.reviewer,
            round_id=round_.pk,
            marks=all_passed(),
            agree=True,
            opinion_text="事实清楚，证据充分。",
        )
        closed = client.get(url, {"purpose": "view"})
        assert closed.status_code == 403
        assert closed.json()["error"]["code"] == "forbidden"

    def test_the_api_refuses_a_reviewer_not_assigned_and_another_agency(self) -> None:
        assigned(self.w, self.case)
        url = f"/api/v1/records/{self.record.pk}/content"
        assert staff_client(self.reviewer2).get(url).status_code == 403
        assert staff_client(self.other_reviewer).get(url).status_code == 404
        listed = staff_client(self.reviewer2).get("/api/v1/records", {"case_id": self.case.pk})
        titles = [r["title"] for r in listed.json()]
        assert "现场检查笔录" in titles and "当事人病历" not in titles
        mine = staff_client(self.w.reviewer).get("/api/v1/records", {"case_id": self.case.pk})
        assert "当事人病历" in [r["title"] for r in mine.json()]
        assert not Access.objects.exists()

    def test_the_review_page_lists_evidence_and_documents_beside_the_checklist(self) -> None:
        round_ = assigned(self.w, self.case)
        page = staff_client(self.w.reviewer).get(f"/review/rounds/{round_.pk}/").content.decode()
        assert 'data-testid="review-case-file"' in page and "审核要点" in page
        assert f'href="/records/{self.record.pk}/"' in page
        assert self.record.sha256[:10] in page and "书证" in page and "当事人病历" in page
        assert self.record.stage_label in page
        documents = list(self.case.documents.all())
        assert documents, "the steps to 陈述申辩 issue documents"
        for doc in documents:
            assert f"/documents/{doc.pk}/download/pdf/" in page
        assert not Access.objects.exists()  # listing is not opening

    def test_the_review_page_hides_a_private_title_from_a_reviewer_not_assigned(self) -> None:
        round_ = assigned(self.w, self.case)
        page = staff_client(self.reviewer2).get(f"/review/rounds/{round_.pk}/").content.decode()
        assert "当事人病历" not in page and "现场检查笔录" in page
        assert "依第" not in page

    def test_a_document_opened_from_the_review_page_is_logged(self) -> None:
        case = case_at_defence(self.w)  # its files in this test's own media directory
        assigned(self.w, case)
        doc = case.documents.first()
        assert doc is not None
        response = staff_client(self.w.reviewer).get(f"/documents/{doc.pk}/download/pdf/")
        assert response.status_code == 200 and response.content.startswith(b"%PDF")
        entry = Entry.objects.get(event_type="document.downloaded")
        assert entry.actor_id == self.w.reviewer.pk and entry.case_id == case.pk
