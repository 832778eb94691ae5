"""The after-commit integrator: one daemon thread per process, woken by each committed append.

Integrating inline after every commit costs each business request a second transaction (and,
for the one that wins the lock, a second WAL flush): 0.30x the rate of plain INSERTs with eight
writers, against 0.73x without it (bench/bench_ledger.py). A nudge here costs the request an
``Event.set()``; the thread coalesces a burst of nudges into one pass, waits for the
integrators' lock without waiting: if another process's integrator holds it, that one may
have begun before this commit, so the thread tries again shortly. The connection is closed
after a second idle.
"""

from __future__ import annotations

import logging
import threading

from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)
IDLE_SECONDS = 1.0
COALESCE_SECONDS = 0.2  # let a burst of commits land: fewer, larger integration commits


class _Integrator:
    def __init__(self) -> None:
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._guard = threading.Lock()
        self._thread: threading.Thread | None = None
        self.passes = 0

    def nudge(self) -> None:
        with self._guard:
            if self._thread is None or not self._thread.is_alive():
                self._stop.clear()
                self._thread = threading.Thread(
                    target=self._run, name="ledger-integrator", daemon=True
                )
                self._thread.start()
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        """End the thread (tests; a process that exits needs nothing)."""
        with self._guard:
            thread = self._thread
            self._thread = None
        self._stop.set()
        self._wake.set()
        if thread is not None:
            thread.join(timeout)

    def _run(self) -> None:
        from . import services

        try:
            while not self._stop.is_set():
                if not self._wake.wait(IDLE_SECONDS):
                    connections.close_all()  # idle: give the connection back
                    continue
                self._wake.clear()
                if self._stop.wait(COALESCE_SECONDS):
                    break
                try:
                    if services.try_integrate():
                        self.passes += 1
                    else:
                        self._wake.set()  # busy elsewhere: look again after the pause
                except DatabaseError as err:  # retried on the next nudge or periodic task
                    logger.warning("ledger integration failed: %s", err)
                    connections.close_all()
        finally:
            connections.close_all()


integrator = _Integrator()
