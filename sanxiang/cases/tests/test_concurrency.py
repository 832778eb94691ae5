"""Two people submitting the same transition at once: exactly one succeeds (SQLite and PG)."""

from __future__ import annotations

import contextlib
import threading

from django.db import OperationalError, connection
from django.test import TransactionTestCase

from sanxiang.cases.models import Case
from sanxiang.cases.services import transition
from sanxiang.cases.testing import open_test_case
from sanxiang.ledger.models import Entry
from sanxiang.lib.errors import DomainError
from sanxiang.procedures import engine
from sanxiang.testing import World


class SimultaneousTransitions(TransactionTestCase):
    def test_two_threads_submitting_the_same_transition_make_exactly_one(self):
        world = World.build()
        case = open_test_case(world, procedure="inspection")
        barrier = threading.Barrier(2, timeout=5)

        # Both threads pass the read and the guards before either writes. (On SQLite's shared
        # in-memory test database the loser may already fail at its read: the barrier breaks.)
        def both_read_first(ctx: engine.GuardContext) -> None:
            if ctx.case.pk == case.pk:
                with contextlib.suppress(threading.BrokenBarrierError):
                    barrier.wait()

        outcomes: list[str] = []
        lock = threading.Lock()

        def submit() -> None:
            try:
                transition(
                    actor=world.officer,
                    case_id=case.pk,
                    target="investigation",
                    expected_stage="filing",
                )
                result = "ok"
            except DomainError as error:
                result = error.code
            except OperationalError:  # SQLite: "database table is locked" for the loser
                result = "locked"
            finally:
                connection.close()
            with lock:
                outcomes.append(result)

        engine.register_guard(both_read_first)
        try:
            threads = [threading.Thread(target=submit) for _ in range(2)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(30)
        finally:
            engine.unregister(both_read_first)
        assert len(outcomes) == 2, outcomes
        assert outcomes.count("ok") == 1, outcomes
        assert Case.objects.get(pk=case.pk).stage == "investigation"
        assert Entry.objects.filter(case_id=case.pk, event_type="case.transition").count() == 1
