"""Eight writers at once: after integration, positions run 0..n-1 with no gap or duplicate."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from django.db import OperationalError, connection, connections, transaction
from django.test import TransactionTestCase

from sanxiang.ledger import services
from sanxiang.ledger.models import Entry, Node
from sanxiang.ledger.verify import verify_ledger

WRITERS = 8
EACH = 15


def retrying(action: Callable[[], object]) -> None:
    """Run ``action``; on SQLite's shared-cache test database, retry when a table is locked.

    Django tests SQLite in memory with a shared cache, whose table locks ignore the busy
    timeout a file database (the deployment) waits on. PostgreSQL never needs this.
    """
    for _ in range(200):
        try:
            action()
            return
        except OperationalError as err:
            if connection.vendor != "sqlite" or "locked" not in str(err):
                raise
            time.sleep(0.005)
    raise AssertionError("SQLite stayed locked")


class ConcurrentAppendTests(TransactionTestCase):
    def test_eight_concurrent_writers_get_contiguous_positions(self) -> None:
        errors: list[BaseException] = []
        start = threading.Barrier(WRITERS)

        def writer(number: int) -> None:
            try:
                start.wait()
                for i in range(EACH):

                    def write(i: int = i) -> None:
                        with transaction.atomic():
                            services.append(
                                event_type="test.concurrent", payload={"w": number, "i": i}
                            )

                    retrying(write)
                    if i % 5 == 0:  # integrators racing each other and the writers
                        retrying(services.integrate)
            except BaseException as err:
                errors.append(err)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(errors, [])
        services.integrate()
        seqs = sorted(s for s in Entry.objects.values_list("seq", flat=True) if s is not None)
        self.assertEqual(Entry.objects.filter(seq__isnull=True).count(), 0)
        self.assertEqual(seqs, list(range(WRITERS * EACH)))
        self.assertEqual(Node.objects.filter(level=0).count(), WRITERS * EACH)
        services.make_checkpoint()
        report = verify_ledger()
        self.assertTrue(report.ok, report.problems)


class AfterCommitIntegrationTests(TransactionTestCase):
    def test_a_committed_append_is_sequenced_by_the_background_thread(self) -> None:
        from django.test import override_settings

        from sanxiang.ledger.background import integrator

        try:
            with override_settings(SANXIANG_LEDGER_INTEGRATE_ON_COMMIT=True):
                with transaction.atomic():
                    entry = services.append(event_type="test.after_commit", payload={})
                    self.assertIsNone(entry.seq)
                deadline = time.monotonic() + 10
                while time.monotonic() < deadline:
                    entry.refresh_from_db()
                    if entry.seq is not None:
                        break
                    time.sleep(0.02)
            self.assertEqual(entry.seq, 0)
        finally:
            integrator.stop()

    def test_a_rolled_back_append_does_not_wake_the_thread(self) -> None:
        from django.test import override_settings

        from sanxiang.ledger.background import integrator

        before = integrator.passes
        with override_settings(SANXIANG_LEDGER_INTEGRATE_ON_COMMIT=True):
            try:
                with transaction.atomic():
                    services.append(event_type="test.rolled_back", payload={})
                    raise RuntimeError("refused")
            except RuntimeError:
                pass
        time.sleep(0.1)
        self.assertEqual(integrator.passes, before)
        self.assertEqual(Entry.objects.count(), 0)
