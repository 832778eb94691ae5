"""The draw waits for the ledger's next checkpoint (docs/draw.md §2): the worker draws it then."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django_tasks import task

from sanxiang.lib.errors import DomainError
from sanxiang.workbench import recurring

from .services import plans

log = logging.getLogger(__name__)


@task()
def draw_pending() -> int:
    """Draw every frozen round whose seed checkpoint now exists; return how many."""
    done = 0
    for draw_id in plans.draw_ready():
        try:
            plans.perform_draw(draw_id=draw_id)
            done += 1
        except DomainError as err:  # changed after the freeze: refused, left for people to see
            log.warning("draw %s refused: %s %s", draw_id, err.code, err.message)
    recurring.again(draw_pending)
    return done


recurring.register(
    draw_pending,
    every=timedelta(seconds=int(getattr(settings, "SANXIANG_INSPECTION_DRAW_SECONDS", 60))),
)
