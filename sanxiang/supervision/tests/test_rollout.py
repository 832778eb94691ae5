"""落实台账 and 自查: computed from the data, the device register, the drafted 总结报告."""

from __future__ import annotations

from django.utils import timezone

from sanxiang.cases.testing import make_matter
from sanxiang.ledger.models import Entry
from sanxiang.lib.errors import DomainError
from sanxiang.supervision import rollout
from sanxiang.supervision.models import DeviceStatus
from sanxiang.testing import WorldTestCase, signed_in


class RolloutTest(WorldTestCase):
    def test_the_ledger_shows_what_exists_and_what_is_missing(self) -> None:
        make_matter(self.w.agency, "penalty")
        lines = {line.item: line for line in rollout.rollout_ledger(self.w.agency)}
        assert lines["行政执法事项清单"].count == 1 and lines["行政执法事项清单"].since
        assert lines["执法流程图"].note == "行政处罚普通程序、行政处罚简易程序"
        assert not lines["音像记录事项清单"].done
        report = rollout.draft_report(self.w.agency, today=timezone.localdate())
        assert "尚未建立" in report and "音像记录事项清单" in report

    def test_devices_are_registered_by_the_agency_with_a_ledger_entry(self) -> None:
        device = rollout.register_device(
            actor=self.w.admin, kind="bodycam", serial="JL-001", holder_id=self.w.officer.officer.pk
        )
        rollout.set_device_status(actor=self.w.head, device_id=device.pk, status="repair")
        figures = rollout.self_check(self.w.agency, today=timezone.localdate())
        assert figures["devices"] == {DeviceStatus.REPAIR: 1}
        assert figures["people"]["reviewers"] == 1
        assert Entry.objects.filter(event_type__startswith="supervision.device").count() == 2
        with self.assertRaises(DomainError):
            rollout.register_device(actor=self.w.admin, kind="bodycam", serial="JL-001")
        with self.assertRaises(DomainError):
            rollout.register_device(actor=self.w.officer, kind="bodycam", serial="JL-002")
        with self.assertRaises(DomainError):
            rollout.register_device(
                actor=self.w.admin,
                kind="bodycam",
                serial="JL-003",
                holder_id=self.w.other_officer.officer.pk,
            )

    def test_the_supervisor_reads_a_supervised_agency_and_no_other(self) -> None:
        client = signed_in(self.w.supervisor)
        page = client.get(f"/supervision/rollout/?agency={self.w.agency.pk}")
        assert page.status_code == 200 and "落实台账" in page.content.decode()
        assert (
            client.get(f"/supervision/rollout/?agency={self.w.other_agency.pk}").status_code == 403
        )
