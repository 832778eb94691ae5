from __future__ import annotations

import threading

import pytest
from django.db import OperationalError, connection

from sanxiang.disclosure import services
from sanxiang.disclosure.models import Publication
from sanxiang.ledger.models import Entry
from sanxiang.lib.errors import DomainError
from sanxiang.testing import World

from .helpers import queued


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_publishes_make_one_publication():
    world = World.build()
    item = queued(world)
    results: list[str] = []
    barrier = threading.Barrier(2)

    def publish() -> None:
        barrier.wait()
        try:
            services.publish(actor=world.head, publication_id=item.pk)
            results.append("ok")
        except DomainError as err:
            results.append(err.code)
        except OperationalError:  # SQLite's shared in-memory test DB: "table is locked"
            results.append("locked")
        finally:
            connection.close()

    threads = [threading.Thread(target=publish) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("ok") == 1 and len(results) == 2
    if connection.vendor == "postgresql":  # row locks: the loser waits, then sees it published
        assert "conflict" in results
    assert Entry.objects.filter(event_type="disclosure.published").count() == 1
    assert Publication.objects.get(pk=item.pk).status == "published"
