"""The same idempotency key sent twice at the same moment (two threads, two connections,
PostgreSQL): exactly one effect, and both callers get the first one's answer."""

from __future__ import annotations

import json
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


def test_an_event_committed_later_is_never_pushed_before_one_with_a_lower_id():
    """Two business transactions record an event at once; the one that recorded first (the
    lower message id) commits last. A delivery run in between must not push the higher id
    first: the id is taken at INSERT, so without the outbox lock the receiver got 2 before 1."""
    from django.db import transaction

    from sanxiang.exchange import outbox

    world = World.build()
    made = outbox.create_endpoint(
        actor=world.admin,
        data=outbox.EndpointData(
            name="省级平台",
            system="provincial",
            url="http://127.0.0.1:9/push",
            event_types=["decision.made"],
            agency_ids=[],
        ),
    )
    recorded, release, later_done = threading.Event(), threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with transaction.atomic():
                outbox.record(event_type="decision.made", agency_id=world.agency.pk, data={"n": 1})
                recorded.set()
                release.wait(timeout=10)  # still open while the other one tries to commit
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    def second() -> None:
        try:
            recorded.wait(timeout=10)
            with transaction.atomic():
                outbox.record(event_type="decision.made", agency_id=world.agency.pk, data={"n": 2})
            later_done.set()
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    sent: list[int] = []

    def post(url: str, body: bytes, headers: dict[str, str]) -> outbox.Reply:
        sent.append(json.loads(body)["data"]["n"])
        return outbox.Reply(status=200)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    assert recorded.wait(timeout=10)
    later_done.wait(timeout=2)  # with the lock it waits for the first to commit
    outbox.deliver(endpoint_id=made.endpoint.pk, post=post)  # whatever is committed now
    release.set()
    for t in threads:
        t.join(timeout=30)
    assert not errors, errors
    outbox.deliver(endpoint_id=made.endpoint.pk, post=post)
    assert sent == [1, 2]
