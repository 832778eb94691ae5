"""The staff pages of 数据交换."""

from __future__ import annotations

import csv
import io

from sanxiang.cases.testing import company
from sanxiang.disclosure import services as disclosure
from sanxiang.disclosure.tests.helpers import published
from sanxiang.exchange import services
from sanxiang.exchange.models import ApiClient, InboundTransfer
from sanxiang.testing import signed_in

from .helpers import ExchangeTestCase


class KeysPage(ExchangeTestCase):
    def test_an_admin_creates_a_key_and_sees_its_secret_once(self):
        admin = signed_in(self.w.admin)
        response = admin.post(
            "/exchange/clients/",
            {
                "name": "省信用平台",
                "system": "credit",
                "scopes": ["read_decisions"],
                "agency_ids": [self.w.agency.pk],
            },
        )
        assert response.status_code == 200
        key = ApiClient.objects.get(name="省信用平台")
        secret = services.derive_secret(key.key_id, key.salt)
        assert secret in response.content.decode()
        again = admin.get("/exchange/clients/")
        assert secret not in again.content.decode() and key.key_id in again.content.decode()

    def test_an_officer_cannot_see_or_create_keys(self):
        officer = signed_in(self.w.officer)
        assert officer.get("/exchange/clients/").status_code == 403
        response = officer.post(
            "/exchange/clients/",
            {"name": "x", "system": "credit", "scopes": ["push"], "agency_ids": [self.w.agency.pk]},
        )
        assert response.status_code == 403
        assert not ApiClient.objects.filter(name="x").exists()

    def test_the_admin_revokes_a_key_from_the_page(self):
        response = signed_in(self.w.admin).post(f"/exchange/clients/{self.key.pk}/revoke/")
        assert response.status_code == 302
        self.key.refresh_from_db()
        assert self.key.revoked_at is not None


class Inbox(ExchangeTestCase):
    def _received(self, agency):
        return InboundTransfer.objects.create(
            client=self.key,
            agency=agency,
            kind="assignment",
            external_id=f"省交-{agency.pk}",
            title="交办：群众举报",
            from_agency="省司法厅",
            summary="请核查。",
            received_at=self.key.created_at,
        )

    def test_an_officer_sees_and_accepts_a_transfer_to_their_agency(self):
        item = self._received(self.w.agency)
        officer = signed_in(self.w.officer)
        home = officer.get("/")
        assert "省级平台移送/交办" in home.content.decode()
        page = officer.get("/exchange/")
        assert "交办：群众举报" in page.content.decode()
        officer.post(
            f"/exchange/transfers/{item.pk}/handle/", {"action": "accept", "note": "已立案"}
        )
        item.refresh_from_db()
        assert item.status == "accepted" and item.handled_by == self.w.officer

    def test_another_agency_neither_sees_nor_handles_it(self):
        item = self._received(self.w.agency)
        other = signed_in(self.w.other_officer)
        assert "交办：群众举报" not in other.get("/exchange/").content.decode()
        response = other.post(f"/exchange/transfers/{item.pk}/handle/", {"action": "accept"})
        assert response.status_code in (403, 404)
        item.refresh_from_db()
        assert item.status == "received"

    def test_returning_needs_a_reason(self):
        item = self._received(self.w.agency)
        response = signed_in(self.w.officer).post(
            f"/exchange/transfers/{item.pk}/handle/", {"action": "return", "note": ""}
        )
        assert response.status_code == 422
        item.refresh_from_db()
        assert item.status == "received"


# The 行政处罚 双公示 template of the credit platforms, in its order (our two columns last).
CREDIT_COLUMNS = [
    "行政相对人名称",
    "行政相对人类别",
    "行政相对人代码_1(统一社会信用代码)",
    "法定代表人",
    "行政处罚决定书文号",
    "违法行为类型",
    "违法事实",
    "处罚依据",
    "处罚类别",
    "处罚内容",
    "罚款金额(万元)",
    "没收违法所得、没收非法财物的金额(万元)",
    "暂扣或吊销证照名称及编号",
    "处罚决定日期",
    "处罚有效期",
    "公示截止期",
    "处罚机关",
    "处罚机关统一社会信用代码",
    "数据来源单位",
    "数据来源单位统一社会信用代码",
    "公示网址",
    "备注",
]


class CreditFiles(ExchangeTestCase):
    def _csv(self, year):
        response = signed_in(self.w.officer).get(f"/exchange/shuanggongshi.csv?year={year}")
        assert response.status_code == 200
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]], rows[0]

    def test_the_shuanggongshi_csv_has_the_credit_platform_columns_and_masked_rows(self):
        item = published(self.w)
        rows, header = self._csv(item.decided_on.year)
        assert header == CREDIT_COLUMNS
        (row,) = rows
        assert row["行政相对人名称"] == "张某" and row["行政相对人类别"] == "自然人"
        assert row["行政相对人代码_1(统一社会信用代码)"] == ""  # never an identity number
        assert row["行政处罚决定书文号"] == item.doc_number
        assert row["处罚依据"] == "《宗教事务条例》第七十一条"
        assert (row["处罚类别"], row["罚款金额(万元)"]) == ("罚款", "0.5")
        assert row["没收违法所得、没收非法财物的金额(万元)"] == ""
        assert row["处罚决定日期"] == item.decided_on.isoformat()
        assert row["处罚有效期"] == "2099-12-31"  # 长期
        assert item.ends_on is not None and row["公示截止期"] == item.ends_on.isoformat()
        assert row["处罚机关统一社会信用代码"] == self.w.agency.credit_code
        assert row["数据来源单位"] == self.w.agency.name
        assert row["公示网址"].endswith(f"/gongshi/jueding/{item.pk}/")

    def test_a_company_fined_and_confiscated_has_its_code_both_amounts_and_both_kinds(self):
        item = published(
            self.w, parties=[company()], kind="fine", fine="20000.00", confiscation="3500.50"
        )
        (row,), _ = self._csv(item.decided_on.year)
        assert row["行政相对人类别"] == "法人及非法人组织"
        assert row["行政相对人代码_1(统一社会信用代码)"] == company().credit_code
        assert row["法定代表人"] == "李某"
        assert row["处罚类别"] == "罚款;没收违法所得、没收非法财物"
        assert row["罚款金额(万元)"] == "2"
        assert row["没收违法所得、没收非法财物的金额(万元)"] == "0.35005"

    def test_a_withdrawn_decision_stays_in_the_file_with_the_reason_and_a_licence_does_not(self):
        item = published(self.w)
        disclosure.withdraw(
            actor=self.w.officer, publication_id=item.pk, reason_kind="revoked", reason="复议撤销"
        )
        published(self.w, procedure="licence", kind="licence_grant")
        (row,), _ = self._csv(item.decided_on.year)
        assert row["行政处罚决定书文号"] == item.doc_number
        assert row["备注"] == "已撤回：复议撤销"

    def test_the_xlsx_opens_and_other_formats_are_refused(self):
        from openpyxl import load_workbook

        item = published(self.w)
        officer = signed_in(self.w.officer)
        response = officer.get(f"/exchange/shuanggongshi.xlsx?year={item.decided_on.year}")
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert [c.value for c in sheet[1]] == CREDIT_COLUMNS
        assert sheet.cell(2, 5).value == item.doc_number
        assert officer.get("/exchange/shuanggongshi.pdf").status_code == 404

    def test_pages_render_for_the_admin(self):
        admin = signed_in(self.w.admin)
        for url in [
            "/exchange/endpoints/",
            "/exchange/messages/",
            "/exchange/messages/?status=dead",
        ]:
            assert admin.get(url).status_code == 200, url
