"""A party link is bound to the browser of its first use (issue 16, Bad input: "a replay from
another browser"). Another browser holding the URL is refused ``link_other_browser`` with
nothing written but the counted try; the party may move to a new device with the second factor
they hold (last six characters of the ID number or credit code), limited tries."""

from __future__ import annotations

import hashlib
import json

from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse

from sanxiang.applicant import delivery
from sanxiang.applicant.models import (
    DefenceStatement,
    ElectronicDelivery,
    PartyLink,
    ProgressAttempt,
)
from sanxiang.applicant.services import create_link, number_key, revoke_link
from sanxiang.documents.services import issue_document
from sanxiang.documents.tests.helpers import QuickDocumentsTestCase
from sanxiang.ledger.models import Entry
from sanxiang.ledger.reconcile import reconcile

from .helpers import company_of, link_for, two_party_case
from .test_defence import notified_case

COOKIE = "sxlink"


def link_url(token: str) -> str:
    return reverse("applicant_portal:link", args=[token])


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def factor_of(party) -> str:
    return (party.id_number or party.credit_code)[-6:]


class Binding(QuickDocumentsTestCase):
    def setUp(self) -> None:
        self.case = two_party_case(self.w)
        self.party = company_of(self.case)
        self.token = link_for(self.w, self.case, self.party)

    def uses(self) -> int:
        return Entry.objects.filter(event_type="applicant.link_used").count()

    def test_the_first_use_binds_the_link_to_a_cookie_stored_only_as_its_hash(self):
        answer = self.client.get(link_url(self.token))
        assert answer.status_code == 200
        cookie = answer.cookies[COOKIE]
        assert cookie["httponly"] and cookie["samesite"] == "Lax" and not cookie["secure"]
        assert cookie["path"] == link_url(self.token) and len(cookie.value) >= 43
        link = PartyLink.objects.get()
        assert link.browser_sha256 == sha(cookie.value) and link.bound_at is not None
        assert cookie.value not in json.dumps(list(PartyLink.objects.values()), default=str)
        entry = Entry.objects.get(event_type="applicant.link_bound")
        assert json.loads(entry.payload)["browser_sha256"] == link.browser_sha256
        assert cookie.value not in entry.payload
        assert self.client.get(link_url(self.token)).status_code == 200
        assert Entry.objects.filter(event_type="applicant.link_bound").count() == 1

    def test_over_https_the_cookie_is_secure(self):
        answer = self.client.get(link_url(self.token), secure=True)
        assert answer.status_code == 200 and answer.cookies[COOKIE]["secure"]

    def test_the_same_browser_continues(self):
        self.client.get(link_url(self.token))
        bound = PartyLink.objects.get().browser_sha256
        for _ in range(3):
            assert self.client.get(link_url(self.token)).status_code == 200
        link = PartyLink.objects.get()
        assert link.use_count == 4 and link.browser_sha256 == bound and self.uses() == 4

    def test_another_browser_is_refused_and_nothing_is_written_but_the_counted_try(self):
        assert self.client.get(link_url(self.token)).status_code == 200
        before = PartyLink.objects.values().get()
        stranger = Client()
        answer = stranger.get(link_url(self.token))
        assert answer.status_code == 403
        text = answer.content.decode()
        assert "第一次打开该链接的设备" in text and "联系办案机关重新获取链接" in text
        assert self.case.number not in text and self.party.name not in text
        assert PartyLink.objects.values().get() == before  # no use counted, binding kept
        assert self.uses() == 1
        tries = ProgressAttempt.objects.filter(number_key=number_key(f"link:{before['id']}"))
        assert tries.count() == 1 and not tries.get().succeeded
        # A made-up cookie is another browser too.
        stranger.cookies[COOKIE] = "x" * 43
        assert stranger.get(link_url(self.token)).status_code == 403
        assert self.client.get(link_url(self.token)).status_code == 200  # the party goes on

    def test_refusals_from_another_browser_count_toward_the_rate_limit(self):
        self.client.get(link_url(self.token))
        stranger = Client(REMOTE_ADDR="10.9.9.9")
        for _ in range(5):
            assert stranger.get(link_url(self.token)).status_code == 403
        answer = stranger.get(link_url(self.token))
        assert answer.status_code == 429 and "查询过于频繁" in answer.content.decode()

    def test_a_post_from_another_browser_stores_nothing(self):
        case = notified_case(self.w)
        token = link_for(self.w, case, company_of(case))
        self.client.get(link_url(token))
        url = reverse("applicant_portal:defence", args=[token])
        answer = Client().post(url, {"text": "冒用链接提交的意见。"})
        assert answer.status_code == 403 and not DefenceStatement.objects.exists()
        assert self.client.post(url, {"text": "我公司已整改。"}).status_code == 302
        assert DefenceStatement.objects.count() == 1

    def test_a_refused_check_after_the_binding_use_still_leaves_the_browser_its_key(self):
        case = notified_case(self.w)
        token = link_for(self.w, case, company_of(case))
        url = reverse("applicant_portal:defence", args=[token])
        fake = self.client.post(url, {"text": "x", "file": _named(b"plain text", "a.pdf")})
        assert fake.status_code == 422  # the use bound the link, then the file was refused
        assert self.client.get(link_url(token)).status_code == 200

    def test_staff_re_issuing_gives_a_fresh_unbound_link(self):
        self.client.get(link_url(self.token))
        revoke_link(actor=self.w.officer, link_id=PartyLink.objects.get().pk)
        fresh = create_link(actor=self.w.officer, case_id=self.case.pk, party_id=self.party.pk)
        assert fresh.link.browser_sha256 == "" and fresh.link.bound_at is None
        phone = Client()
        assert phone.get(link_url(fresh.token)).status_code == 200  # binds the new device
        assert self.client.get(link_url(self.token)).status_code == 410
        assert self.client.get(link_url(fresh.token)).status_code == 403


