"""A real receiver process goes down for an hour (on a controllable clock) and comes back: it
loses nothing and gets everything in order."""

from __future__ import annotations

import time
from datetime import timedelta

from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from sanxiang.exchange import outbox
from sanxiang.exchange.models import Endpoint, MessageStatus, OutboxMessage
from sanxiang.exchange.testing import Receiver, free_port
from sanxiang.testing import WorldTestCase, signed_in


def receiver_kept(path):
    return path.read_text().splitlines() if path.exists() else []


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

    @override_settings(SANXIANG_EXCHANGE_TIMEOUT_SECONDS=0.5)
    def test_a_receiver_that_hangs_times_out_is_retried_later_and_loses_nothing(self):
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
        for n in range(3):
            self._event(n)
        stuck = Receiver(port=port, secret=made.secret, out=self.tmp / "r.jsonl", hang=True)
        stuck.start()
        try:
            clock = timezone.now()
            started = time.monotonic()
            run = outbox.deliver(endpoint_id=made.endpoint.pk, now=clock)
            waited = time.monotonic() - started
        finally:
            stuck.stop()
        # One attempt, cut off by the timeout; the two behind it were not sent past it.
        assert (run.delivered, run.failed, run.dead) == (0, 1, 0)
        assert 0.4 < waited < 5
        first, *rest = OutboxMessage.objects.order_by("pk")
        assert first.status == MessageStatus.PENDING and first.attempts == 1
        assert first.last_status is None
        assert first.last_error == "超时：接收方 0.5 秒内未应答（TimeoutError）"
        assert first.next_attempt_at == clock + timedelta(seconds=10)
        assert [m.attempts for m in rest] == [0, 0]
        assert Endpoint.objects.get(pk=made.endpoint.pk).lease_until is None  # lease released
        page = signed_in(self.w.admin).get("/exchange/messages/").content.decode()
        assert "0.5 秒内未应答" in page

        receiver = Receiver(port=port, secret=made.secret, out=self.tmp / "r.jsonl")
        receiver.start()
        try:
            early = outbox.deliver(endpoint_id=made.endpoint.pk, now=clock + timedelta(seconds=5))
            assert early.delivered == 0  # not before its next attempt
            run = outbox.deliver(endpoint_id=made.endpoint.pk, now=run.retry_at)
        finally:
            receiver.stop()
        assert run.delivered == 3
        assert [b["data"]["n"] for b in receiver.received()] == [0, 1, 2]
        assert not OutboxMessage.objects.exclude(status=MessageStatus.DELIVERED).exists()

    def test_a_receiver_answering_500_is_recorded_retried_and_loses_nothing(self):
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
        for n in range(2):
            self._event(n)
        broken = Receiver(port=port, secret=made.secret, out=self.tmp / "r.jsonl", fail=500)
        broken.start()
        try:
            clock = timezone.now()
            first = outbox.deliver(endpoint_id=made.endpoint.pk, now=clock)
            second = outbox.deliver(endpoint_id=made.endpoint.pk, now=first.retry_at)
        finally:
            broken.stop()
        # A 5xx is not the message's fault: retried with a growing wait, never dead-lettered,
        # and the message behind it waits its turn.
        assert (first.failed, first.dead, second.failed, second.dead) == (1, 0, 1, 0)
        assert first.retry_at == clock + timedelta(seconds=10)
        assert second.retry_at == first.retry_at + timedelta(seconds=20)
        head, behind = OutboxMessage.objects.order_by("pk")
        assert (head.status, head.attempts, head.last_status, head.last_error) == (
            MessageStatus.PENDING,
            2,
            500,
            "HTTP 500",
        )
        assert behind.attempts == 0
        page = signed_in(self.w.admin).get("/exchange/messages/?status=pending").content.decode()
        assert "HTTP 500" in page
        assert receiver_kept(self.tmp / "r.jsonl") == []

        receiver = Receiver(port=port, secret=made.secret, out=self.tmp / "r.jsonl")
        receiver.start()
        try:
            run = outbox.deliver(endpoint_id=made.endpoint.pk, now=second.retry_at)
        finally:
            receiver.stop()
        assert run.delivered == 2
        assert [b["data"]["n"] for b in receiver.received()] == [0, 1]

    def test_a_receiver_refusing_our_signature_gets_a_dead_letter_put_back_later(self):
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
