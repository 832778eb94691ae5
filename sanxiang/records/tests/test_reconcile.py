"""verify_ledger's state check covers the evidence register (issue 9, item 3): a record's
hash or size changed in the database behind the application is named (table, row, field,
ledger seq) and the exit code is 1. Run on SQLite and on PostgreSQL."""

from __future__ import annotations

from django.db import connection, transaction

from sanxiang.cases.models import Case
from sanxiang.cases.testing import open_test_case
from sanxiang.ledger import services as ledger
from sanxiang.ledger.models import Entry
from sanxiang.ledger.tests.test_tampering import run_verify_ledger
from sanxiang.testing import WorldTestCase

from .helpers import JPEG, PDF, upload


def raw(sql: str, params: list | None = None) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params or [])


class RecordStateCheck(WorldTestCase):
    case: Case

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.case = open_test_case(cls.w)

    def verify(self) -> tuple[int, str]:
        ledger.make_checkpoint()
        return run_verify_ledger()

    def added_seq(self, record_id: int) -> int:
        for entry in Entry.objects.filter(event_type="record.added", case_id=self.case.pk):
            if f'"record":{record_id},' in entry.payload and entry.seq is not None:
                return entry.seq
        raise AssertionError("no record.added entry")

    def test_records_added_through_the_services_reconcile(self):
        upload(self.w.officer, self.case, PDF)
        upload(self.w.officer, self.case, JPEG, media_kind="photo", evidence_type="physical")
        code, text = self.verify()
        assert code == 0, text

    def test_a_record_pointed_at_another_object_is_named(self):
        # The row then matches its (other) object, so verify_records alone passes; the ledger
        # still says which bytes were received.
        record = upload(self.w.officer, self.case, PDF)
        other = upload(
            self.w.officer, self.case, JPEG, media_kind="photo", evidence_type="physical"
        )
        raw(
            "UPDATE records_record SET sha256 = %s, storage_name = %s WHERE id = %s",
            [other.sha256, other.storage_name, record.pk],
        )
        code, text = self.verify()
        assert code == 1, text
        seq = self.added_seq(record.pk)
        assert f"records_record #{record.pk} 字段 sha256（账本序号 {seq}）" in text
        assert f"records_record #{other.pk} " not in text

    def test_a_changed_sm3_or_size_is_named_field_by_field(self):
        record = upload(self.w.officer, self.case, PDF)
        raw(
            "UPDATE records_record SET sm3 = %s, size = size + 1 WHERE id = %s",
            ["cd" * 32, record.pk],
        )
        code, text = self.verify()
        assert code == 1, text
        assert f"records_record #{record.pk} 字段 sm3（" in text
        assert f"records_record #{record.pk} 字段 size（" in text

    def test_a_record_without_a_ledger_entry_is_named(self):
        record = upload(self.w.officer, self.case, PDF)
        raw(
            "INSERT INTO records_record (case_id, agency_id, stage, evidence_type, media_kind, "
            "title, description, label, original_name, uploaded_by_id, uploaded_at, size, "
            "content_type, sha256, sm3, storage_name, is_demo) SELECT case_id, agency_id, "
            "stage, evidence_type, media_kind, '伪造的记录', description, label, original_name, "
            "uploaded_by_id, uploaded_at, size, content_type, sha256, sm3, storage_name, "
            "is_demo FROM records_record WHERE id = %s",
            [record.pk],
        )
        code, text = self.verify()
        assert code == 1, text
        assert (
            "records_record #" in text
            and "字段 id（账本无对应条目）：记录在账本中没有添加条目" in text
        )
