"""The same idempotency key sent twice at the same moment (two threads, two connections,
PostgreSQL): exactly one effect, and both callers get the first one's answer."""

from __future__ import annotations

import threading
from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.test import Client

from sanxiang.directory.models import Officer
from sanxiang.exchange import services
from sanxiang.exchange.models import IdempotencyKey, InboundTransfer
from sanxiang.exchange.testing import call
from sanxiang.ledger.models import Entry
from sanxiang.testing import World

from .helpers import new_key

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),
]
BASE = "/api/v1/exchange"


def twice_at_once(send: Any) -> list[Any]:
    """Run ``send`` in two threads, both held until each has passed the API's check for an
    earlier answer under the key, so neither can see the other's result before writing."""
    passed = threading.Barrier(2, timeout=10)
    first_look = threading.local()
    original = services.replayed_answer
    looked = []

    def held(client: Any, idem: Any) -> Any:
        answer = original(client, idem)
        if not getattr(first_look, "done", False):
            first_look.done = True
            looked.append(answer)
            passed.wait()  # both found nothing yet, and both go on to write
        return answer

    results: list[Any] = [None, None]

    def run(i: int) -> None:
        try:
            results[i] = send()
        except Exception as error:
            results[i] = error
        finally:
            connection.close()

    with mock.patch.object(services, "replayed_answer", held):
        threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    assert looked == [None, None], looked  # the race really happened
    return results


def test_one_transfer_twice_at_once_is_received_once_and_both_get_its_answer():
    world = World.build()
    key, secret = new_key(world)
    body = {
        "agency_id": world.agency.pk,
        "kind": "transfer",
        "external_id": "省交〔2026〕99号",
        "title": "涉嫌未经登记组织宗教活动",
        "from_agency": "省民族宗教事务委员会",
        "summary": "群众举报。",
    }

    def send() -> Any:
        return call(Client(), key, secret, "POST", f"{BASE}/transfers", body, idempotency_key="r-1")

    first, second = twice_at_once(send)
    assert (first.status_code, second.status_code) == (201, 201), (first.content, second.content)
    assert first.json() == second.json()
    assert InboundTransfer.objects.count() == 1
    assert Entry.objects.filter(event_type="exchange.transfer_received").count() == 1
    assert IdempotencyKey.objects.filter(client=key, key="r-1").count() == 1


def test_one_certificate_change_twice_at_once_is_applied_once():
    world = World.build()
    key, secret = new_key(world)
    body = {"certificate_no": "T0001", "status": "suspended", "reason": "省司法厅暂扣执法证"}

    def send() -> Any:
        return call(
            Client(), key, secret, "POST", f"{BASE}/certificates", body, idempotency_key="c-1"
        )

    first, second = twice_at_once(send)
    assert (first.status_code, second.status_code) == (200, 200), (first.content, second.content)
    assert first.json() == second.json()
    assert Officer.objects.get(certificate_no="T0001").certificate_status == "suspended"
    # Without the key both would have passed: the row lock only orders them.
    assert Entry.objects.filter(event_type="officer.certificate_status").count() == 1


def test_the_same_key_with_another_body_at_once_gets_one_effect_and_one_mismatch():
    world = World.build()
    key, secret = new_key(world)

    def send_with(external_id: str) -> Any:
        body = {
            "agency_id": world.agency.pk,
            "kind": "clue",
            "external_id": external_id,
            "title": "线索",
            "from_agency": "省司法厅",
            "summary": "请核查。",
        }
        return lambda: call(
            Client(), key, secret, "POST", f"{BASE}/transfers", body, idempotency_key="r-2"
        )

    bodies = iter(["省线〔2026〕1号", "省线〔2026〕2号"])
    results = twice_at_once(lambda: send_with(next(bodies))())
    statuses = sorted(r.status_code for r in results)
    assert statuses == [201, 422], [r.content for r in results]
    refused = next(r for r in results if r.status_code == 422)
    assert refused.json()["error"]["code"] == "idempotency_mismatch"
    assert InboundTransfer.objects.count() == 1
    assert Entry.objects.filter(event_type="exchange.transfer_received").count() == 1


def test_one_external_id_under_two_keys_at_once_is_received_once_and_refused_once():
    world = World.build()
    key, secret = new_key(world)
    body = {
        "agency_id": world.agency.pk,
        "kind": "assignment",
        "external_id": "省交〔2026〕100号",
        "title": "交办",
        "from_agency": "省司法厅",
        "summary": "请核查。",
    }
    keys = iter(["k-a", "k-b"])

    def send() -> Any:
        return call(
            Client(), key, secret, "POST", f"{BASE}/transfers", body, idempotency_key=next(keys)
        )

    results = twice_at_once(send)
    assert sorted(r.status_code for r in results) == [201, 409], [r.content for r in results]
    refused = next(r for r in results if r.status_code == 409)
    assert refused.json()["error"]["code"] == "conflict"
    assert InboundTransfer.objects.count() == 1
    assert Entry.objects.filter(event_type="exchange.transfer_received").count() == 1
