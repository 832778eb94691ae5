from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from sanxiang.cases.models import Case
from sanxiang.cases.testing import open_test_case
from sanxiang.records.fixity import problems
from sanxiang.records.models import Record
from sanxiang.testing import WorldTestCase

from .helpers import JPEG, PDF, upload


class FixityTests(WorldTestCase):
    case: Case

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.case = open_test_case(cls.w)

    def test_an_untouched_store_verifies(self):
        upload(self.w.officer, self.case, PDF)
        assert list(problems(rehash=True)) == []
        call_command("verify_records", rehash=True)

    def test_a_label_changed_in_the_database_is_named(self):
        record = upload(self.w.officer, self.case, PDF, label="trade_secret")
        Record.objects.filter(pk=record.pk).update(label="public")
        found = list(problems())
        assert [p.record_id for p in found] == [record.pk]
        assert "label" in found[0].message

    def test_a_deleted_row_is_named(self):
        upload(self.w.officer, self.case, PDF)
        gone = upload(self.w.officer, self.case, JPEG, media_kind="photo", evidence_type="physical")
        gone.accesses.all().delete()
        Record.objects.filter(pk=gone.pk).delete()
        found = list(problems())
        assert [p.record_id for p in found] == [gone.pk]
        assert "删除" in found[0].message

    def test_changed_stored_bytes_are_caught_by_the_rehash(self):
        record = upload(self.w.officer, self.case, PDF)
        path = Path(settings.MEDIA_ROOT, record.storage_name)
        data = bytearray(path.read_bytes())
        data[20] ^= 1
        path.write_bytes(bytes(data))
        assert list(problems()) == []  # the rows and the ledger still agree
        with pytest.raises(SystemExit) as exit_:
            call_command("verify_records", rehash=True)
        assert exit_.value.code == 1

    def test_a_missing_object_is_caught_without_a_rehash(self):
        record = upload(self.w.officer, self.case, PDF)
        Path(settings.MEDIA_ROOT, record.storage_name).unlink()
        found = list(problems())
        assert [p.record_id for p in found] == [record.pk]
        assert "找不到原件" in found[0].message
        with pytest.raises(SystemExit) as exit_:
            call_command("verify_records")
        assert exit_.value.code == 1

    def test_a_truncated_object_is_caught_by_its_size_without_a_rehash(self):
        record = upload(self.w.officer, self.case, PDF)
        path = Path(settings.MEDIA_ROOT, record.storage_name)
        path.write_bytes(path.read_bytes()[:-5])
        assert "大小" in next(iter(problems())).message
