from __future__ import annotations

from django.test import Client

from sanxiang.disclosure.models import PublicationStatus
from sanxiang.testing import signed_in

from .helpers import DisclosureTestCase, published, queued

BASE = "/api/v1/disclosure"


class TheDisclosureApi(DisclosureTestCase):
    def test_anonymous_callers_get_the_error_shape(self):
        response = Client().get(f"{BASE}/queue")
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "forbidden"

    def test_the_queue_and_publishing_use_the_same_services(self):
        item = queued(self.w)
        client = signed_in(self.w.head)
        rows = client.get(f"{BASE}/queue").json()
        assert [r["id"] for r in rows] == [item.pk] and rows[0]["party"] == "张某"
        response = client.post(f"{BASE}/{item.pk}/publish")
        assert response.status_code == 200 and response.json()["status"] == "published"
        again = client.post(f"{BASE}/{item.pk}/publish")
        assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"

    def test_withdrawing_what_was_never_published_is_a_conflict(self):
        item = queued(self.w)
        response = signed_in(self.w.head).post(
            f"{BASE}/{item.pk}/withdraw",
            {"reason_kind": "revoked", "reason": "撤销"},
            content_type="application/json",
        )
        assert response.status_code == 409 and "从未公示" in response.json()["error"]["message"]

    def test_bad_input_and_other_agencies_are_refused(self):
        item = queued(self.w)
        client = signed_in(self.w.head)
        response = client.post(
            f"{BASE}/{item.pk}/exclude", {"kind": "whim", "reason": "x"}, "application/json"
        )
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "validation_error"
        other = signed_in(self.w.other_officer).post(f"{BASE}/{item.pk}/publish")
        assert other.status_code == 404
        assert client.post(f"{BASE}/999999/publish").status_code == 404

    def test_published_decisions_are_open_data_for_anyone(self):
        item = published(self.w)
        queued(self.w, text="尚未公示。")
        rows = Client().get(f"{BASE}/published?q=张某").json()
        assert [r["id"] for r in rows] == [item.pk]
        assert item.status == PublicationStatus.PUBLISHED
        bad = Client().get(f"{BASE}/published?date_from=yesterday")
        assert bad.status_code == 422
