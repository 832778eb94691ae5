"""Periodic ledger work for the task worker (registered in ``sanxiang.workbench.recurring``)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django_tasks import task

from sanxiang.workbench import recurring

from . import services, witnessing


def _seconds(name: str, default: int) -> timedelta:
    return timedelta(seconds=int(getattr(settings, name, default)))


@task()
def integrate_pending() -> int:
    """Sequence entries whose after-commit integration was skipped (another one was busy)."""
    done = services.integrate()
    recurring.again(integrate_pending)
    return done


@task()
def make_checkpoint() -> int:
    """Sign a checkpoint if the log grew since the last one; return its size."""
    cp = services.make_checkpoint(only_if_grown=True)
    if witnessing.configured() and not witnessing.witnessed(cp):
        witnessing.request_cosignatures(cp)  # outside any transaction: HTTP to other hosts
    recurring.again(make_checkpoint)
    return cp.tree_size


recurring.register(integrate_pending, every=_seconds("SANXIANG_LEDGER_INTEGRATE_SECONDS", 15))
recurring.register(make_checkpoint, every=_seconds("SANXIANG_LEDGER_CHECKPOINT_SECONDS", 600))
