"""The staff pages of 数据交换."""

from __future__ import annotations

import csv
import io

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


class CreditFiles(ExchangeTestCase):
    def test_the_shuanggongshi_csv_has_the_credit_platform_columns_and_masked_rows(self):
        item = published(self.w)
        response = signed_in(self.w.officer).get(
            f"/exchange/shuanggongshi.csv?year={item.decided_on.year}"
        )
        assert response.status_code == 200
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows[0][0] == "行政相对人名称" and "处罚机关统一社会信用代码" in rows[0]
        assert rows[1][0] == "张某" and item.doc_number in rows[1]

    def test_the_xlsx_opens_and_other_formats_are_refused(self):
        from openpyxl import load_workbook

        item = published(self.w)
        officer = signed_in(self.w.officer)
        response = officer.get(f"/exchange/shuanggongshi.xlsx?year={item.decided_on.year}")
        sheet = load_workbook(io.BytesIO(response.content)).active
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
