"""The staff ledger page: each person sees the entries of the agencies in their scope."""

from __future__ import annotations

import base64

from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sanxiang.ledger import services
from sanxiang.testing import WorldTestCase, signed_in


class LedgerPageTests(WorldTestCase):
    def setUp(self) -> None:
        with transaction.atomic():
            services.append(event_type="case.opened", payload={"n": 1}, agency_id=self.w.agency.pk)
            services.append(
                event_type="case.other", payload={"n": 2}, agency_id=self.w.other_agency.pk
            )
        services.make_checkpoint()

    def test_anonymous_visitors_are_sent_to_sign_in(self) -> None:
        response = self.client.get(reverse("ledger:home"))
        self.assertEqual(response.status_code, 302)
        self.assertIn("/accounts/login/", response["Location"])

    def test_an_officer_sees_only_the_entries_of_their_agency(self) -> None:
        response = signed_in(self.w.officer).get(reverse("ledger:home"))
        self.assertContains(response, "case.opened")
        self.assertNotContains(response, "case.other")
        self.assertContains(response, "有效")  # the latest checkpoint's signature

    def test_an_officer_of_another_agency_does_not_see_ours(self) -> None:
        response = signed_in(self.w.other_officer).get(reverse("ledger:home"))
        self.assertContains(response, "case.other")
        self.assertNotContains(response, "case.opened")

    def test_the_supervisor_sees_the_agencies_it_supervises(self) -> None:
        response = signed_in(self.w.supervisor).get(reverse("ledger:home"))
        self.assertContains(response, "case.opened")
        self.assertNotContains(response, "case.other")

    def test_the_head_sees_the_agency(self) -> None:
        response = signed_in(self.w.head).get(reverse("ledger:home"), {"q": "case.opened"})
        self.assertContains(response, "case.opened")

    def test_a_checkpoint_without_the_required_cosignatures_is_shown_as_such(self) -> None:
        key = base64.b64encode(b"\x02" * 32).decode()
        witnesses = [("sfj.example/witness", "http://127.0.0.1:9", key)]
        client = signed_in(self.w.head)
        with override_settings(
            SANXIANG_LEDGER_WITNESSES=witnesses, SANXIANG_LEDGER_WITNESS_QUORUM=1
        ):
            self.assertContains(client.get(reverse("ledger:home")), "见证不足 0/1")
        self.assertContains(client.get(reverse("ledger:home")), "未配置见证方")

    def test_a_filter_that_matches_nothing_says_so(self) -> None:
        response = signed_in(self.w.head).get(reverse("ledger:home"), {"q": "无此事件"})
        self.assertContains(response, "没有可显示的条目")

    def test_the_page_does_a_bounded_number_of_queries(self) -> None:
        client = signed_in(self.w.head)
        with transaction.atomic():
            services.append(event_type="x", payload={}, agency_id=self.w.agency.pk)
        services.make_checkpoint()  # two checkpoints of different sizes: a real consistency check
        client.get(reverse("ledger:home"))  # per-session work of other middleware done once
        with CaptureQueriesContext(connection) as run:
            client.get(reverse("ledger:home"))
        count = len(run)
        with transaction.atomic():
            for n in range(20):
                services.append(event_type="x", payload={"n": n}, agency_id=self.w.agency.pk)
        services.make_checkpoint()
        with CaptureQueriesContext(connection) as run:
            client.get(reverse("ledger:home"))
        self.assertEqual(len(run), count)
