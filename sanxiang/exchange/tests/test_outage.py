"""A real receiver process goes down for an hour (on a controllable clock) and comes back: it
loses nothing and gets everything in order."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from sanxiang.exchange import outbox
from sanxiang.exchange.models import MessageStatus, OutboxMessage
from sanxiang.exchange.testing import Receiver, free_port
from sanxiang.testing import WorldTestCase


class AReceiverDownForAnHour(WorldTestCase):
    def _event(self, n: int) -> None:
        with self.captureOnCommitCallbacks(), transaction.atomic():
            outbox.record(event_type="decision.made", agency_id=self.w.agency.pk, data={"n": n})

    def test_loses_nothing_and_gets_everything_in_order_afterwards(self):
        port = free_port()
        made = outbox.create_endpoint(
            actor=self.w.admin,
            data=outbox.EndpointData(
                name="省级平台",
                system="provincial",
                url=f"http://127.0.0.1:{port}/sanxiang/push",
                event_types=["decision.made"],
                agency_ids=[],
            ),
        )
        receiver = Receiver(port=port, secret=made.secret, out=self.tmp / "received.jsonl")
        receiver.start()
        try:
            for n in range(3):
                self._event(n)
            run = outbox.deliver(endpoint_id=made.endpoint.pk)
            assert run.delivered == 3

            receiver.stop()
            for n in range(3, 13):
                self._event(n)
            clock = timezone.now()
            end = clock + timedelta(hours=1)
            attempts = 0
            while clock < end:
                run = outbox.deliver(endpoint_id=made.endpoint.pk, now=clock)
                assert run.delivered == 0 and run.dead == 0
                attempts += run.failed
                clock = run.retry_at or clock + timedelta(seconds=30)
            assert attempts >= 8  # it kept trying, backing off to the 10-minute cap
            assert OutboxMessage.objects.filter(status=MessageStatus.PENDING).count() == 10
            assert OutboxMessage.objects.filter(attempts__gt=0, status="pending").count() == 1

            receiver.start()
            for n in range(13, 15):
                self._event(n)
            run = outbox.deliver(endpoint_id=made.endpoint.pk, now=clock)
            assert run.delivered == 12 and run.failed == 0
        finally:
            receiver.stop()
        got = [body["data"]["n"] for body in receiver.received()]
        assert got == list(range(15))  # nothing lost, nothing twice, in order
        ids = [body["id"] for body in receiver.received()]
        assert ids == sorted(ids)
        assert not OutboxMessage.objects.exclude(status=MessageStatus.DELIVERED).exists()

    def test_a_receiver_answering_500_or_hanging_is_retried_not_lost(self):
        port = free_port()
        made = outbox.create_endpoint(
            actor=self.w.admin,
            data=outbox.EndpointData(
                name="信用平台",
                system="credit",
                # The receiver checks signatures: a wrong secret makes it answer 401, which
                # the outbox treats as a rejection; a path it does not know is still signed.
                url=f"http://127.0.0.1:{port}/push?channel=credit",
                event_types=["decision.made"],
                agency_ids=[],
            ),
        )
        receiver = Receiver(port=port, secret="wrong-secret", out=self.tmp / "r.jsonl")
        receiver.start()
        try:
            self._event(1)
            run = outbox.deliver(endpoint_id=made.endpoint.pk)
            assert run.dead == 1  # 401 from the receiver: not retried forever, recorded
            assert OutboxMessage.objects.get().last_status == 401
        finally:
            receiver.stop()
        receiver = Receiver(port=port, secret=made.secret, out=self.tmp / "r.jsonl")
        receiver.start()
        try:
            outbox.retry_dead(actor=self.w.admin, message_id=OutboxMessage.objects.get().pk)
            assert outbox.deliver(endpoint_id=made.endpoint.pk).delivered == 1
        finally:
            receiver.stop()
        assert [b["data"]["n"] for b in receiver.received()] == [1]

    def setUp(self):
        import tempfile
        from pathlib import Path

        self._dir = tempfile.TemporaryDirectory()
        self.tmp = Path(self._dir.name)

    def tearDown(self):
        self._dir.cleanup()
