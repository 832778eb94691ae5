"""The exchange API as an external system meets it: scopes, agency set, replay, idempotency."""

from __future__ import annotations

import json
import time

import pytest
from django.db import connection
from django.test import override_settings

from sanxiang.directory.models import Officer
from sanxiang.exchange import services
from sanxiang.exchange.models import ApiClient, ClientUse, IdempotencyKey, InboundTransfer, Scope
from sanxiang.exchange.testing import call, signed_headers
from sanxiang.ledger.models import Entry

from .helpers import ExchangeTestCase, new_key

BASE = "/api/v1/exchange"
TRANSFER = {
    "agency_id": 0,
    "kind": "transfer",
    "external_id": "省交〔2026〕15号",
    "title": "涉嫌未经登记组织宗教活动",
    "from_agency": "省民族宗教事务委员会",
    "summary": "群众举报某场所长期组织未经登记的宗教活动。",
}
# Each operation and the one scope it needs.
OPERATIONS = [
    ("GET", "/agencies", None, Scope.READ_MASTER),
    ("GET", "/officers", None, Scope.READ_MASTER),
    ("GET", "/decisions", None, Scope.READ_DECISIONS),
    ("GET", "/statistics?year=2026", None, Scope.READ_STATISTICS),
    ("POST", "/transfers", TRANSFER, Scope.PUSH),
    (
        "POST",
        "/certificates",
        {"certificate_no": "T0001", "status": "suspended", "reason": "省厅暂扣"},
        Scope.PUSH,
    ),
]


def _transfer(world, **changes):
    return {**TRANSFER, "agency_id": world.agency.pk, **changes}


class ReadingWithAKey(ExchangeTestCase):
    def test_the_officers_of_the_keys_agencies_are_listed_and_no_others(self):
        response = call(self.client, self.key, self.secret, "GET", f"{BASE}/officers")
        assert response.status_code == 200, response.content
        numbers = {o["certificate_no"] for o in response.json()}
        assert "T0001" in numbers and "T0003" in numbers  # the legal unit is part of the body
        assert "T0009" not in numbers  # the other agency's officer

    def test_each_scope_opens_its_operations_and_no_other(self):
        for method, path, body, needed in OPERATIONS:
            for scope in Scope.values:
                key, secret = new_key(self.w, scopes=[scope])
                data = _transfer(self.w) if body is TRANSFER else body
                response = call(
                    self.client, key, secret, method, BASE + path, data, idempotency_key="k1"
                )
                if scope == needed:
                    assert response.status_code in (200, 201), (path, scope, response.content)
                else:
                    assert response.status_code == 403, (path, scope, response.content)
                    assert response.json()["error"]["code"] == "forbidden"
                    use = ClientUse.objects.filter(client=key).latest("pk")
                    assert use.outcome == "out_of_scope" and use.status == 403

    def test_a_request_without_a_key_is_refused_and_documented_as_401(self):
        response = self.client.get(f"{BASE}/officers")
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "forbidden"

    def test_a_staff_session_is_no_key(self):
        from sanxiang.testing import signed_in

        response = signed_in(self.w.admin).get(f"{BASE}/officers")
        assert response.status_code == 401