def _named(data: bytes, name: str):
    import io

    handle = io.BytesIO(data)
    handle.name = name
    return handle


class Rebinding(QuickDocumentsTestCase):
    def setUp(self) -> None:
        self.case = two_party_case(self.w)
        self.party = company_of(self.case)
        self.token = link_for(self.w, self.case, self.party)
        self.client.get(link_url(self.token))
        self.phone = Client(REMOTE_ADDR="10.1.1.1")
        self.rebind = reverse("applicant_portal:rebind", args=[self.token])

    def test_the_refusal_offers_the_second_factor_and_the_right_one_moves_the_link(self):
        page = self.phone.get(link_url(self.token)).content.decode()
        assert self.rebind in page and "后六位" in page
        answer = self.phone.post(self.rebind, {"factor": factor_of(self.party).lower()})
        assert answer.status_code == 302 and answer["Location"] == link_url(self.token)
        key = answer.cookies[COOKIE].value
        assert PartyLink.objects.get().browser_sha256 == sha(key)
        entry = Entry.objects.get(event_type="applicant.link_rebound")
        assert json.loads(entry.payload)["browser_sha256"] == sha(key)
        assert self.phone.get(link_url(self.token)).status_code == 200
        assert self.client.get(link_url(self.token)).status_code == 403  # the old device

    def test_a_wrong_factor_changes_nothing_and_the_tries_are_limited(self):
        before = PartyLink.objects.values().get()
        for _ in range(5):
            answer = self.phone.post(self.rebind, {"factor": "000000"})
            assert answer.status_code == 403 and "不正确" in answer.content.decode()
        assert PartyLink.objects.values().get() == before
        assert not Entry.objects.filter(event_type="applicant.link_rebound").exists()
        answer = self.phone.post(self.rebind, {"factor": factor_of(self.party)})
        assert answer.status_code == 429
        assert PartyLink.objects.values().get() == before

    def test_the_tries_are_limited_per_link_across_addresses(self):
        for n in range(5):
            Client(REMOTE_ADDR=f"10.2.0.{n}").post(self.rebind, {"factor": "000000"})
        answer = Client(REMOTE_ADDR="10.3.0.1").post(self.rebind, {"factor": factor_of(self.party)})
        assert answer.status_code == 429
        assert self.client.get(link_url(self.token)).status_code == 200  # the bound browser


