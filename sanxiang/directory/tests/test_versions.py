"""执法人员 keeps what it said before: a changed row is a new version from the sheet's 生效日期."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from openpyxl import load_workbook

from sanxiang.directory import sheets
from sanxiang.directory.models import CertificateStatus, Officer, OfficerVersion
from sanxiang.directory.queries import certified_on, may_act, officer_on
from sanxiang.directory.services import set_certificate_status
from sanxiang.disclosure import portal_queries as pq
from sanxiang.ledger.reconcile import reconcile
from sanxiang.lib.errors import DomainError
from sanxiang.testing import WorldTestCase

TODAY = timezone.localdate()


def edited(data: bytes, certificate_no: str, **cells) -> bytes:
    """The exported sheet with cells of one officer's row changed, as a person would."""
    book = load_workbook(io.BytesIO(data))
    sheet = book.active
    headers = [c.value for c in sheet[1]]
    for line in sheet.iter_rows(min_row=2):
        if line[headers.index("执法证件编号")].value == certificate_no:
            for header, value in cells.items():
                line[headers.index(header)].value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def problems(fn, **kwargs) -> str:
    with pytest.raises(DomainError) as caught:
        fn(**kwargs)
    return caught.value.message


class OfficerVersions(WorldTestCase):
    def scope(self):
        return {self.w.agency.pk, self.w.legal_unit.pk}

    def export(self) -> bytes:
        return sheets.export_officers(list(Officer.objects.filter(agency_id__in=self.scope())))

    def load(self, data: bytes):
        return sheets.import_officers(actor=self.w.admin, data=data, scope=self.scope())

    def officer(self) -> Officer:
        return Officer.objects.get(user=self.w.officer)

    def test_a_changed_row_becomes_a_new_version_from_the_sheets_date_and_the_old_is_kept(self):
        later = TODAY + timedelta(days=10)
        outcome = self.load(edited(self.export(), "T0001", 执法区域="别的区", 生效日期=later))
        assert outcome.changed == 1 and outcome.created == 0
        officer = self.officer()
        assert officer.area == "别的区" and officer.valid_from == later and officer.version == 2
        old, new = OfficerVersion.objects.filter(officer=officer).order_by("number")
        assert (old.valid_from, old.valid_to, old.area) == (None, later, "测试区")
        assert (new.valid_from, new.valid_to, new.area) == (later, None, "别的区")

    def test_a_day_before_the_change_reads_the_version_then_in_force(self):
        later = TODAY + timedelta(days=10)
        self.load(edited(self.export(), "T0001", 执法区域="别的区", 生效日期=later))
        officer = self.officer()
        assert may_act(officer, category="penalty", area="测试区", on=TODAY)
        assert not may_act(officer, category="penalty", area="测试区", on=later)
        assert may_act(officer, category="penalty", area="别的区", on=later)

    def test_the_changed_export_reimports_as_nothing_to_change(self):
        later = TODAY + timedelta(days=10)
        self.load(edited(self.export(), "T0001", 执法区域="别的区", 生效日期=later))
        again = self.load(self.export())
        assert again.nothing_to_change and OfficerVersion.objects.count() == 2

    def test_a_change_that_keeps_the_current_versions_date_is_refused(self):
        later = TODAY + timedelta(days=10)
        self.load(edited(self.export(), "T0001", 执法区域="别的区", 生效日期=later))
        message = problems(self.load, data=edited(self.export(), "T0001", 职务="科长"))
        assert "“生效日期”" in message and "晚于现行第2版" in message
        assert self.officer().position == "" and OfficerVersion.objects.count() == 2

    def test_a_blank_date_means_today(self):
        self.load(edited(self.export(), "T0001", 职务="科长", 生效日期=None))
        officer = self.officer()
        assert officer.position == "科长" and officer.valid_from == TODAY

    def test_a_date_alone_changes_nothing(self):
        outcome = self.load(edited(self.export(), "T0001", 生效日期=TODAY))
        assert outcome.nothing_to_change and not OfficerVersion.objects.exists()

    def test_each_change_is_a_ledger_entry_naming_its_versions(self):
        self.load(edited(self.export(), "T0001", 职务="科长"))
        assert [d.line() for d in reconcile() if d.table.startswith("directory_")] == []

    def test_a_revoked_certificate_is_still_valid_on_the_days_before(self):
        officer = self.officer()
        set_certificate_status(
            actor=self.w.admin,
            officer_id=officer.pk,
            status=CertificateStatus.REVOKED,
            reason="调离执法岗位",
        )
        officer.refresh_from_db()
        yesterday = TODAY - timedelta(days=1)
        entry = officer_on(officer, yesterday)
        assert entry is not None and entry.is_certified_on(yesterday)
        assert not may_act(officer, category="penalty", area="测试区", on=TODAY)
        assert may_act(officer, category="penalty", area="测试区", on=yesterday)
        # The SQL filter (reviewer ratio, cockpit) agrees with the reader.
        valid = Officer.objects.filter(certified_on(yesterday), pk=officer.pk)
        assert valid.exists()
        assert not Officer.objects.filter(certified_on(TODAY), pk=officer.pk).exists()

    def test_the_portal_lists_what_is_in_force_today_not_what_starts_later(self):
        later = TODAY + timedelta(days=30)
        self.load(edited(self.export(), "T0001", 职务="副局长", 生效日期=later))
        rows = pq.officers_with_state(self.scope(), TODAY)
        shown = {o.certificate_no: o.position for o, _ in rows}
        assert shown["T0001"] == ""
        rows = pq.officers_with_state(self.scope(), later)
        assert {o.certificate_no: o.position for o, _ in rows}["T0001"] == "副局长"

    def test_a_new_officer_dated_later_is_not_yet_on_the_portal(self):
        data = self.export()
        book = load_workbook(io.BytesIO(data))
        sheet = book.active
        headers = [c.value for c in sheet[1]]
        values = {
            "姓名": "新人",
            "单位": self.w.agency.name,
            "执法证件编号": "X0100",
            "执法类别": "行政处罚",
            "执法区域": "测试区",
            "发证日期": TODAY,
            "有效期至": TODAY + timedelta(days=700),
            "证件状态": "有效",
            "法制审核人员": "否",
            "生效日期": TODAY + timedelta(days=5),
        }
        sheet.append([values.get(h) for h in headers])
        out = io.BytesIO()
        book.save(out)
        assert self.load(out.getvalue()).created == 1
        listed = {o.certificate_no for o, _ in pq.officers_with_state(self.scope(), TODAY)}
        assert "X0100" not in listed

    def test_a_version_edited_by_sql_is_not_used_and_verify_ledger_names_it(self):
        later = TODAY + timedelta(days=10)
        self.load(edited(self.export(), "T0001", 执法区域="别的区", 生效日期=later))
        old = OfficerVersion.objects.get(officer=self.officer(), number=1)
        with connection.cursor() as cur:
            cur.execute(
                "UPDATE directory_officerversion SET categories = %s WHERE id = %s",
                ['["inspection"]', old.pk],
            )
        with pytest.raises(DomainError) as caught:
            may_act(self.officer(), category="inspection", area="测试区", on=TODAY)
        assert caught.value.code == "version_tampered" and "第1版" in caught.value.message
        lines = [d.line() for d in reconcile() if d.table == "directory_officerversion"]
        assert len(lines) == 1 and f"#{old.pk} 字段 content_sha256" in lines[0]

    def test_a_cache_row_edited_by_sql_is_named_by_verify_ledger(self):
        self.load(edited(self.export(), "T0001", 职务="科长"))
        Officer.objects.filter(user=self.w.officer).update(area="全市")
        lines = [d.line() for d in reconcile() if d.table == "directory_officerversion"]
        assert len(lines) == 1 and "现行记录与其最新版本的内容不一致" in lines[0]