class RefusedSignatures(ExchangeTestCase):
    def _get(self, **options):
        return call(self.client, self.key, self.secret, "GET", f"{BASE}/officers", **options)

    def _code(self, response):
        return response.status_code, response.json()["error"]["code"]

    def test_a_replayed_request_is_refused(self):
        headers = signed_headers(self.key, self.secret, method="GET", url=f"{BASE}/officers")
        assert self.client.get(f"{BASE}/officers", headers=headers).status_code == 200
        again = self.client.get(f"{BASE}/officers", headers=headers)
        assert self._code(again) == (409, "request_replayed")
        assert ClientUse.objects.filter(client=self.key, outcome="replayed").count() == 1

    def test_a_stale_or_future_timestamp_is_refused(self):
        assert self._code(self._get(timestamp=int(time.time()) - 301)) == (401, "request_expired")
        assert self._code(self._get(timestamp=int(time.time()) + 301)) == (401, "request_expired")
        assert self._get(timestamp=int(time.time()) - 200).status_code == 200

    def test_a_wrong_signature_is_refused(self):
        response = call(self.client, self.key, "not-the-secret", "GET", f"{BASE}/officers")
        assert self._code(response) == (401, "signature_invalid")
        assert ClientUse.objects.filter(client=self.key, outcome="bad_signature").exists()

    def test_a_changed_query_or_body_breaks_the_signature(self):
        headers = signed_headers(
            self.key, self.secret, method="GET", url=f"{BASE}/decisions?after=0"
        )
        response = self.client.get(f"{BASE}/decisions?after=5", headers=headers)
        assert self._code(response) == (401, "signature_invalid")
        body = json.dumps(_transfer(self.w), ensure_ascii=False).encode()
        headers = signed_headers(
            self.key, self.secret, method="POST", url=f"{BASE}/transfers", body=body
        )
        tampered = body.replace("省民族".encode(), "市民族".encode())
        response = self.client.post(
            f"{BASE}/transfers",
            tampered,
            content_type="application/json",
            headers={**headers, "Idempotency-Key": "t1"},
        )
        assert self._code(response) == (401, "signature_invalid")
        assert not InboundTransfer.objects.exists()

    def test_an_unknown_or_revoked_key_is_refused(self):
        ghost = ApiClient(key_id="sx_0000000000000000")
        response = call(self.client, ghost, self.secret, "GET", f"{BASE}/officers")
        assert self._code(response) == (401, "signature_invalid")
        assert ClientUse.objects.filter(
            key_id="sx_0000000000000000", outcome="unknown_key"
        ).exists()
        key, secret = new_key(self.w)
        services.revoke_client(actor=self.w.admin, client_id=key.pk)
        response = call(self.client, key, secret, "GET", f"{BASE}/officers")
        assert self._code(response) == (401, "signature_invalid")
        assert ClientUse.objects.filter(client=key, outcome="revoked").exists()

    @override_settings(SANXIANG_HASH="sm3")
    def test_with_guomi_on_only_an_sm3_signature_is_accepted(self):
        assert self._code(self._get(hash_name="sha256")) == (401, "signature_invalid")
        assert self._get(hash_name="sm3").status_code == 200

    def test_the_database_holds_no_secret_and_an_edited_key_row_stops_working(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM exchange_apiclient WHERE id = %s", [self.key.pk])
            row = cursor.fetchone()
        assert self.secret not in [str(v) for v in row]
        # A DBA who swaps the salt (to point a key at a secret they derived) is refused.
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE exchange_apiclient SET salt = %s WHERE id = %s", ["00" * 16, self.key.pk]
            )
        response = self._get()
        assert self._code(response) == (401, "signature_invalid")
        assert ClientUse.objects.filter(client=self.key, outcome="key_tampered").exists()

    def test_every_accepted_use_is_logged_with_its_final_status(self):
        self._get()
        response = call(self.client, self.key, self.secret, "GET", f"{BASE}/statistics?year=1")
        assert response.status_code == 422
        uses = list(ClientUse.objects.filter(client=self.key).order_by("pk"))
        assert [(u.path, u.status, u.outcome) for u in uses] == [
            (f"{BASE}/officers", 200, "accepted"),
            (f"{BASE}/statistics", 422, "refused_after_auth"),
        ]


