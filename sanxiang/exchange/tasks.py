"""The outbox's work in the task worker: one delivery run per endpoint, re-queued for the next
attempt after a failure, and a sweep every minute that picks up anything due (a worker that was
down, a message put back from the dead-letter list) and forgets expired nonces."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from sanxiang.workbench import recurring

from . import outbox, services


@task()
def deliver_endpoint(endpoint_id: int) -> dict[str, int]:
    run = outbox.deliver(endpoint_id=endpoint_id)
    if run.failed and run.retry_at is not None:
        # Only the run whose attempt failed queues the next attempt. A run that merely found
        # the head still waiting (kicked by a new event, or a duplicate) ends: re-queueing it
        # too made one more chain per event and per sweep while a receiver was down, each
        # waking at every retry (an hour's outage left dozens of them).
        deliver_endpoint.using(run_after=run.retry_at).enqueue(endpoint_id)
    elif run.delivered >= outbox.BATCH:
        deliver_endpoint.enqueue(endpoint_id)
    return {"delivered": run.delivered, "failed": run.failed, "dead": run.dead}


@task()
def sweep_outbox() -> None:
    for endpoint_id in outbox.due_endpoint_ids(timezone.now()):
        deliver_endpoint.enqueue(endpoint_id)
    services.forget_old_nonces()
    recurring.again(sweep_outbox)


recurring.register(sweep_outbox, every=timedelta(minutes=1))
