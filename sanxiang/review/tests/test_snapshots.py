"""What was reviewed is what is issued (issue 9, item 2): drafts are immutable snapshots, the
review covers one snapshot hash, the decision records it, documents render from it."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction

from sanxiang.cases import snapshots
from sanxiang.cases.models import Case, DraftSnapshot, Party
from sanxiang.documents.queries import sheet_from_case
from sanxiang.ledger.models import Entry

from .helpers import ReviewTestCase, case_at_defence, draft, passed
from .test_gate import decide


def entries(case: Case, event_type: str) -> list[dict]:
    rows = Entry.objects.filter(case_id=case.pk, event_type=event_type).order_by("id")
    return [json.loads(e.payload) for e in rows]


class Snapshots(ReviewTestCase):
    def test_each_saved_draft_is_a_snapshot_whose_hash_the_ledger_entry_carries(self):
        case = case_at_defence(self.w, "5000")
        snapshot = DraftSnapshot.objects.get(case=case)
        assert snapshot.hash == case.draft.fingerprint
        assert entries(case, "case.draft_saved")[-1]["snapshot"] == snapshot.hash
        data = snapshots.data_of(snapshot)
        assert data["draft"]["text"] == case.draft.text
        assert data["draft"]["fine_amount"] == "5000.00"
        assert [p["name"] for p in data["parties"]] == [p.name for p in case.parties.all()]

    def test_the_same_content_saved_again_is_the_same_snapshot(self):
        case = case_at_defence(self.w, "5000")
        draft(self.w, case, "5000")
        assert DraftSnapshot.objects.filter(case=case).count() == 1

    def test_changing_only_the_text_makes_a_new_snapshot(self):
        case = case_at_defence(self.w, "5000")
        draft(self.w, case, "5000", text="另一种表述。")
        assert DraftSnapshot.objects.filter(case=case).count() == 2

    def test_a_database_admin_cannot_edit_a_snapshot(self):
        case_at_defence(self.w, "5000")
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "UPDATE cases_draftsnapshot SET payload = replace(payload, '5000.00', '500.00')"
            )

    def test_the_decision_records_the_snapshot_it_was_made_on(self):
        case = case_at_defence(self.w, "5000")
        decide(self.w, case)
        case.refresh_from_db()
        assert case.decided_snapshot == case.draft.fingerprint
        made = [e for e in entries(case, "case.transition") if e["target"] == "decision"]
        assert made[0]["snapshot"] == case.decided_snapshot

    def test_a_major_decision_records_the_reviewed_snapshot(self):
        case = case_at_defence(self.w)
        round_ = passed(self.w, case)
        decide(self.w, case)
        case.refresh_from_db()
        assert case.decided_snapshot == round_.fingerprint

    def test_a_party_edited_after_the_draft_was_saved_blocks_the_decision(self):
        case = case_at_defence(self.w, "5000")
        Party.objects.filter(case=case).update(name="另一家公司")
        with pytest.raises(Exception, match="重新保存决定草稿"):
            decide(self.w, case)
        draft(self.w, case, "5000")
        decide(self.w, case)

    def test_the_document_is_filled_from_the_decided_snapshot_not_the_live_row(self):
        case = case_at_defence(self.w, "5000")
        decide(self.w, case)
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE cases_decisiondraft SET fine_amount = 99999, text = '篡改' "
                "WHERE case_id = %s",
                [case.pk],
            )
            cursor.execute("UPDATE cases_party SET name = '张冒名' WHERE case_id = %s", [case.pk])
        sheet = sheet_from_case(Case.objects.get(pk=case.pk))
        assert sheet.draft is not None
        assert sheet.draft.fine_amount == Decimal("5000.00")
        assert sheet.draft.text != "篡改"
        assert "张冒名" not in sheet.party_names
