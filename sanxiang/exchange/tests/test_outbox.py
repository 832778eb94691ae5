"""The outbox: written with the event, pushed in order, retried, dead-lettered, never lost."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from sanxiang.disclosure import services as disclosure
from sanxiang.disclosure.tests.helpers import FULL_WIDTH_ID, ID_NUMBER, decided_case, published
from sanxiang.exchange import outbox
from sanxiang.exchange.models import EventType, MessageStatus, OutboxMessage
from sanxiang.exchange.tasks import deliver_endpoint
from sanxiang.exchange.testing import free_port
from sanxiang.ledger.models import Entry
from sanxiang.lib.errors import DomainError
from sanxiang.procedures import engine
from sanxiang.testing import WorldTestCase, signed_in

ALL_EVENTS = list(EventType.values)


def endpoint(world, url="http://127.0.0.1:9/push", events=None, agencies=None):
    return outbox.create_endpoint(
        actor=world.admin,
        data=outbox.EndpointData(
            name="省级平台",
            system="provincial",
            url=url,
            event_types=events or ALL_EVENTS,
            agency_ids=agencies or [],
        ),
    )


class Answers:
    """A scripted receiver (in-process) that records what it was sent."""

    def __init__(self, *statuses):
        self.statuses = list(statuses)
        self.bodies = []

    def __call__(self, url, body, headers):
        status = self.statuses.pop(0) if self.statuses else 200
        if status is None:
            return outbox.Reply(status=None, error="ConnectionRefusedError")
        if 200 <= status < 300:
            self.bodies.append(body)
        return outbox.Reply(status=status, error="" if status < 300 else f"HTTP {status}")


class RecordingEvents(WorldTestCase):
    def test_a_decision_made_queues_a_message_for_each_endpoint_that_takes_it(self):
        a = endpoint(self.w).endpoint
        b = endpoint(self.w, events=[EventType.DECISION_PUBLISHED]).endpoint
        case = decided_case(self.w)
        made = OutboxMessage.objects.get(endpoint=a)
        assert made.event_type == "decision.made"
        assert made.payload["case_id"] == case.pk
        assert made.payload["agency"]["credit_code"] == self.w.agency.credit_code
        assert not OutboxMessage.objects.filter(endpoint=b).exists()

    def test_an_endpoint_for_other_agencies_gets_nothing_of_this_one(self):
        endpoint(self.w, agencies=[self.w.other_agency.pk])
        decided_case(self.w)
        assert not OutboxMessage.objects.exists()

    def test_a_decision_rolled_back_leaves_no_message(self):
        endpoint(self.w)

        def fails_after(context):
            if context.target == "decision":
                raise DomainError("conflict", "模拟决定事务失败")

        engine.register_after_transition(fails_after)
        try:
            with pytest.raises(DomainError):
                decided_case(self.w)
        finally:
            engine.unregister(fails_after)
        assert not OutboxMessage.objects.exists()

    def test_publishing_and_withdrawing_push_the_credit_fields(self):
        endpoint(self.w, events=[EventType.DECISION_PUBLISHED, EventType.DECISION_WITHDRAWN])
        item = published(self.w)
        disclosure.withdraw(
            actor=self.w.officer, publication_id=item.pk, reason_kind="revoked", reason="复议撤销"
        )
        events = list(OutboxMessage.objects.values_list("event_type", flat=True))
        assert events == ["decision.published", "decision.withdrawn"]
        credit = OutboxMessage.objects.get(event_type="decision.published").payload["credit"]
        assert credit["doc_number"] == item.doc_number
        assert credit["party_category"] == "自然人" and credit["party_credit_code"] == ""
        assert credit["fine_10k"] == "0.5" and credit["penalty_types"] == "罚款"
        assert credit["basis"] == "《宗教事务条例》第七十一条"
        assert ID_NUMBER not in credit["facts"] and FULL_WIDTH_ID not in credit["facts"]
        assert "张三" not in json.dumps(credit, ensure_ascii=False)

    def test_the_push_starts_after_commit_in_the_task_worker(self):
        ep = endpoint(self.w).endpoint
        with self.captureOnCommitCallbacks(execute=True):
            decided_case(self.w)
        task = DBTaskResult.objects.filter(task_path=deliver_endpoint.module_path).latest("pk")
        assert task.args_kwargs["args"] == [ep.pk]


class Delivering(WorldTestCase):
    def setUp(self):
        self.ep = endpoint(self.w).endpoint
        self.t0 = timezone.now()

    def _queue(self, n):
        for i in range(n):
            with self.captureOnCommitCallbacks(), transaction.atomic():
                outbox.record(event_type="decision.made", agency_id=self.w.agency.pk, data={"n": i})
        self.t0 = timezone.now()

    def test_messages_go_out_in_order_with_a_signature(self):
        self._queue(3)
        answers = Answers()
        run = outbox.deliver(endpoint_id=self.ep.pk, now=self.t0, post=answers)
        assert run.delivered == 3

        assert [json.loads(b)["data"]["n"] for b in answers.bodies] == [0, 1, 2]
        assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"delivered"}

    def test_a_failure_holds_back_the_queue_and_retries_with_growing_waits(self):
        self._queue(2)
        answers = Answers(503, None, 500, 200, 200)
        waits = []
        clock = self.t0
        for _ in range(3):
            run = outbox.deliver(endpoint_id=self.ep.pk, now=clock, post=answers)
            assert run.delivered == 0 and run.failed == 1
            assert run.retry_at is not None
            waits.append(run.retry_at - clock)
            # Not yet due: nothing is tried, the second message is not sent past the first.
            early = outbox.deliver(endpoint_id=self.ep.pk, now=clock + waits[-1] / 2, post=answers)
            assert early.failed == 0 and early.delivered == 0
            clock = run.retry_at
        assert waits == [timedelta(seconds=10), timedelta(seconds=20), timedelta(seconds=40)]
        run = outbox.deliver(endpoint_id=self.ep.pk, now=clock, post=answers)
        assert run.delivered == 2
        first = OutboxMessage.objects.order_by("pk")[0]
        assert first.attempts == 4 and first.last_status == 200

    def test_a_rejection_as_malformed_goes_to_the_dead_letters_and_the_rest_flows(self):
        self._queue(2)
        run = outbox.deliver(endpoint_id=self.ep.pk, now=self.t0, post=Answers(400, 200))
        assert (run.dead, run.delivered) == (1, 1)
        dead = OutboxMessage.objects.get(status=MessageStatus.DEAD)
        assert dead.last_status == 400 and dead.last_error == "HTTP 400"

    @override_settings(SANXIANG_OUTBOX_MAX_ATTEMPTS=3)
    def test_a_message_failing_past_the_limit_is_dead_and_can_be_put_back(self):
        self._queue(1)
        clock = self.t0
        for _ in range(3):
            run = outbox.deliver(endpoint_id=self.ep.pk, now=clock, post=Answers(500))
            clock = run.retry_at or clock
        message = OutboxMessage.objects.get()
        assert message.status == MessageStatus.DEAD and message.attempts == 3
        with pytest.raises(DomainError):
            outbox.retry_dead(actor=self.w.officer, message_id=message.pk)
        outbox.retry_dead(actor=self.w.admin, message_id=message.pk)
        run = outbox.deliver(endpoint_id=self.ep.pk, post=Answers(200))
        assert run.delivered == 1

    def test_two_deliverers_of_one_endpoint_never_run_at_once(self):
        self._queue(1)
        assert outbox._claim(self.ep.pk, self.t0)
        run = outbox.deliver(endpoint_id=self.ep.pk, now=self.t0, post=Answers())
        assert run.busy and run.delivered == 0

    def test_the_task_queues_its_next_run_at_the_retry_time(self):
        # The endpoint's port has no listener: a real refused connection.
        OutboxMessage.objects.all().delete()
        self.ep.url = f"http://127.0.0.1:{free_port()}/push"
        self.ep.save(update_fields=["url"])
        self._queue(1)
        deliver_endpoint.call(self.ep.pk)
        message = OutboxMessage.objects.get()
        assert message.attempts == 1 and "Connection refused" in message.last_error
        waiting = DBTaskResult.objects.filter(
            task_path=deliver_endpoint.module_path, status="READY"
        )
        assert waiting.latest("pk").run_after == message.next_attempt_at

    def test_an_outage_keeps_one_delivery_chain_however_many_events_and_sweeps(self):
        # A receiver that is down (no listener) while events keep coming and the sweep runs:
        # only the run whose attempt failed queues the next attempt, so the queue holds one
        # waiting delivery for the endpoint, not one more per event and per sweep.
        from sanxiang.exchange.tasks import sweep_outbox

        OutboxMessage.objects.all().delete()
        self.ep.url = f"http://127.0.0.1:{free_port()}/push"
        self.ep.save(update_fields=["url"])
        waiting = DBTaskResult.objects.filter(
            task_path=deliver_endpoint.module_path, status="READY", args_kwargs__args=[self.ep.pk]
        )
        self._queue(1)
        deliver_endpoint.call(self.ep.pk)  # fails: the next attempt is queued at its time
        assert waiting.count() == 1
        for n in range(3):
            with self.captureOnCommitCallbacks(execute=True), transaction.atomic():
                outbox.record(event_type="decision.made", agency_id=self.w.agency.pk, data={"n": n})
            sweep_outbox.call()
        head = OutboxMessage.objects.order_by("pk").first()
        assert head is not None and head.attempts == 1
        retry = list(waiting.filter(run_after=head.next_attempt_at).values_list("pk", flat=True))
        assert len(retry) == 1
        # Each event kicked a run (the sweep queued none: the head is not due); the worker runs
        # them, and each finds the head still waiting and ends without queueing another.
        kicked = list(waiting.exclude(pk__in=retry))
        assert len(kicked) == 3
        for task in kicked:
            deliver_endpoint.call(self.ep.pk)
            task.delete()  # a finished run is no longer READY
        assert list(waiting.values_list("pk", flat=True)) == retry
        message = OutboxMessage.objects.get(pk=head.pk)
        assert message.attempts == 1  # the waiting head was not tried before its time
        assert waiting.get().run_after == message.next_attempt_at


class SwitchingAnEndpointOff(WorldTestCase):
    def _event(self, n):
        with self.captureOnCommitCallbacks(execute=True), transaction.atomic():
            outbox.record(event_type="decision.made", agency_id=self.w.agency.pk, data={"n": n})

    def _deliveries_queued(self, ep):
        return DBTaskResult.objects.filter(
            task_path=deliver_endpoint.module_path, args_kwargs__args=[ep.pk]
        ).count()

    def test_it_gets_nothing_while_off_and_everything_in_order_once_on_again(self):
        ep = endpoint(self.w).endpoint
        self._event(0)
        assert outbox.deliver(endpoint_id=ep.pk, post=Answers()).delivered == 1
        with self.captureOnCommitCallbacks(execute=True):
            outbox.set_endpoint_active(actor=self.w.admin, endpoint_id=ep.pk, active=False)
        queued_before = self._deliveries_queued(ep)
        for n in range(1, 4):
            self._event(n)
        # Recorded (nothing is lost) but no delivery queued, none attempted, none swept.
        assert OutboxMessage.objects.filter(endpoint=ep, status="pending").count() == 3
        assert self._deliveries_queued(ep) == queued_before
        answers = Answers()
        assert outbox.deliver(endpoint_id=ep.pk, post=answers).delivered == 0
        assert answers.bodies == []
        assert ep.pk not in outbox.due_endpoint_ids(timezone.now() + timedelta(hours=1))

        with self.captureOnCommitCallbacks(execute=True):
            outbox.set_endpoint_active(actor=self.w.admin, endpoint_id=ep.pk, active=True)
        assert self._deliveries_queued(ep) == queued_before + 1  # kicked on commit
        run = outbox.deliver(endpoint_id=ep.pk, post=answers)
        assert run.delivered == 3
        assert [json.loads(b)["data"]["n"] for b in answers.bodies] == [1, 2, 3]
        entries = Entry.objects.filter(event_type="exchange.endpoint_switched").order_by("pk")
        payloads = [json.loads(e.payload) for e in entries]
        assert [(p["active"], p["pending"]) for p in payloads] == [
            (False, 0),
            (True, 3),
        ]

    def test_switching_is_the_admins_and_says_so_when_nothing_changes(self):
        ep = endpoint(self.w).endpoint
        with pytest.raises(DomainError) as caught:
            outbox.set_endpoint_active(actor=self.w.officer, endpoint_id=ep.pk, active=False)
        assert caught.value.code == "forbidden"
        with pytest.raises(DomainError) as caught:
            outbox.set_endpoint_active(actor=self.w.admin, endpoint_id=ep.pk, active=True)
        assert caught.value.code == "conflict"

    def test_the_endpoints_page_switches_it_off_and_on_with_a_ledger_entry(self):
        ep = endpoint(self.w).endpoint
        admin = signed_in(self.w.admin)
        response = admin.post(f"/exchange/endpoints/{ep.pk}/switch/", {"active": "0"})
        assert response.status_code == 302
        ep.refresh_from_db()
        assert not ep.is_active
        page = admin.get("/exchange/endpoints/").content.decode()
        assert "已停用" in page and "启用</button>" in page
        with self.captureOnCommitCallbacks(), transaction.atomic():
            outbox.record(event_type="decision.made", agency_id=self.w.agency.pk, data={})
        held = admin.get("/exchange/messages/?status=pending").content.decode()
        assert "已停用" in held  # why the message waits
        admin.post(f"/exchange/endpoints/{ep.pk}/switch/", {"active": "1"})
        ep.refresh_from_db()
        assert ep.is_active
        assert Entry.objects.filter(event_type="exchange.endpoint_switched").count() == 2
        officer = signed_in(self.w.officer)
        refused = officer.post(f"/exchange/endpoints/{ep.pk}/switch/", {"active": "0"})
        assert refused.status_code == 403
        assert admin.get(f"/exchange/endpoints/{ep.pk}/switch/").status_code == 405


class PushingTheAnnualReport(WorldTestCase):
    def test_publishing_the_nianbao_pushes_it_in_the_documented_format(self):
        ep = endpoint(self.w, events=[EventType.REPORT_PUBLISHED]).endpoint
        endpoint(self.w, events=[EventType.DECISION_MADE])  # takes no 年报
        published(self.w)
        OutboxMessage.objects.all().delete()  # what the decision itself queued
        year = timezone.localdate().year - 1
        disclosure.save_report_narrative(
            actor=self.w.head, agency_id=self.w.agency.pk, year=year, narrative="全年依法行政。"
        )
        with self.captureOnCommitCallbacks(execute=True):
            report = disclosure.publish_report(
                actor=self.w.head, agency_id=self.w.agency.pk, year=year
            )
        message = OutboxMessage.objects.get()
        assert message.endpoint == ep and message.event_type == "annual_report.published"
        answers = Answers()
        assert outbox.deliver(endpoint_id=ep.pk, post=answers).delivered == 1
        body = json.loads(answers.bodies[0])
        assert set(body) == {"data", "event", "format", "id", "occurred_at"}
        assert (body["format"], body["event"], body["id"]) == (
            "sanxiang.exchange/1",
            "annual_report.published",
            message.pk,
        )
        data = body["data"]
        assert set(data) == {"agency", "year", "published_at", "narrative", "tables", "url"}
        assert data["agency"] == {
            "id": self.w.agency.pk,
            "name": self.w.agency.name,
            "credit_code": self.w.agency.credit_code,
        }
        assert data["year"] == year and data["narrative"] == "全年依法行政。"
        assert data["published_at"] == timezone.localtime(report.published_at).isoformat()
        assert data["url"].endswith(f"/gongshi/nianbao/{self.w.agency.pk}/{year}/")
        from sanxiang.disclosure.report import tables_for

        tables = tables_for(agency_id=self.w.agency.pk, year=year).as_payload()
        assert data["tables"] == json.loads(json.dumps(tables, ensure_ascii=False, default=str))
        for table in data["tables"].values():
            assert set(table) == {"title", "columns", "rows"}

    def test_a_report_that_fails_to_publish_pushes_nothing(self):
        endpoint(self.w, events=[EventType.REPORT_PUBLISHED])
        with pytest.raises(DomainError):  # no narrative yet
            disclosure.publish_report(
                actor=self.w.head, agency_id=self.w.agency.pk, year=timezone.localdate().year - 1
            )
        assert not OutboxMessage.objects.exists()
