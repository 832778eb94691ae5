"""统一身份认证 in front of the party links (issue 16, item 6; applicant/identity.py).

The provincial platform does not run here: ``Province`` stands in for it with the same two
steps a CAS or OIDC channel has (send the visitor away; on the way back, ask the platform whom
the ticket proves). Everything on Sanxiang's side is the real code.
"""

from __future__ import annotations

import secrets
from typing import ClassVar
from urllib.parse import parse_qs, quote, urlparse

from django.http import HttpRequest
from django.test import override_settings
from django.urls import reverse

from sanxiang.applicant.identity import SESSION_KEY, Identity
from sanxiang.documents.tests.helpers import QuickDocumentsTestCase

from .helpers import company_of, link_for, person_of, two_party_case

CHANNEL = "sanxiang.applicant.tests.test_real_name.Province"


class Province:
    label = "测试省统一身份认证"
    tickets: ClassVar[dict[str, Identity]] = {}

    def start_url(self, request: HttpRequest, callback_url: str) -> str:
        return f"https://sso.example.gov.cn/login?service={quote(callback_url)}"

    def identity(self, request: HttpRequest) -> Identity | None:
        return self.tickets.pop(request.GET.get("ticket", ""), None)


def ticket_for(name: str, number: str) -> str:
    ticket = secrets.token_urlsafe(16)
    Province.tickets[ticket] = Identity(name=name, number=number)
    return ticket


@override_settings(SANXIANG_REAL_NAME_CHANNEL=CHANNEL)
class LinksBehindTheChannel(QuickDocumentsTestCase):
    def setUp(self) -> None:
        self.case = two_party_case(self.w, "notice")
        self.person = person_of(self.case)
        self.url = reverse("applicant_portal:link", args=[link_for(self.w, self.case, self.person)])

    def prove(self, number: str, *, name: str = "王小明") -> None:
        start = self.client.get(reverse("applicant_portal:real_name") + "?next=" + self.url)
        assert start.status_code == 302
        service = parse_qs(urlparse(start["Location"]).query)["service"][0]
        assert service.endswith(reverse("applicant_portal:real_name_callback"))
        back = self.client.get(service + "?ticket=" + ticket_for(name, number))
        assert back.status_code == 302 and back["Location"] == self.url

    def test_a_link_asks_for_the_real_name_first_and_names_the_channel(self) -> None:
        page = self.client.get(self.url)
        assert page.status_code == 401
        text = page.content.decode()
        assert "测试省统一身份认证" in text and 'data-testid="real-name"' in text
        assert self.person.name not in text  # nothing of the case before the proof

    def test_the_party_who_proved_their_number_opens_it(self) -> None:
        self.prove(self.person.id_number)
        assert self.client.get(self.url).status_code == 200
        held = self.client.session[SESSION_KEY]
        assert self.person.id_number not in str(held)  # only its HMAC is kept

    def test_another_person_is_refused_even_with_the_token(self) -> None:
        self.prove(company_of(self.case).credit_code, name="某公司")
        page = self.client.get(self.url)
        assert page.status_code == 403
        assert "与本链接的当事人不符" in page.content.decode()

    def test_a_ticket_the_channel_does_not_vouch_for_proves_nothing(self) -> None:
        callback = reverse("applicant_portal:real_name_callback")
        assert self.client.get(callback + "?ticket=forged").status_code == 401
        assert self.client.get(self.url).status_code == 401

    def test_the_way_back_never_leaves_the_site(self) -> None:
        start = self.client.get(
            reverse("applicant_portal:real_name") + "?next=https://evil.example/"
        )
        assert start["Location"] == reverse("applicant_portal:progress")

    def test_documents_through_the_link_are_behind_it_too(self) -> None:
        token = link_for(self.w, self.case, self.person)
        url = reverse("applicant_portal:document", args=[token, 1])
        assert self.client.get(url).status_code == 401


class LinksWithoutAChannel(QuickDocumentsTestCase):
    def test_the_token_alone_opens_the_link_as_before(self) -> None:
        case = two_party_case(self.w, "notice")
        url = reverse("applicant_portal:link", args=[link_for(self.w, case, person_of(case))])
        assert self.client.get(url).status_code == 200
        assert self.client.get(reverse("applicant_portal:real_name") + "?next=" + url)[
            "Location"
        ] == reverse("applicant_portal:progress")