class BindingClearedBySql(QuickDocumentsTestCase):
    """Raw SQL that clears a used link's binding does not open it to whoever comes next: a
    used link without a binding asks every browser, its first one included, for the factor."""

    def setUp(self) -> None:
        self.case = two_party_case(self.w)
        self.party = company_of(self.case)
        self.token = link_for(self.w, self.case, self.party)
        assert self.client.get(link_url(self.token)).status_code == 200
        assert PartyLink._meta.db_table == "applicant_partylink"

    def test_clearing_only_the_hash_is_refused_by_the_database(self):
        with transaction.atomic(), connection.cursor() as cursor:
            try:
                with transaction.atomic():
                    cursor.execute("UPDATE applicant_partylink SET browser_sha256 = ''")
                raise AssertionError("the check constraint let the hash go alone")
            except IntegrityError:
                pass
        assert PartyLink.objects.get().browser_sha256

    def test_clearing_the_binding_lets_no_one_in_without_the_second_factor(self):
        with connection.cursor() as cursor:
            cursor.execute("UPDATE applicant_partylink SET browser_sha256 = '', bound_at = NULL")
        uses = Entry.objects.filter(event_type="applicant.link_used").count()
        stranger = Client(REMOTE_ADDR="10.4.4.4")
        answer = stranger.get(link_url(self.token))
        assert answer.status_code == 403 and "绑定记录已不存在" in answer.content.decode()
        assert self.client.get(link_url(self.token)).status_code == 403  # the first one too
        link = PartyLink.objects.get()
        assert link.browser_sha256 == "" and link.use_count == 1
        assert Entry.objects.filter(event_type="applicant.link_used").count() == uses
        rebind = reverse("applicant_portal:rebind", args=[self.token])
        assert self.client.post(rebind, {"factor": factor_of(self.party)}).status_code == 302
        assert self.client.get(link_url(self.token)).status_code == 200
        assert stranger.get(link_url(self.token)).status_code == 403


class BindingsAgainstTheLedger(QuickDocumentsTestCase):
    """verify_ledger's state check names a binding changed behind the application."""

    def setUp(self) -> None:
        self.case = two_party_case(self.w)
        self.party = company_of(self.case)
        self.token = link_for(self.w, self.case, self.party)

    def found(self) -> list[str]:
        return [d.line() for d in reconcile() if d.table == "applicant_partylink"]

    def test_bindings_made_by_the_application_agree_with_the_ledger(self):
        assert self.found() == []
        self.client.get(link_url(self.token))
        assert self.found() == []
        phone = Client()
        rebind = reverse("applicant_portal:rebind", args=[self.token])
        phone.post(rebind, {"factor": factor_of(self.party)})
        assert phone.get(link_url(self.token)).status_code == 200
        assert self.found() == []

    def test_a_binding_cleared_swapped_or_set_by_sql_is_named(self):
        self.client.get(link_url(self.token))
        with connection.cursor() as cursor:
            cursor.execute("UPDATE applicant_partylink SET browser_sha256 = '', bound_at = NULL")
        assert any("被清除" in line for line in self.found())
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE applicant_partylink SET browser_sha256 = %s, bound_at = %s",
                [sha("attacker"), "2026-01-01 00:00:00"],
            )
        assert any("与账本记载不符" in line for line in self.found())
        other = create_link(actor=self.w.officer, case_id=self.case.pk, party_id=self.party.pk)
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE applicant_partylink SET browser_sha256 = %s, bound_at = %s WHERE id = %s",
                [sha("attacker"), "2026-01-01 00:00:00", other.link.pk],
            )
        assert any(f"#{other.link.pk}" in line and "没有登记条目" in line for line in self.found())


class DeliveryThroughABoundLink(QuickDocumentsTestCase):
    def setUp(self) -> None:
        self.case = two_party_case(self.w, "case_review")
        self.party = company_of(self.case)
        self.notice = issue_document(
            actor=self.w.officer, case_id=self.case.pk, kind="penalty_notice"
        )
        issue_document(actor=self.w.officer, case_id=self.case.pk, kind="address_confirmation")
        delivery.record_consent(actor=self.w.officer, case_id=self.case.pk, party_id=self.party.pk)
        delivery.send_document(
            actor=self.w.officer,
            case_id=self.case.pk,
            document_id=self.notice.pk,
            party_id=self.party.pk,
        )
        self.token = link_for(self.w, self.case, self.party)
        self.url = reverse("applicant_portal:document", args=[self.token, self.notice.pk])

    def test_a_replay_from_another_browser_neither_delivers_nor_reveals_the_document(self):
        assert self.client.get(link_url(self.token)).status_code == 200  # bound here
        answer = Client().get(self.url)
        assert answer.status_code == 403 and b"%PDF" not in answer.content
        assert ElectronicDelivery.objects.get().delivered_at is None
        assert not Entry.objects.filter(event_type="applicant.delivery_received").exists()
        opened = self.client.get(self.url)
        assert opened.status_code == 200 and opened.content.startswith(b"%PDF")
        assert ElectronicDelivery.objects.get().delivered_at is not None
        assert Entry.objects.filter(event_type="applicant.delivery_received").count() == 1

    def test_the_first_opening_of_the_document_itself_binds_and_delivers(self):
        opened = self.client.get(self.url)
        assert opened.status_code == 200 and COOKIE in opened.cookies
        assert ElectronicDelivery.objects.get().delivered_at is not None
        assert Client().get(self.url).status_code == 403
