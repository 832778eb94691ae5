from __future__ import annotations

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from sanxiang.applicant.models import ProgressAttempt
from sanxiang.cases.models import Case
from sanxiang.documents.services import issue_document
from sanxiang.documents.tests.helpers import QuickDocumentsTestCase
from sanxiang.ledger.models import Entry

from .helpers import company_of, person_of, two_party_case

URL = "/gongshi/jindu/"


def page_without(answer, number: str) -> str:
    """The page with the typed number and the per-request CSRF tokens taken out."""
    return re.sub(r"[A-Za-z0-9]{64}", "", answer.content.decode().replace(number, ""))


class AskingForProgress(QuickDocumentsTestCase):
    def ask(self, number: str, factor: str, address: str = "10.0.0.1"):
        return self.client.post(URL, {"number": number, "factor": factor}, REMOTE_ADDR=address)

    def test_the_form_is_linked_from_the_portal_and_readable_on_a_phone(self):
        home = self.client.get(reverse("portal:home")).content.decode()
        assert f'href="{URL}"' in home
        form = self.client.get(URL)
        assert (
            form.status_code == 200 and "证件号码或统一社会信用代码后六位" in form.content.decode()
        )

    def test_a_party_sees_stage_dates_and_what_is_awaited_with_the_other_party_masked(self):
        case = two_party_case(self.w, "defence")
        answer = self.ask(case.number, person_of(case).id_number[-6:])
        text = answer.content.decode()
        assert answer.status_code == 200
        assert "陈述申辩" in text and "行政处罚法 第45条" in text
        assert case.opened_on.strftime("%Y年").lstrip("0") in text
        assert "王小明" in text and "某文化传播有限公司" not in text
        assert company_of(case).credit_code not in text and person_of(case).id_number not in text
        entry = Entry.objects.get(event_type="applicant.progress_viewed")
        assert entry.case_id == case.pk

    def test_an_organisation_proves_itself_with_its_credit_code_in_any_case_and_brackets(self):
        case = two_party_case(self.w)
        typed = case.number.replace("〔", "[").replace("〕", "]")
        answer = self.ask(f" {typed} ", company_of(case).credit_code[-6:].lower())
        assert answer.status_code == 200 and "调查取证" in answer.content.decode()

    def test_the_documents_addressed_to_the_party_are_listed_without_a_download(self):
        case = two_party_case(self.w, "case_review")
        doc = issue_document(actor=self.w.officer, case_id=case.pk, kind="penalty_notice")
        issue_document(actor=self.w.officer, case_id=case.pk, kind="address_confirmation")
        text = self.ask(case.number, person_of(case).id_number[-6:]).content.decode()
        assert "行政处罚事先告知书" in text and doc.number in text
        assert "送达地址确认书" not in text and "/wenshu/" not in text

    def test_a_wrong_factor_and_an_unknown_number_get_the_same_404(self):
        case = two_party_case(self.w)
        wrong = self.ask(case.number, "000000", address="10.0.0.2")
        unknown = self.ask("无此案字〔2026〕第999号", "000000", address="10.0.0.3")
        assert wrong.status_code == unknown.status_code == 404
        assert page_without(wrong, case.number) == page_without(unknown, "无此案字〔2026〕第999号")
        assert case.title not in wrong.content.decode()
        assert not Entry.objects.filter(event_type="applicant.progress_viewed").exists()

    def test_a_factor_that_is_not_six_characters_is_a_422(self):
        case = two_party_case(self.w)
        assert self.ask(case.number, "12345").status_code == 422
        assert not ProgressAttempt.objects.exists()

    def test_five_wrong_factors_from_one_address_then_a_chinese_429_even_with_the_right_one(self):
        case = two_party_case(self.w)
        for n in range(5):
            assert self.ask(case.number, f"00000{n}").status_code == 404
        answer = self.ask(case.number, person_of(case).id_number[-6:])
        assert answer.status_code == 429
        text = answer.content.decode()
        assert "查询过于频繁" in text and "15 分钟" in text and case.title not in text

    def test_one_case_number_asked_from_many_addresses_is_limited_too(self):
        case = two_party_case(self.w)
        for n in range(5):
            self.ask(case.number, f"11111{n}", address=f"10.1.0.{n}")
        assert self.ask(case.number, "222222", address="10.1.0.99").status_code == 429

    def test_enumerating_case_numbers_from_one_address_is_stopped_after_five_tries(self):
        cases = [two_party_case(self.w) for _ in range(3)]
        numbers = [c.number for c in cases] + [f"测民宗案字〔2026〕第{n}号" for n in (50, 51, 52)]
        codes = [self.ask(number, "123456", address="10.2.0.1").status_code for number in numbers]
        assert codes == [404, 404, 404, 404, 404, 429]

    def test_tries_older_than_the_window_do_not_count(self):
        case = two_party_case(self.w)
        with self.settings(SANXIANG_PROGRESS_RATE_WINDOW_SECONDS=900):
            for n in range(5):
                self.ask(case.number, f"00000{n}")
            ProgressAttempt.objects.update(at=timezone.now() - timedelta(minutes=16))
            assert self.ask(case.number, person_of(case).id_number[-6:]).status_code == 200

    def test_a_closed_case_says_nothing_is_awaited(self):
        case = two_party_case(self.w)
        Case.objects.filter(pk=case.pk).update(stage="archived")
        text = self.ask(case.number, person_of(case).id_number[-6:]).content.decode()
        assert "归档" in text and "无需您再办理事项" in text


class ProgressQueryCost(QuickDocumentsTestCase):
    def test_an_answered_query_is_six_statements_with_its_two_writes(self):
        """The limit's count, the parties of the number (with case, agency and the other
        parties), the try's row, the ledger entry, the running clocks, the documents; and on
        PostgreSQL the address's advisory lock. A seventh is a regression (benchmark
        ``applicant_progress``)."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        case = two_party_case(self.w, "defence")
        factor = person_of(case).id_number[-6:]
        with CaptureQueriesContext(connection) as done:
            answer = self.client.post(URL, {"number": case.number, "factor": factor})
        assert answer.status_code == 200
        statements = [
            q["sql"]
            for q in done.captured_queries
            if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "BEGIN", "COMMIT"))
        ]
        expected = 7 if connection.vendor == "postgresql" else 6
        assert len(statements) == expected, "\n".join(s[:120] for s in statements)
        writes = [s for s in statements if s.startswith(("INSERT", "UPDATE", "DELETE"))]
        assert len(writes) == 2
