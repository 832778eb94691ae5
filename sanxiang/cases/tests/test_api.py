from __future__ import annotations

from typing import Any

from django.test import Client
from django.utils import timezone

from sanxiang.cases.models import Case
from sanxiang.cases.testing import make_matter, open_test_case, org_credit_code, resident_id
from sanxiang.catalog.models import Matter
from sanxiang.testing import WorldTestCase, signed_in

URL = "/api/v1/cases"


class CasesApi(WorldTestCase):
    matter: Matter
    case: Case

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.matter = make_matter(cls.w.agency, "penalty")
        cls.case = open_test_case(cls.w, matter=cls.matter, title="接口案件")

    def body(self, **overrides: Any) -> dict[str, Any]:
        data = {
            "matter_id": self.matter.pk,
            "procedure": "penalty_ordinary",
            "title": "接口立案",
            "source": "referral",
            "facts": "移送",
            "opened_on": timezone.localdate().isoformat(),
            "team": [self.w.officer.officer.pk, self.w.officer2.officer.pk],
            "parties": [
                {"kind": "organisation", "name": "某公司", "credit_code": org_credit_code(9)}
            ],
        }
        data.update(overrides)
        return data

    def post(self, client: Client, url: str, data: dict, method: str = "post"):
        return getattr(client, method)(url, data, content_type="application/json")

    def test_anonymous_gets_the_error_shape(self):
        response = Client().get(URL)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "forbidden"

    def test_a_case_is_created_read_and_listed(self):
        client = signed_in(self.w.officer)
        response = self.post(client, URL, self.body())
        assert response.status_code == 201, response.content
        created = response.json()
        assert created["stage"] == "filing"
        assert created["next_steps"][0]["head_approval"] is True
        read = client.get(f"{URL}/{created['id']}").json()
        assert read["parties"][0]["name"] == "某公司"
        assert len(read["team"]) == 2
        listed = client.get(URL).json()
        assert {c["title"] for c in listed} >= {"接口立案", "接口案件"}

    def test_fewer_than_two_certified_officers_is_refused(self):
        response = self.post(
            signed_in(self.w.officer), URL, self.body(team=[self.w.officer.officer.pk])
        )
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "officer_not_certified"

    def test_a_wrong_id_is_refused(self):
        bad = resident_id(timezone.localdate().replace(year=1980))[:-1] + "0"
        good_tail = resident_id(timezone.localdate().replace(year=1980))[-1]
        if good_tail == "0":
            bad = bad[:-1] + "1"
        parties = [{"kind": "natural", "name": "张某", "id_number": bad}]
        response = self.post(signed_in(self.w.officer), URL, self.body(parties=parties))
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "validation_error"

    def test_malformed_json_is_a_validation_error(self):
        response = self.post(signed_in(self.w.officer), URL, {"title": 3})
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "validation_error"

    def test_transition_and_deadlines(self):
        head = signed_in(self.w.head)
        url = f"{URL}/{self.case.pk}/transitions"
        skipped = self.post(head, url, {"target": "decision"})
        assert skipped.status_code == 409
        assert skipped.json()["error"]["code"] == "transition_not_allowed"
        moved = self.post(head, url, {"target": "investigation", "expected_stage": "filing"})
        assert moved.status_code == 200 and moved.json()["stage"] == "investigation"
        again = self.post(head, url, {"target": "investigation", "expected_stage": "filing"})
        assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"
        deadlines = head.get(f"{URL}/{self.case.pk}/deadlines").json()
        assert deadlines[0]["rule"] == "decide" and deadlines[0]["days"] == 90

    def test_draft_money_is_validated(self):
        client = signed_in(self.w.officer)
        url = f"{URL}/{self.case.pk}/draft"
        bad = self.post(client, url, {"kind": "fine", "fine_amount": "12.345"}, "put")
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "validation_error"
        good = self.post(client, url, {"kind": "fine", "fine_amount": "1,000"}, "put")
        assert good.status_code == 200 and good.json()["fine_amount"] == "1000.00"

    def test_other_agency_and_supervisor(self):
        other = signed_in(self.w.other_officer)
        response = other.get(f"{URL}/{self.case.pk}")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
        assert all(c["id"] != self.case.pk for c in other.get(URL).json())
        supervisor = signed_in(self.w.supervisor)
        assert supervisor.get(f"{URL}/{self.case.pk}").status_code == 200
        denied = self.post(
            supervisor, f"{URL}/{self.case.pk}/transitions", {"target": "investigation"}
        )
        assert denied.status_code == 403
        assert self.post(supervisor, URL, self.body()).status_code == 403
        assert Case.objects.get(pk=self.case.pk).stage == "filing"

    def test_a_warning_case_goes_from_filing_to_closing_through_the_api(self):
        officer, head = signed_in(self.w.officer), signed_in(self.w.head)
        created = self.post(officer, URL, self.body(title="接口全程")).json()
        url = f"{URL}/{created['id']}"
        # Each step with what the law asks first, all through the API: the 告知书 before 告知
        # (第44条), the party's written waiver before the decision (第45条), the 决定书 and its
        # 送达回证 before 送达 (第61条).
        issue = "/api/v1/documents"
        case_id = created["id"]
        steps = [
            (head, "investigation", []),
            (officer, "case_review", []),
            (officer, "notice", ["penalty_notice"]),
            (officer, "defence", []),
        ]
        # The intended penalty is drafted before the 告知书 states it (第44条).
        draft = {"kind": "warning", "violated_provision": "《宗教事务条例》第四十一条"}
        assert self.post(officer, f"{url}/draft", draft, "put").status_code == 200
        for client, target, kinds in steps:
            for kind in kinds:
                body = {"case_id": case_id, "kind": kind}
                assert self.post(officer, issue, body).status_code == 201
            assert self.post(client, f"{url}/transitions", {"target": target}).status_code == 200
        waiver = {"kind": "waiver", "note": "当事人书面放弃陈述申辩"}
        assert self.post(officer, f"{url}/defence", waiver).status_code == 200
        for client, target, kinds in [
            (head, "decision", []),
            (officer, "delivery", ["penalty_decision", "delivery_receipt"]),
        ]:
            for kind in kinds:
                body = {"case_id": case_id, "kind": kind}
                assert self.post(officer, issue, body).status_code == 201
            response = self.post(client, f"{url}/transitions", {"target": target})
            assert response.status_code == 200, response.content
        # 结案 is the head's: the officer's own step is refused, the officer asks, the head signs.
        refused = self.post(officer, f"{url}/transitions", {"target": "closing"})
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "forbidden"
        asked = self.post(officer, f"{url}/closing-request", {"note": "警告已送达，无需执行"})
        assert asked.status_code == 200, asked.content
        response = self.post(head, f"{url}/transitions", {"target": "closing"})
        assert response.status_code == 200, response.content
        final = officer.get(url).json()
        assert final["stage"] == "closing" and final["closed_on"] and final["decided_on"]
        assert [s["target"] for s in final["next_steps"]] == ["archived"]
