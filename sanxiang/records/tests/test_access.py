import pytest

from sanxiang.cases.models import Case
from sanxiang.cases.testing import open_test_case
from sanxiang.ledger.models import Entry
from sanxiang.lib.errors import DomainError
from sanxiang.records import services
from sanxiang.records.models import Access, AccessRequest, Record
from sanxiang.testing import WorldTestCase

from .helpers import PDF, upload


def refused(code: str, fn, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as err:
        fn(**kwargs)
    assert err.value.code == code, err.value.message
    return err.value


class AccessTests(WorldTestCase):
    case: Case

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.case = open_test_case(cls.w)

    def add(self, label: str = "internal") -> Record:
        return upload(self.w.officer, self.case, PDF, label=label)

    def view_refused(self, code: str, user, record: Record, reason: str = "") -> DomainError:
        return refused(
            code,
            services.access_record,
            actor=user,
            record_id=record.pk,
            purpose="view",
            reason=reason,
        )

    def ask_refused(self, code: str, user, record: Record, reason: str) -> DomainError:
        return refused(
            code, services.request_access, actor=user, record_id=record.pk, reason=reason
        )

    def test_a_team_member_views_and_the_view_is_a_ledger_entry(self):
        record = self.add()
        access = services.access_record(actor=self.w.officer2, record_id=record.pk, purpose="view")
        entry = Entry.objects.get(pk=access.ledger_entry_id)
        assert entry.event_type == "record.accessed"
        assert entry.actor_id == self.w.officer2.pk
        assert entry.case_id == self.case.pk
        assert f'"record":{record.pk}' in entry.payload

    def test_a_trade_secret_needs_a_stated_reason(self):
        record = self.add("trade_secret")
        error = self.view_refused("validation_error", self.w.officer, record)
        assert "商业秘密" in error.message
        access = services.access_record(
            actor=self.w.officer, record_id=record.pk, purpose="view", reason="核对金额"
        )
        assert access.reason == "核对金额"

    def test_the_recording_officer_can_view_but_there_is_nothing_to_edit_with(self):
        record = self.add()
        services.access_record(actor=self.w.officer, record_id=record.pk, purpose="view")
        assert not hasattr(services, "update_record")

    def test_someone_outside_the_team_needs_the_heads_approval_first(self):
        record = self.add()
        self.view_refused("forbidden", self.w.admin, record, reason="检查")
        request = services.request_access(
            actor=self.w.admin, record_id=record.pk, reason="案卷评查"
        )
        services.decide_access(actor=self.w.head, request_id=request.pk, approve=True)
        access = services.access_record(
            actor=self.w.admin, record_id=record.pk, purpose="download", reason="案卷评查"
        )
        assert access.purpose == "download"
        kinds = list(
            Entry.objects.filter(case_id=self.case.pk, event_type__startswith="record.access")
            .values_list("event_type", flat=True)
            .order_by("id")
        )
        assert kinds == ["record.access_requested", "record.access_decided", "record.accessed"]

    def test_a_supervisor_of_the_justice_bureau_also_asks_first(self):
        record = self.add()
        self.view_refused("forbidden", self.w.supervisor, record)
        request = services.request_access(
            actor=self.w.supervisor, record_id=record.pk, reason="执法监督检查"
        )
        assert request.status == AccessRequest.Status.PENDING

    def test_a_denied_request_grants_nothing(self):
        record = self.add()
        request = services.request_access(actor=self.w.admin, record_id=record.pk, reason="查看")
        services.decide_access(
            actor=self.w.head, request_id=request.pk, approve=False, note="无必要"
        )
        self.view_refused("forbidden", self.w.admin, record)

    def test_a_request_is_decided_once(self):
        record = self.add()
        request = services.request_access(actor=self.w.admin, record_id=record.pk, reason="查看")
        services.decide_access(actor=self.w.head, request_id=request.pk, approve=True)
        refused(
            "conflict",
            services.decide_access,
            actor=self.w.head,
            request_id=request.pk,
            approve=False,
        )

    def test_only_the_head_decides_requests(self):
        record = self.add()
        request = services.request_access(actor=self.w.admin, record_id=record.pk, reason="查看")
        refused(
            "forbidden",
            services.decide_access,
            actor=self.w.officer,
            request_id=request.pk,
            approve=True,
        )

    def test_a_team_member_need_not_ask(self):
        record = self.add()
        self.ask_refused("conflict", self.w.officer2, record, "查看")

    def test_a_request_without_a_reason_is_refused(self):
        record = self.add()
        self.ask_refused("validation_error", self.w.admin, record, " ")

    def test_another_agency_cannot_even_see_the_record(self):
        record = self.add()
        self.view_refused("not_found", self.w.other_officer, record)
        self.ask_refused("not_found", self.w.other_officer, record, "看看")

    def test_the_head_retrieves_directly(self):
        record = self.add("personal_privacy")
        services.access_record(
            actor=self.w.head, record_id=record.pk, purpose="view", reason="审批"
        )
        assert Access.objects.filter(record=record, actor=self.w.head).count() == 1
