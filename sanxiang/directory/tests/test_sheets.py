import io

import pytest
from openpyxl import load_workbook

from sanxiang.directory import sheets
from sanxiang.directory.models import Officer
from sanxiang.lib.errors import DomainError
from sanxiang.lib.sheets import write_rows
from sanxiang.testing import WorldTestCase


def workbook(rows, headers=None):
    return write_rows("执法人员", headers or sheets.HEADERS, rows)


def row(**overrides):
    base = {
        "姓名": "导入者",
        "单位": "测试区民族和宗教事务局",
        "职务": "科员",
        "执法证件编号": "X0001",
        "执法类别": "行政处罚、行政检查",
        "执法区域": "测试区",
        "发证日期": "2025-01-01",
        "有效期至": "2027-12-31",
        "证件状态": "有效",
        "法制审核人员": "否",
        "法律职业资格证书编号": "",
        "生效日期": "",
    }
    base |= overrides
    return [base[h] for h in sheets.HEADERS]


class OfficerSheetTests(WorldTestCase):
    def scope(self):
        return {self.w.agency.pk, self.w.legal_unit.pk}

    def test_exported_officers_import_back_unchanged(self):
        before = list(Officer.objects.filter(agency_id__in=self.scope()).order_by("pk").values())
        data = sheets.export_officers(list(Officer.objects.filter(agency_id__in=self.scope())))
        outcome = sheets.import_officers(actor=self.w.admin, data=data, scope=self.scope())
        after = list(Officer.objects.filter(agency_id__in=self.scope()).order_by("pk").values())
        assert outcome.nothing_to_change and outcome.unchanged == len(before) == 4
        assert "没有变更" in outcome.message()
        strip = [{k: v for k, v in o.items() if k != "updated_at"} for o in before]
        assert strip == [{k: v for k, v in o.items() if k != "updated_at"} for o in after]

    def test_the_export_has_the_118_fields_as_headers(self):
        data = sheets.export_officers(list(Officer.objects.all()))
        sheet = load_workbook(io.BytesIO(data)).active
        assert [c.value for c in sheet[1]][:6] == [
            "姓名",
            "单位",
            "职务",
            "执法证件编号",
            "执法类别",
            "执法区域",
        ]

    def test_new_rows_are_created_with_their_categories(self):
        sheets.import_officers(actor=self.w.admin, data=workbook([row()]), scope=self.scope())
        officer = Officer.objects.get(certificate_no="X0001")
        assert officer.categories == ["penalty", "inspection"]

    def test_a_bad_cell_names_its_row_and_column_and_saves_nothing(self):
        rows = [row(), row(执法证件编号="X0002", 发证日期="去年")]
        with pytest.raises(DomainError) as caught:
            sheets.import_officers(actor=self.w.admin, data=workbook(rows), scope=self.scope())
        assert "第3行" in caught.value.message
        assert "发证日期" in caught.value.message
        assert not Officer.objects.filter(certificate_no="X0001").exists()

    def test_a_wrong_header_is_refused(self):
        headers = [*sheets.HEADERS[:-1], "备注"]
        with pytest.raises(DomainError) as caught:
            sheets.import_officers(
                actor=self.w.admin, data=workbook([row()], headers), scope=self.scope()
            )
        assert "表头应为“生效日期”" in caught.value.message

    def test_a_file_that_is_not_xlsx_is_refused_clearly(self):
        with pytest.raises(DomainError) as caught:
            sheets.import_officers(actor=self.w.admin, data=b"name,cert\n", scope=self.scope())
        assert ".xlsx" in caught.value.message

    def test_a_certificate_number_repeated_in_the_file_is_refused(self):
        with pytest.raises(DomainError) as caught:
            sheets.import_officers(
                actor=self.w.admin, data=workbook([row(), row()]), scope=self.scope()
            )
        assert "重复" in caught.value.message
        assert not Officer.objects.filter(certificate_no="X0001").exists()

    def test_a_certificate_of_another_agency_cannot_be_taken_over(self):
        with pytest.raises(DomainError) as caught:
            sheets.import_officers(
                actor=self.w.admin, data=workbook([row(执法证件编号="T0009")]), scope=self.scope()
            )
        assert "其他执法主体" in caught.value.message

    def test_an_expiry_before_issue_in_a_row_is_refused_with_the_row_number(self):
        with pytest.raises(DomainError) as caught:
            sheets.import_officers(
                actor=self.w.admin,
                data=workbook([row(有效期至="2024-01-01")]),
                scope=self.scope(),
            )
        assert "第2行“有效期至”列" in caught.value.message