class PushingWrites(ExchangeTestCase):
    def test_a_transfer_lands_in_the_receiving_agencys_inbox_with_a_ledger_entry(self):
        response = call(
            self.client,
            self.key,
            self.secret,
            "POST",
            f"{BASE}/transfers",
            _transfer(self.w),
            idempotency_key="t-1",
        )
        assert response.status_code == 201, response.content
        item = InboundTransfer.objects.get()
        assert item.agency == self.w.agency and item.status == "received"
        assert Entry.objects.filter(event_type="exchange.transfer_received").count() == 1

    def test_the_same_idempotency_key_and_body_answers_the_same_and_writes_once(self):
        first = call(
            self.client,
            self.key,
            self.secret,
            "POST",
            f"{BASE}/transfers",
            _transfer(self.w),
            idempotency_key="t-1",
        )
        second = call(
            self.client,
            self.key,
            self.secret,
            "POST",
            f"{BASE}/transfers",
            _transfer(self.w),
            idempotency_key="t-1",
        )
        assert first.status_code == second.status_code == 201
        assert first.json() == second.json()
        assert InboundTransfer.objects.count() == 1

    def test_the_same_idempotency_key_with_another_body_is_refused(self):
        call(
            self.client,
            self.key,
            self.secret,
            "POST",
            f"{BASE}/transfers",
            _transfer(self.w),
            idempotency_key="t-1",
        )
        response = call(
            self.client,
            self.key,
            self.secret,
            "POST",
            f"{BASE}/transfers",
            _transfer(self.w, external_id="省交〔2026〕16号"),
            idempotency_key="t-1",
        )
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "idempotency_mismatch"
        assert InboundTransfer.objects.count() == 1

    def test_the_same_external_id_again_with_spaces_is_a_conflict_not_a_crash(self):
        first = call(
            self.client,
            self.key,
            self.secret,
            "POST",
            f"{BASE}/transfers",
            _transfer(self.w),
            idempotency_key="t-1",
        )
        assert first.status_code == 201
        again = call(
            self.client,
            self.key,
            self.secret,
            "POST",
            f"{BASE}/transfers",
            _transfer(self.w, external_id=f" {TRANSFER['external_id']} "),
            idempotency_key="t-2",
        )
        assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"
        assert InboundTransfer.objects.count() == 1

    def test_blank_text_is_refused_by_the_schema_it_documents(self):
        response = call(
            self.client,
            self.key,
            self.secret,
            "POST",
            f"{BASE}/transfers",
            _transfer(self.w, title=" \u3000\x1c"),
            idempotency_key="t-3",
        )
        assert response.status_code == 422
        error = response.json()["error"]
        assert error["code"] == "validation_error" and "title" in error["message"]
        assert not InboundTransfer.objects.exists()

    def test_a_write_without_an_idempotency_key_is_refused(self):
        response = call(
            self.client, self.key, self.secret, "POST", f"{BASE}/transfers", _transfer(self.w)
        )
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "validation_error"
        assert not InboundTransfer.objects.exists()

    def test_a_body_over_the_limit_is_refused_unread_and_nothing_is_written(self):
        with self.settings(SANXIANG_EXCHANGE_MAX_BODY_BYTES=2048):
            big = _transfer(self.w, summary="很" * 2000)
            response = call(
                self.client,
                self.key,
                self.secret,
                "POST",
                f"{BASE}/transfers",
                big,
                idempotency_key="t-big",
            )
        assert response.status_code == 413
        assert response.json()["error"]["code"] == "payload_too_large"
        assert not InboundTransfer.objects.exists() and not IdempotencyKey.objects.exists()
        assert ClientUse.objects.filter(client=self.key, outcome="too_large", status=413).exists()

    def test_a_transfer_to_an_agency_outside_the_key_is_refused(self):
        response = call(
            self.client,
            self.key,
            self.secret,
            "POST",
            f"{BASE}/transfers",
            _transfer(self.w, agency_id=self.w.other_agency.pk),
            idempotency_key="t-x",
        )
        assert response.status_code == 403
        assert not InboundTransfer.objects.exists()

    def test_a_certificate_status_from_the_province_updates_the_officer(self):
        response = call(
            self.client,
            self.key,
            self.secret,
            "POST",
            f"{BASE}/certificates",
            {"certificate_no": "T0001", "status": "suspended", "reason": "省司法厅暂扣执法证"},
            idempotency_key="c-1",
        )
        assert response.status_code == 200, response.content
        officer = Officer.objects.get(certificate_no="T0001")
        assert officer.certificate_status == "suspended"
        entry = Entry.objects.filter(event_type="officer.certificate_status").latest("pk")
        assert entry.actor_id is None

    def test_a_certificate_of_another_agency_looks_like_no_certificate(self):
        response = call(
            self.client,
            self.key,
            self.secret,
            "POST",
            f"{BASE}/certificates",
            {"certificate_no": "T0009", "status": "revoked", "reason": "x"},
            idempotency_key="c-2",
        )
        assert response.status_code == 404
        assert Officer.objects.get(certificate_no="T0009").certificate_status == "valid"

    def test_an_unknown_status_is_refused_by_the_schema(self):
        response = call(
            self.client,
            self.key,
            self.secret,
            "POST",
            f"{BASE}/certificates",
            {"certificate_no": "T0001", "status": "lost", "reason": "x"},
            idempotency_key="c-3",
        )
        assert response.status_code == 422


