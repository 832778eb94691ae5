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

    def test_a_supervisor_of_the_justice_bureau_opens_by_role_with_a_stated_purpose(self):
        # Issue 14 item 2: supervision must not depend on the supervised agency's head.
        record = self.add("trade_secret")
        self.view_refused("validation_error", self.w.supervisor, record)
        access = services.access_record(
            actor=self.w.supervisor, record_id=record.pk, purpose="view", reason="执法监督检查"
        )
        entry = Entry.objects.get(pk=access.ledger_entry_id)
        assert access.reason == "执法监督检查"
        assert '"supervision":true' in entry.payload and entry.actor_id == self.w.supervisor.pk
        self.ask_refused("conflict", self.w.supervisor, record, reason="执法监督检查")
        assert not AccessRequest.objects.exists()

    def test_an_internal_record_also_needs_the_supervisors_purpose(self):
        record = self.add()
        error = self.view_refused("validation_error", self.w.supervisor, record)
        assert "监督目的" in error.message

    def test_a_supervisor_of_another_district_does_not_see_the_record(self):
        from sanxiang.accounts.models import Role
        from sanxiang.directory.models import Agency
        from sanxiang.testing import make_user

        other_justice = Agency.objects.create(name="乙区司法局", level="justice")
        stranger = make_user("sup-b", Role.SUPERVISOR, other_justice)
        self.view_refused("not_found", stranger, self.add(), reason="执法监督检查")

    def test_the_head_approval_path_still_holds_for_everyone_else(self):
        record = self.add()
        self.view_refused("not_found", self.w.other_officer, record, reason="看看")
        self.view_refused("forbidden", self.w.reviewer, record, reason="审核")

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
