"""verify_ledger checks the state (issue 9, item 3 and its "Bad input"): an edit behind the
application, as a database administrator would make it, is named (table, row, field, ledger
seq) and the exit code is 1. Run on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from sanxiang.cases.models import Case
from sanxiang.ledger import services as ledger
from sanxiang.ledger.tests.test_tampering import run_verify_ledger
from sanxiang.review.models import ReviewRound

from .helpers import ReviewTestCase, assigned, case_at_defence, failed, passed
from .test_gate import decide


def raw(sql: str, params: list | None = None) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params or [])


class StateCheck(ReviewTestCase):
    def verify(self) -> tuple[int, str]:
        ledger.make_checkpoint()
        return run_verify_ledger()

    def decided_major_case(self) -> Case:
        case = case_at_defence(self.w)
        passed(self.w, case)
        return decide(self.w, case)

    def test_a_case_handled_through_the_services_reconciles(self):
        self.decided_major_case()
        code, text = self.verify()
        assert code == 0, text

    def test_a_case_moved_past_decision_behind_the_application_is_named(self):
        case = case_at_defence(self.w, "5000")
        raw("UPDATE cases_case SET stage = 'delivery' WHERE id = %s", [case.pk])
        code, text = self.verify()
        assert code == 1
        assert f"cases_case #{case.pk} 字段 stage" in text

    def test_a_flipped_major_mark_is_named(self):
        case = self.decided_major_case()
        raw("UPDATE review_casereview SET major = %s WHERE case_id = %s", [False, case.pk])
        code, text = self.verify()
        assert code == 1
        assert "review_casereview" in text and "字段 major" in text

    def test_a_forged_round_status_is_named(self):
        case = case_at_defence(self.w)
        round_ = failed(self.w, assigned(self.w, case))
        raw("UPDATE review_reviewround SET status = 'passed' WHERE id = %s", [round_.pk])
        code, text = self.verify()
        assert code == 1
        assert f"review_reviewround #{round_.pk} 字段 status" in text

    def test_a_changed_fine_text_or_party_of_the_decided_snapshot_is_named(self):
        case = self.decided_major_case()
        raw("UPDATE cases_decisiondraft SET fine_amount = 1000 WHERE case_id = %s", [case.pk])
        raw("UPDATE cases_decisiondraft SET text = '改过的正文' WHERE case_id = %s", [case.pk])
        raw("UPDATE cases_party SET name = '另一家公司' WHERE case_id = %s", [case.pk])
        code, text = self.verify()
        assert code == 1
        assert "cases_decisiondraft" in text and "字段 fine_amount" in text
        assert "字段 text" in text
        assert "cases_party" in text and "字段 name" in text

    def test_a_major_decision_without_a_passed_round_on_its_snapshot_is_named(self):
        case = self.decided_major_case()
        raw(
            "UPDATE review_reviewround SET status = 'failed' WHERE id = %s",
            [ReviewRound.objects.get(review__case=case).pk],
        )
        code, text = self.verify()
        assert code == 1
        assert "字段 status" in text

    def test_a_dropped_trigger_is_named(self):
        if connection.vendor == "postgresql":
            raw("DROP TRIGGER review_decision_gate ON cases_case")
        else:
            raw("DROP TRIGGER review_decision_gate")
        code, text = self.verify()
        assert code == 1
        assert "review_decision_gate" in text and "已被删除" in text

    def test_an_altered_trigger_is_named(self):
        if connection.vendor == "postgresql":
            raw(
                "CREATE OR REPLACE FUNCTION review_decision_gate() RETURNS trigger AS $$ "
                "BEGIN RETURN NEW; END; $$ LANGUAGE plpgsql"
            )
        else:
            raw("DROP TRIGGER review_decision_gate")
            raw(
                "CREATE TRIGGER review_decision_gate BEFORE UPDATE OF stage ON cases_case "
                "BEGIN SELECT 1; END"
            )
        code, text = self.verify()
        assert code == 1
        assert "review_decision_gate" in text and "已被改动" in text

    def test_an_entry_inserted_with_its_own_seq_is_refused(self):
        with pytest.raises(DatabaseError):
            raw(
                "INSERT INTO ledger_entry (seq, created_at, actor_label, event_type, payload, "
                "payload_hash, leaf_hash) VALUES (999999, %s, 'x', 'case.opened', '{}', '', '')",
                ["2026-12-02 00:00:00+00:00"],
            )