class ManagingKeys(ExchangeTestCase):
    def test_only_an_admin_creates_keys_and_only_for_agencies_they_manage(self):
        from sanxiang.lib.errors import DomainError

        with pytest.raises(DomainError):
            new_key(self.w, agencies=[self.w.other_agency.pk])
        with pytest.raises(DomainError):
            services.create_client(
                actor=self.w.officer,
                data=services.ClientData(
                    name="x", system="provincial", scopes=["push"], agency_ids=[self.w.agency.pk]
                ),
            )

    def test_a_key_cannot_be_revoked_twice(self):
        from sanxiang.lib.errors import DomainError

        services.revoke_client(actor=self.w.admin, client_id=self.key.pk)
        with pytest.raises(DomainError):
            services.revoke_client(actor=self.w.admin, client_id=self.key.pk)


class ReadsStayInsideTheAgencySet(ExchangeTestCase):
    def test_master_data_decisions_and_statistics_of_another_agency_are_not_read(self):
        from sanxiang.disclosure.models import Publication
        from sanxiang.disclosure.tests.helpers import published

        ours = published(self.w)
        theirs = published(self.w)
        # The other agency's decision (the world's officers work for ours): moved by SQL.
        Publication.objects.filter(pk=theirs.pk).update(agency=self.w.other_agency)
        agencies = call(self.client, self.key, self.secret, "GET", f"{BASE}/agencies").json()
        assert {a["id"] for a in agencies} == {self.w.agency.pk, self.w.legal_unit.pk}
        page = call(self.client, self.key, self.secret, "GET", f"{BASE}/decisions").json()
        assert [i["id"] for i in page["items"]] == [ours.pk]
        year = ours.decided_on.year
        stats = call(
            self.client, self.key, self.secret, "GET", f"{BASE}/statistics?year={year}"
        ).json()
        assert [(s["agency_id"], s["published"]) for s in stats] == [(self.w.agency.pk, 1)]


