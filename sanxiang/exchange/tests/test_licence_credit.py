"""The 行政许可 双公示 file: grants, 撤销 and 撤回 in the credit platforms' columns, with 当前状态,
masked as the portal publishes them; beside the 行政处罚 file, in its own."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

from openpyxl import load_workbook

from sanxiang.cases.testing import company
from sanxiang.disclosure import services as disclosure
from sanxiang.disclosure.tests.helpers import ID_NUMBER, published
from sanxiang.exchange import outbox
from sanxiang.exchange.models import EventType, OutboxMessage
from sanxiang.exchange.testing import call
from sanxiang.licensing.models import LicenceTerms
from sanxiang.licensing.testing import CERTIFICATE, NUMBER
from sanxiang.testing import signed_in

from .helpers import ExchangeTestCase

# The 行政许可信息 template of 信用中国, in its order (our 公示网址 before 备注, as in 行政处罚).
LICENCE_COLUMNS = [
    "行政相对人名称",
    "行政相对人类别",
    "行政相对人代码_1(统一社会信用代码)",
    "法定代表人",
    "行政许可决定文书名称",
    "行政许可决定文书号",
    "许可类别",
    "许可证书名称",
    "许可编号",
    "许可内容",
    "许可决定日期",
    "有效期自",
    "有效期至",
    "许可机关",
    "许可机关统一社会信用代码",
    "当前状态",
    "数据来源单位",
    "数据来源单位统一社会信用代码",
    "公示网址",
    "备注",
]
GRANT_TEXT = "经审查，申请人某文化传播有限公司的申请符合法定条件，决定准予设立宗教活动场所筹备。"


def licence(world, kind="licence_grant", **kwargs):
    kwargs.setdefault("parties", [company()])
    kwargs.setdefault("text", GRANT_TEXT)
    return published(world, procedure="licence", kind=kind, **kwargs)


class LicenceFile(ExchangeTestCase):
    def _xlsx(self, user, year):
        response = signed_in(user).get(f"/exchange/shuanggongshi-xuke.xlsx?year={year}")
        assert response.status_code == 200
        assert response["Content-Disposition"] == (
            f'attachment; filename="shuanggongshi-xuke-{year}.xlsx"'
        )
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet.title == "行政许可双公示"
        rows = [[c.value or "" for c in row] for row in sheet.iter_rows()]
        return rows[0], [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]

    def _csv(self, user, year, http=None):
        response = (http or signed_in(user)).get(f"/exchange/shuanggongshi-xuke.csv?year={year}")
        assert response.status_code == 200
        text = response.content.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        return text, [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]

    def test_the_xlsx_has_the_licence_columns_and_a_grant_valid_for_good(self):
        item = licence(self.w)
        header, rows = self._xlsx(self.w.officer, item.decided_on.year)
        assert header == LICENCE_COLUMNS
        (row,) = rows
        assert row["行政相对人名称"] == "某文化传播有限公司"
        assert row["行政相对人类别"] == "法人及非法人组织"
        assert row["行政相对人代码_1(统一社会信用代码)"] == company().credit_code
        assert row["法定代表人"] == "李某"
        assert row["行政许可决定文书名称"] == "准予行政许可决定书"
        assert row["行政许可决定文书号"] == item.doc_number
        # What the grant confers, as decided (licensing: the decided snapshot's terms).
        assert row["许可内容"] == "准予宗教活动场所登记"
        assert (row["许可类别"], row["许可证书名称"], row["许可编号"]) == (
            "登记",
            CERTIFICATE,
            NUMBER,
        )
        day, opened = item.decided_on.isoformat(), item.case.opened_on.isoformat()
        # A licence the terms call 长期 runs to the template's agreed "2099-12-31".
        assert (row["许可决定日期"], row["有效期自"], row["有效期至"]) == (
            day,
            opened,
            "2099-12-31",
        )
        assert row["当前状态"] == "有效"
        assert row["许可机关"] == item.agency_name
        assert row["许可机关统一社会信用代码"] == self.w.agency.credit_code
        assert row["数据来源单位"] == self.w.agency.name
        assert row["公示网址"].endswith(f"/gongshi/jueding/{item.pk}/")

    def test_a_grant_for_a_term_ends_on_its_date_whatever_the_row_says_after_the_decision(self):
        item = licence(self.w, terms={"valid_until": date(2031, 12, 31)})
        http = signed_in(self.w.officer)
        _, (row,) = self._csv(self.w.officer, item.decided_on.year, http)
        assert row["有效期至"] == "2031-12-31" and row["当前状态"] == "有效"
        # The file reads the decided snapshot, not the row: an edit after the decision (which
        # the state check names, licensing/tests) does not reach the credit platform.
        LicenceTerms.objects.filter(case=item.case).update(valid_until=date(2099, 1, 1))
        _, (row,) = self._csv(self.w.officer, item.decided_on.year, http)
        assert row["有效期至"] == "2031-12-31"

    def test_a_natural_person_is_masked_and_has_no_code(self):
        item = licence(self.w, parties=None, text=f"申请人张三，身份证号码{ID_NUMBER}，准予许可。")
        text, (row,) = self._csv(self.w.officer, item.decided_on.year)
        assert row["行政相对人名称"] == "张某" and row["行政相对人类别"] == "自然人"
        assert row["行政相对人代码_1(统一社会信用代码)"] == "" and row["法定代表人"] == ""
        assert ID_NUMBER not in text and "张三" not in text

    def test_annulment_and_withdrawal_are_rows_of_their_own_no_longer_valid(self):
        licence(self.w)
        annulled = licence(self.w, kind="licence_annulment")
        withdrawn = licence(self.w, kind="licence_withdrawal")
        _, rows = self._csv(self.w.officer, annulled.decided_on.year)
        by_number = {r["行政许可决定文书号"]: r for r in rows}
        a, w = by_number[annulled.doc_number], by_number[withdrawn.doc_number]
        assert (a["行政许可决定文书名称"], a["当前状态"]) == ("撤销行政许可决定书", "无效")
        assert a["备注"] == "撤销行政许可（行政许可法第六十九条）"
        assert (w["行政许可决定文书名称"], w["当前状态"]) == ("撤回行政许可决定书", "无效")
        assert w["备注"] == "撤回行政许可（行政许可法第八条）"
        assert a["有效期至"] == annulled.decided_on.isoformat()
        assert [r["当前状态"] for r in rows].count("有效") == 1

    def test_a_grant_whose_publication_was_withdrawn_is_no_longer_valid(self):
        item = licence(self.w)
        disclosure.withdraw(
            actor=self.w.officer, publication_id=item.pk, reason_kind="revoked", reason="复议撤销"
        )
        _, (row,) = self._csv(self.w.officer, item.decided_on.year)
        assert row["当前状态"] == "无效" and row["备注"] == "公示已撤回：复议撤销"
        assert row["有效期至"] == item.decided_on.isoformat()

    def test_refusals_and_penalties_stay_out_and_licences_stay_out_of_the_penalty_file(self):
        refused = licence(self.w, kind="licence_refusal")
        penalty = published(self.w)
        granted = licence(self.w)
        year = granted.decided_on.year
        officer = signed_in(self.w.officer)
        _, rows = self._csv(self.w.officer, year, officer)
        assert [r["行政许可决定文书号"] for r in rows] == [granted.doc_number]
        assert refused.doc_number not in json.dumps(rows, ensure_ascii=False)
        penalties = officer.get(f"/exchange/shuanggongshi.csv?year={year}")
        text = penalties.content.decode("utf-8-sig")
        assert penalty.doc_number in text and granted.doc_number not in text

    def test_another_agency_gets_an_empty_file_and_other_formats_are_refused(self):
        item = licence(self.w)
        header, rows = self._xlsx(self.w.other_officer, item.decided_on.year)
        assert header == LICENCE_COLUMNS and rows == []
        officer = signed_in(self.w.officer)
        assert officer.get("/exchange/shuanggongshi-xuke.pdf").status_code == 404
        assert officer.get("/exchange/shuanggongshi-xuke.csv?year=x").status_code == 422
        assert self.client.get("/exchange/shuanggongshi-xuke.csv").status_code in (302, 401, 403)

    def test_the_page_offering_the_penalty_file_offers_the_licence_file_beside_it(self):
        page = signed_in(self.w.officer).get("/exchange/").content.decode()
        assert 'href="/exchange/shuanggongshi.xlsx"' in page
        assert 'href="/exchange/shuanggongshi-xuke.xlsx"' in page
        assert 'href="/exchange/shuanggongshi-xuke.csv"' in page


class LicenceFieldsInThePushAndTheApi(ExchangeTestCase):
    def test_a_published_grant_carries_the_licence_fields_and_a_penalty_none(self):
        outbox.create_endpoint(
            actor=self.w.admin,
            data=outbox.EndpointData(
                name="信用平台",
                system="credit",
                url="http://127.0.0.1:9/push",
                event_types=[EventType.DECISION_PUBLISHED],
                agency_ids=[],
            ),
        )
        grant = licence(self.w)
        penalty = published(self.w)
        pushed = {
            m.payload["publication_id"]: m.payload
            for m in OutboxMessage.objects.filter(event_type="decision.published")
        }
        assert pushed[grant.pk]["licence_credit"]["current_status"] == "有效"
        assert pushed[grant.pk]["licence_credit"]["doc_number"] == grant.doc_number
        assert pushed[penalty.pk]["licence_credit"] is None

        response = call(self.client, self.key, self.secret, "GET", "/api/v1/exchange/decisions")
        assert response.status_code == 200, response.content
        items = {i["id"]: i for i in response.json()["items"]}
        assert items[grant.pk]["licence_credit"]["doc_title"] == "准予行政许可决定书"
        assert items[penalty.pk]["licence_credit"] is None
