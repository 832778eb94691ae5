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

    def test_a_training_is_recorded_with_its_attendees_and_counted_in_the_self_check(self) -> None:
        from datetime import timedelta

        today = timezone.localdate()
        attendees = [self.w.officer.officer.pk, self.w.officer2.officer.pk]
        rollout.record_training(
            actor=self.w.head,
            title="行政执法三项制度专题培训",
            held_on=today - timedelta(days=1),
            hours="3.5",
            attendee_ids=attendees,
        )
        lines = {line.item: line for line in rollout.rollout_ledger(self.w.agency)}
        assert lines["执法培训记录"].count == 1
        figures = rollout.self_check(self.w.agency, today=today)
        assert figures["training"]["people"] == 2 and str(figures["training"]["hours"]) == "3.5"
        assert "培训1次" in rollout.draft_report(self.w.agency, today=today)
        entry = Entry.objects.get(event_type="supervision.training_recorded")
        assert str(sorted(attendees)[0]) in entry.payload
        page = signed_in(self.w.supervisor).get(f"/supervision/rollout/?agency={self.w.agency.pk}")
        assert "行政执法三项制度专题培训" in page.content.decode()

    def test_bad_trainings_are_refused_with_nothing_written(self) -> None:
        from datetime import timedelta

        from sanxiang.supervision.models import Training

        today = timezone.localdate()
        mine = [self.w.officer.officer.pk]
        for kwargs in (
            {"title": "", "held_on": today, "hours": "2", "attendee_ids": mine},
            {
                "title": "未来",
                "held_on": today + timedelta(days=3),
                "hours": "2",
                "attendee_ids": mine,
            },
            {"title": "学时", "held_on": today, "hours": "0", "attendee_ids": mine},
            {"title": "学时", "held_on": today, "hours": "两小时", "attendee_ids": mine},
            {"title": "无人", "held_on": today, "hours": "2", "attendee_ids": []},
            {
                "title": "他局",
                "held_on": today,
                "hours": "2",
                "attendee_ids": [self.w.other_officer.officer.pk],
            },
        ):
            with self.assertRaises(DomainError) as caught:
                rollout.record_training(actor=self.w.head, **kwargs)  # type: ignore[arg-type]
            assert caught.exception.code == "validation_error", kwargs
        for actor in (self.w.officer, self.w.supervisor):
            with self.assertRaises(DomainError) as caught:
                rollout.record_training(
                    actor=actor, title="越权", held_on=today, hours="1", attendee_ids=mine
                )
            assert caught.exception.code == "forbidden"
        assert not Training.objects.exists()

    def test_the_page_records_a_training_and_changes_a_device_status(self) -> None:
        client = signed_in(self.w.head)
        today = timezone.localdate().isoformat()
        response = client.post(
            "/supervision/rollout/",
            {
                "action": "training",
                "title": "音像记录设备使用培训",
                "held_on": today,
                "hours": "2",
                "attendees": [str(self.w.officer.officer.pk)],
            },
        )
        assert response.status_code == 302
        device = rollout.register_device(actor=self.w.admin, kind="bodycam", serial="JL-9")
        client.post(
            "/supervision/rollout/",
            {"action": "device_status", "device": str(device.pk), "status": "retired"},
        )
        device.refresh_from_db()
        assert device.status == DeviceStatus.RETIRED
        page = client.get("/supervision/rollout/").content.decode()
        assert "音像记录设备使用培训" in page and "报废" in page
        bad = client.post("/supervision/rollout/", {"action": "training", "held_on": "昨天"})
        assert bad.status_code == 422