class ReplayCases(ExchangeTestCase):
    """Every way a signed request can be replayed, forged or half-formed, each refused and
    logged; and the ways a refusal must *not* spend the nonce."""

    def _code(self, response):
        return response.status_code, response.json()["error"]["code"]

    def _status(self, key, secret, *, nonce):
        return call(self.client, key, secret, "GET", f"{BASE}/officers", nonce=nonce).status_code

    def _last_outcome(self):
        return ClientUse.objects.filter(client=self.key).latest("pk").outcome

    def test_a_replayed_write_is_refused_before_the_service_and_written_once(self):
        body = json.dumps(_transfer(self.w), ensure_ascii=False).encode()
        headers = signed_headers(
            self.key, self.secret, method="POST", url=f"{BASE}/transfers", body=body
        )
        headers["Idempotency-Key"] = "t-replay"

        def send():
            return self.client.post(
                f"{BASE}/transfers", body, content_type="application/json", headers=headers
            )

        assert send().status_code == 201
        assert self._code(send()) == (409, "request_replayed")
        assert self._last_outcome() == "replayed"
        assert InboundTransfer.objects.count() == 1
        assert Entry.objects.filter(event_type="exchange.transfer_received").count() == 1

    def test_a_wrong_signature_does_not_spend_the_nonce(self):
        url = f"{BASE}/officers"
        forged = call(self.client, self.key, "not-the-secret", "GET", url, nonce="nonce-0001")
        assert self._code(forged) == (401, "signature_invalid")
        # Whoever lacks the key cannot burn the owner's nonces: the real request still passes.
        assert self._status(self.key, self.secret, nonce="nonce-0001") == 200

    def test_a_nonce_is_once_per_key_not_once_for_everybody(self):
        other, secret = new_key(self.w)
        url = f"{BASE}/officers"
        assert self._status(self.key, self.secret, nonce="shared-nonce") == 200
        assert self._status(other, secret, nonce="shared-nonce") == 200
        again = call(self.client, other, secret, "GET", url, nonce="shared-nonce")
        assert self._code(again) == (409, "request_replayed")

    def test_an_out_of_scope_request_spends_its_nonce_and_cannot_be_replayed_in_scope(self):
        reader, secret = new_key(self.w, scopes=[Scope.READ_DECISIONS])
        url = f"{BASE}/officers"
        refused = call(self.client, reader, secret, "GET", url, nonce="scope-nonce")
        assert self._code(refused) == (403, "forbidden")
        again = call(self.client, reader, secret, "GET", url, nonce="scope-nonce")
        assert self._code(again) == (409, "request_replayed")

    def test_a_replay_after_its_nonce_was_forgotten_is_refused_by_its_timestamp(self):
        from datetime import timedelta

        from django.utils import timezone

        t0 = timezone.now()
        headers = signed_headers(
            self.key,
            self.secret,
            method="GET",
            url=f"{BASE}/officers",
            timestamp=int(t0.timestamp()),
        )
        request = services.SignedRequest(
            method="GET",
            path=f"{BASE}/officers",
            query="",
            body=b"",
            key_id=self.key.key_id,
            timestamp=headers["X-Sanxiang-Timestamp"],
            nonce=headers["X-Sanxiang-Nonce"],
            signature=headers["X-Sanxiang-Signature"],
            content_length=0,
        )
        services.check_request(request, scope=Scope.READ_MASTER, now=t0)
        with pytest.raises(services.Refused) as inside:
            services.check_request(request, scope=Scope.READ_MASTER, now=t0 + timedelta(minutes=4))
        assert inside.value.code == "request_replayed"
        later = t0 + timedelta(minutes=11)  # past twice the 300-second window
        assert services.forget_old_nonces(now=later) == 1
        with pytest.raises(services.Refused) as after:
            services.check_request(request, scope=Scope.READ_MASTER, now=later)
        assert after.value.code == "request_expired"
        assert self._last_outcome() == "stale_timestamp"

    def test_a_malformed_timestamp_or_nonce_or_a_missing_signature_is_refused_and_logged(self):
        url = f"{BASE}/officers"
        cases = [
            ({"X-Sanxiang-Timestamp": "yesterday"}, (401, "request_expired"), "bad_timestamp"),
            ({"X-Sanxiang-Timestamp": ""}, (401, "request_expired"), "bad_timestamp"),
            ({"X-Sanxiang-Nonce": "short"}, (401, "signature_invalid"), "bad_nonce"),
            ({"X-Sanxiang-Nonce": "随机串随机串随机串"}, (401, "signature_invalid"), "bad_nonce"),
            ({"X-Sanxiang-Signature": ""}, (401, "signature_invalid"), "bad_signature"),
        ]
        for change, answer, outcome in cases:
            headers = {**signed_headers(self.key, self.secret, method="GET", url=url), **change}
            response = self.client.get(url, headers=headers)
            assert self._code(response) == answer, change
            assert self._last_outcome() == outcome, change

    def test_an_idempotency_key_reused_on_another_path_is_refused_and_logged(self):
        first = call(
            self.client,
            self.key,
            self.secret,
            "POST",
            f"{BASE}/transfers",
            _transfer(self.w),
            idempotency_key="same-key",
        )
        assert first.status_code == 201
        response = call(
            self.client,
            self.key,
            self.secret,
            "POST",
            f"{BASE}/certificates",
            {"certificate_no": "T0001", "status": "suspended", "reason": "省厅暂扣"},
            idempotency_key="same-key",
        )
        assert self._code(response) == (422, "idempotency_mismatch")
        assert Officer.objects.get(certificate_no="T0001").certificate_status == "valid"
        use = ClientUse.objects.filter(client=self.key).latest("pk")
        assert (use.path, use.status, use.outcome) == (
            f"{BASE}/certificates",
            422,
            "refused_after_auth",
        )


class RefusalsInChinese(ExchangeTestCase):
    def test_a_schema_refusal_names_the_field_and_says_what_is_wrong_in_chinese(self):
        response = call(
            self.client,
            self.key,
            self.secret,
            "POST",
            f"{BASE}/certificates",
            {"certificate_no": "T0001", "status": "lost"},
        )
        assert response.status_code == 422
        message = response.json()["error"]["message"]
        assert "Idempotency-Key：必填" in message
        assert "status：应为以下之一：'valid', 'suspended' or 'revoked'" in message
        assert "reason：必填" in message
        page = call(self.client, self.key, self.secret, "GET", f"{BASE}/decisions?limit=101")
        assert page.json()["error"]["message"] == "请求数据有误：limit：不能大于 100"
