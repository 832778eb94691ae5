"""The "Bad input" of issue 9 that needs more than one app: a case's stage set by SQL to any
stage past 决定, major or not, is refused by the database or named by ``verify_ledger``
(exit 1). Runs on SQLite and on PostgreSQL like the rest of the suite; the other cases of the
list are tested where their code lives (see docs/ledger.md, "Bad input, where tested")."""

from __future__ import annotations

from django.db import DatabaseError, connection, transaction

from sanxiang.cases.models import Case
from sanxiang.ledger import services as ledger
from sanxiang.ledger.tests.test_tampering import run_verify_ledger
from sanxiang.procedures.definitions import get_definition
from sanxiang.review.tests.helpers import case_at_defence
from sanxiang.testing import WorldTestCase

PAST_DECISION = ("decision", "delivery", "execution", "closing", "archived")


def refused(sql: str, params: list[object]) -> bool:
    """True when the database refuses the statement (a trigger or a constraint)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError:
        return True
    return False


class StageForgedPastDecision(WorldTestCase):
    def test_the_stages_past_decision_are_the_ones_this_test_forges(self):
        stages = [s.code for s in get_definition("penalty_ordinary").stages]
        assert stages[stages.index("decision") :] == list(PAST_DECISION)

    def test_every_stage_past_decision_is_refused_or_named_for_major_and_minor_cases(self):
        forged: dict[int, str] = {}
        refusals: list[tuple[str, str]] = []
        for amount in ("5000", "150000"):  # an ordinary fine, and one the catalogue makes major
            for stage in PAST_DECISION:
                case = case_at_defence(self.w, amount)
                sql = "UPDATE cases_case SET stage = %s WHERE id = %s"
                if refused(sql, [stage, case.pk]):
                    refusals.append((amount, stage))
                else:
                    forged[case.pk] = stage
        # Whatever the gate trigger lets through must be named; refusals are fine too.
        assert len(forged) + len(refusals) == 2 * len(PAST_DECISION)
        assert forged, "nothing reached the table: the test would prove nothing"
        ledger.make_checkpoint()
        code, text = run_verify_ledger()
        assert code == 1, text
        for pk, stage in forged.items():
            assert Case.objects.get(pk=pk).stage == stage
            assert f"cases_case #{pk} 字段 stage" in text, (pk, stage, text)
