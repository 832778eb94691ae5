from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection
from django.test import override_settings

from sanxiang.ledger.models import Entry
from sanxiang.lib.errors import DomainError
from sanxiang.review import services
from sanxiang.review.models import ReviewRound, RoundStatus
from sanxiang.testing import World, make_user

from .helpers import all_passed, assigned, case_at_defence

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks between threads need PostgreSQL"
)


def at_once(*calls: Any) -> list[Any]:
    """Run the calls in threads released together; each result is a value or the exception."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Any) -> None:
        try:
            barrier.wait()
            results[i] = call()
        except Exception as error:
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True)
@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
def test_two_approvals_of_the_same_round_at_once_record_exactly_one() -> None:
    w = World.build()
    round_ = assigned(w, case_at_defence(w))

    def approve(text: str) -> Any:
        return lambda: services.review(
            actor=w.reviewer, round_id=round_.pk, marks=all_passed(), agree=True, opinion_text=text
        )

    results = at_once(approve("第一次点击：同意"), approve("第二次点击：同意"))
    wins = [r for r in results if isinstance(r, ReviewRound)]
    losses = [r for r in results if isinstance(r, DomainError)]
    assert len(wins) == 1, results
    assert len(losses) == 1 and losses[0].code == "conflict"
    round_.refresh_from_db()
    assert round_.status == RoundStatus.PASSED
    assert round_.opinion == wins[0].opinion
    assert Entry.objects.filter(event_type="review.opinion").count() == 1


@pytest.mark.django_db(transaction=True)
@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
def test_two_reviewers_taking_the_same_waiting_round_at_once_leave_one_assignee() -> None:
    w = World.build()
    second = make_user("reviewer2", "reviewer", w.legal_unit, certificate="T0201", reviewer=True)
    case = case_at_defence(w)
    round_ = services.submit(
        actor=w.officer,
        case_id=case.pk,
        materials={"case_file": "a", "evidence_list": "b", "discretion_reasoning": "c"},
    )

    def take(user: Any) -> Any:
        return lambda: services.assign(actor=user, round_id=round_.pk, reviewer_id=user.officer.pk)

    results = at_once(take(w.reviewer), take(second))
    assert sum(isinstance(r, ReviewRound) for r in results) == 1, results
    # The loser is refused: "conflict" when both updates raced, "forbidden" (only the head
    # reassigns) when the winner had already committed before the loser read the round.
    losers = [r for r in results if isinstance(r, DomainError)]
    assert len(losers) == 1 and losers[0].code in {"conflict", "forbidden"}
    assert Entry.objects.filter(event_type="review.assigned").count() == 1
