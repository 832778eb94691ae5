"""Parties of four kinds, their 委托代理人 and the case's witnesses (issue 10, item 4)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from sanxiang.cases.models import Party, PartyAgent, PartyCorrection, Witness
from sanxiang.cases.queries import active_agents, other_people, witnesses_of
from sanxiang.cases.services import (
    AgentData,
    PartyData,
    WitnessData,
    add_party,
    add_witness,
    appoint_agent,
    change_party,
    remove_party,
    withdraw_agent,
)
from sanxiang.cases.testing import company, open_test_case, org_credit_code, person, resident_id
from sanxiang.disclosure import masking
from sanxiang.documents.content import Para
from sanxiang.documents.queries import sheet_from_case
from sanxiang.documents.services import issue_document
from sanxiang.documents.tests.helpers import QuickDocumentsTestCase
from sanxiang.ledger.models import Entry
from sanxiang.ledger.reconcile import reconcile
from sanxiang.lib.errors import DomainError, ValidationFailed
from sanxiang.lib.identifiers import credit_code_check_char


def payload_of(case_id: int, event_type: str) -> dict:
    return json.loads(Entry.objects.get(case_id=case_id, event_type=event_type).payload)


def business(name: str = "兴隆台区某某小吃店", **kwargs: object) -> PartyData:
    head = "92211103MA0Y1234"
    code = head + "5"
    code = code[:17] + credit_code_check_char(code[:17])
    return PartyData(
        kind="individual_business",
        name=name,
        credit_code=str(kwargs.pop("credit_code", code)),
        legal_representative=str(kwargs.pop("legal_representative", "赵长江")),
        id_number=str(kwargs.pop("id_number", resident_id(date(1975, 3, 9), 21))),
        address="辽宁省盘锦市兴隆台区某街12号",
        phone="13900001111",
    )


def agent(**overrides: object) -> AgentData:
    today = timezone.localdate()
    fields: dict[str, object] = {
        "name": "钱律师",
        "id_number": resident_id(date(1985, 6, 1), 31),
        "relation": "律师（辽宁某律师事务所）",
        "authority": "special",
        "powers": ("hearing", "receive"),
        "letter_dated_on": today,
        "valid_from": today,
        "letter_reference": "授权委托书（卷内第5页）",
        "phone": "13800002222",
        "address": "辽宁省盘锦市兴隆台区某路3号",
    }
    fields.update(overrides)
    return AgentData(**fields)  # type: ignore[arg-type]


class PartyKindsAndIdentities(QuickDocumentsTestCase):
    def test_a_case_opens_with_several_parties_of_the_four_kinds(self):
        other = PartyData(
            kind="other_organisation", name="某某合伙企业", legal_representative="孙某"
        )
        case = open_test_case(self.w, parties=[company(), business(), person(), other])
        kinds = list(case.parties.values_list("kind", flat=True))
        assert kinds == ["organisation", "individual_business", "natural", "other_organisation"]
        entry = payload_of(case.pk, "case.opened")
        assert len(entry["party_rows"]) == 4

    def test_an_individual_business_names_its_operator_and_the_operators_id(self):
        case = open_test_case(self.w, parties=[business()])
        party = case.parties.get()
        assert party.legal_representative == "赵长江" and len(party.id_number) == 18
        with pytest.raises(ValidationFailed, match="经营者姓名"):
            open_test_case(self.w, parties=[business(legal_representative="")])

    def test_an_id_number_with_a_wrong_check_digit_is_refused(self):
        good = resident_id(date(1980, 5, 17))
        bad = good[:17] + ("0" if good[17] != "0" else "1")
        with pytest.raises(ValidationFailed, match="校验不通过"):
            open_test_case(self.w, parties=[person(id_number=bad)])

    def test_a_birth_date_before_1900_or_in_the_future_is_refused(self):
        with pytest.raises(ValidationFailed, match="校验不通过"):
            open_test_case(self.w, parties=[person(id_number=resident_id(date(1899, 12, 31)))])
        future = timezone.localdate() + timedelta(days=30)
        with pytest.raises(ValidationFailed, match="出生日期晚于立案日期"):
            open_test_case(self.w, parties=[person(id_number=resident_id(future))])

    def test_a_credit_code_with_a_wrong_gb32100_check_digit_is_refused(self):
        code = org_credit_code(3)
        bad = code[:17] + ("0" if code[17] != "0" else "1")
        with pytest.raises(ValidationFailed, match="GB 32100"):
            open_test_case(self.w, parties=[company(credit_code=bad)])
        with pytest.raises(ValidationFailed, match="GB 32100"):
            open_test_case(self.w, parties=[business(credit_code=bad)])

    def test_the_database_refuses_an_identifier_that_does_not_match_the_kind(self):
        case = open_test_case(self.w, parties=[company()])
        with pytest.raises(IntegrityError), transaction.atomic():
            Party.objects.filter(case=case).update(kind="natural")  # keeps its credit code
        with pytest.raises(IntegrityError), transaction.atomic():
            Party.objects.filter(case=case).update(kind="individual_business")  # no ID number


class AddingChangingRemovingParties(QuickDocumentsTestCase):
    def test_a_party_added_later_is_ledgered_with_its_state(self):
        case = open_test_case(self.w)
        party = add_party(actor=self.w.officer, case_id=case.pk, data=business())
        entry = payload_of(case.pk, "case.party_added")
        assert entry["party"] == party.pk
        assert entry["state"]["legal_representative"] == "赵长江"

    def test_another_agencys_officer_cannot_add_a_party(self):
        case = open_test_case(self.w)
        with pytest.raises(DomainError) as caught:
            add_party(actor=self.w.other_officer, case_id=case.pk, data=person("王某"))
        assert caught.value.code == "not_found"
        assert case.parties.count() == 1

    def test_a_supervisor_cannot_add_a_party(self):
        case = open_test_case(self.w)
        with pytest.raises(DomainError) as caught:
            add_party(actor=self.w.supervisor, case_id=case.pk, data=person("王某"))
        assert caught.value.code == "forbidden"

    def test_a_party_no_document_names_yet_may_be_changed_and_removed(self):
        case = open_test_case(self.w, parties=[person(), person("李某", seq_born())])
        first, second = case.parties.all()
        change_party(
            actor=self.w.officer,
            party_id=first.pk,
            data=person(address="辽宁省盘锦市某路1号"),
        )
        assert Entry.objects.filter(case_id=case.pk, event_type="case.party_changed").exists()
        remove_party(actor=self.w.officer, party_id=second.pk)
        assert list(case.parties.values_list("name", flat=True)) == ["张某"]
        assert not [d.line() for d in reconcile() if d.table.startswith("cases_part")]

    def test_the_last_party_cannot_be_removed(self):
        case = open_test_case(self.w)
        with pytest.raises(ValidationFailed):
            remove_party(actor=self.w.officer, party_id=case.parties.get().pk)

    def test_a_party_named_in_an_issued_document_is_neither_deleted_nor_silently_changed(self):
        case = open_test_case(self.w, parties=[person(), person("李某", seq_born())])
        issue_document(actor=self.w.officer, case_id=case.pk, kind="filing_approval")
        party = case.parties.first()
        assert party is not None
        with pytest.raises(DomainError) as caught:
            remove_party(actor=self.w.officer, party_id=party.pk)
        assert caught.value.code == "party_named_in_document"
        assert "立案审批表" in caught.value.message
        with pytest.raises(DomainError) as caught:
            change_party(actor=self.w.officer, party_id=party.pk, data=person(address="新址"))
        assert caught.value.code == "party_named_in_document"
        assert Party.objects.get(pk=party.pk).address == ""

    def test_a_change_after_a_document_named_the_party_is_a_recorded_correction(self):
        case = open_test_case(self.w)
        issue_document(actor=self.w.officer, case_id=case.pk, kind="filing_approval")
        party = case.parties.get()
        change_party(
            actor=self.w.officer,
            party_id=party.pk,
            data=person(address="辽宁省盘锦市某路1号"),
            correction_reason="住址登记错误，据户籍证明更正",
        )
        correction = PartyCorrection.objects.get(party=party)
        assert correction.changes == {"address": ["", "辽宁省盘锦市某路1号"]}
        entry = payload_of(case.pk, "case.party_corrected")
        assert entry["reason"] == "住址登记错误，据户籍证明更正"
        assert not [d.line() for d in reconcile() if d.table.startswith("cases_part")]

    def test_a_party_added_after_a_document_is_free_until_a_document_names_it(self):
        case = open_test_case(self.w)
        issue_document(actor=self.w.officer, case_id=case.pk, kind="filing_approval")
        added = add_party(actor=self.w.officer, case_id=case.pk, data=person("李某", seq_born()))
        change_party(actor=self.w.officer, party_id=added.pk, data=person("李某", seq_born()))
        remove_party(actor=self.w.officer, party_id=added.pk)


def seq_born() -> date:
    return date(1990, 1, 2)


class PartiesChangedBehindTheApplication(QuickDocumentsTestCase):
    def test_raw_sql_changing_a_party_named_in_an_issued_document_is_named_by_the_state_check(
        self,
    ):
        case = open_test_case(self.w, parties=[company()])
        issue_document(actor=self.w.officer, case_id=case.pk, kind="filing_approval")
        party = case.parties.get()
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE cases_party SET name = %s, legal_representative = %s WHERE id = %s",
                ["另一家公司", "冒名", party.pk],
            )
        found = {d.field: d for d in reconcile() if d.table == "cases_party"}
        assert set(found) == {"name", "legal_representative"}
        assert "立案审批表" in found["name"].message

    def test_a_party_deleted_or_inserted_by_raw_sql_is_named(self):
        case = open_test_case(self.w, parties=[company(), person()])
        second = case.parties.order_by("pk").last()
        assert second is not None
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM cases_party WHERE id = %s", [second.pk])
            cursor.execute(
                "INSERT INTO cases_party (case_id, kind, name, id_number, credit_code, "
                "legal_representative, address, phone, is_minor) "
                "VALUES (%s, 'natural', '插入者', '', '', '', '', '', %s)",
                [case.pk, False],
            )
        messages = {d.message for d in reconcile() if d.table == "cases_party"}
        assert "账本记载的当事人在表中不存在" in messages
        assert "当事人在账本中没有登记条目" in messages

    def test_an_agents_powers_widened_by_raw_sql_are_named(self):
        case = open_test_case(self.w)
        found = appoint_agent(actor=self.w.officer, party_id=case.parties.get().pk, data=agent())
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE cases_partyagent SET powers = ',admit,waive,' WHERE id = %s", [found.pk]
            )
        assert [d.field for d in reconcile() if d.table == "cases_partyagent"] == ["powers"]


class Agents(QuickDocumentsTestCase):
    def test_an_agent_is_registered_with_the_letter_and_its_powers(self):
        case = open_test_case(self.w)
        found = appoint_agent(actor=self.w.officer, party_id=case.parties.get().pk, data=agent())
        assert found.authority_text == "特别授权（代为申请、参加听证、代为签收法律文书）"
        assert Entry.objects.filter(case_id=case.pk, event_type="case.agent_appointed").exists()

    def test_an_agent_without_a_letter_is_refused(self):
        case = open_test_case(self.w)
        with pytest.raises(DomainError) as caught:
            appoint_agent(
                actor=self.w.officer,
                party_id=case.parties.get().pk,
                data=agent(letter_reference=""),
            )
        assert caught.value.code == "agent_letter_required"
        assert not PartyAgent.objects.exists()

    def test_the_database_refuses_an_agent_without_a_letter(self):
        case = open_test_case(self.w)
        found = appoint_agent(actor=self.w.officer, party_id=case.parties.get().pk, data=agent())
        with pytest.raises(IntegrityError), transaction.atomic():
            PartyAgent.objects.filter(pk=found.pk).update(letter_reference="")

    def test_a_letter_that_is_not_a_record_of_the_case_is_refused(self):
        case = open_test_case(self.w)
        with pytest.raises(ValidationFailed, match="不是本案的证据记录"):
            appoint_agent(
                actor=self.w.officer,
                party_id=case.parties.get().pk,
                data=agent(letter_record_id=999999, letter_reference=""),
            )

    def test_a_special_authority_must_list_its_powers_and_a_general_one_none(self):
        case = open_test_case(self.w)
        pk = case.parties.get().pk
        with pytest.raises(ValidationFailed, match="列明授权事项"):
            appoint_agent(actor=self.w.officer, party_id=pk, data=agent(powers=()))
        with pytest.raises(ValidationFailed, match="一般代理不得"):
            appoint_agent(actor=self.w.officer, party_id=pk, data=agent(authority="general"))

    def test_an_agent_with_a_bad_id_number_is_refused(self):
        case = open_test_case(self.w)
        with pytest.raises(ValidationFailed, match="委托代理人"):
            appoint_agent(
                actor=self.w.officer,
                party_id=case.parties.get().pk,
                data=agent(id_number="211103198506010000"),
            )

    def test_a_third_agent_of_one_party_is_refused(self):
        case = open_test_case(self.w)
        pk = case.parties.get().pk
        appoint_agent(actor=self.w.officer, party_id=pk, data=agent())
        appoint_agent(actor=self.w.officer, party_id=pk, data=agent(name="孙某"))
        with pytest.raises(DomainError, match="第六十四条"):
            appoint_agent(actor=self.w.officer, party_id=pk, data=agent(name="周某"))

    def test_a_withdrawn_agent_stays_in_the_history_but_acts_no_more(self):
        case = open_test_case(self.w)
        found = appoint_agent(actor=self.w.officer, party_id=case.parties.get().pk, data=agent())
        today = timezone.localdate()
        withdraw_agent(actor=self.w.officer, agent_id=found.pk, on=today, reason="当事人书面解除")
        assert PartyAgent.objects.filter(pk=found.pk).exists()
        assert not active_agents(case, today).exists()
        with pytest.raises(DomainError) as caught:
            withdraw_agent(actor=self.w.officer, agent_id=found.pk, on=today, reason="再次")
        assert caught.value.code == "conflict"

    def test_another_agencys_officer_cannot_register_an_agent(self):
        case = open_test_case(self.w)
        with pytest.raises(DomainError) as caught:
            appoint_agent(actor=self.w.other_officer, party_id=case.parties.get().pk, data=agent())
        assert caught.value.code == "not_found"


class Witnesses(QuickDocumentsTestCase):
    def test_a_witness_is_registered_and_found_by_role(self):
        case = open_test_case(self.w)
        add_witness(
            actor=self.w.officer,
            case_id=case.pk,
            data=WitnessData(role="observer", name="社区干部周某", witnessed="见证留置送达"),
        )
        assert [w.name for w in witnesses_of(case, "observer")] == ["社区干部周某"]
        assert not witnesses_of(case, "witness").exists()

    def test_a_witness_must_say_what_they_witnessed_and_have_a_valid_id(self):
        case = open_test_case(self.w)
        with pytest.raises(ValidationFailed):
            add_witness(
                actor=self.w.officer,
                case_id=case.pk,
                data=WitnessData(role="witness", name="周某", witnessed=""),
            )
        with pytest.raises(ValidationFailed):
            add_witness(
                actor=self.w.officer,
                case_id=case.pk,
                data=WitnessData(
                    role="witness", name="周某", witnessed="x", id_number="123456789012345678"
                ),
            )
        assert not Witness.objects.exists()


class DocumentsAddressEachParty(QuickDocumentsTestCase):
    def test_each_party_is_named_with_its_kind_specific_lines_and_agent(self):
        from sanxiang.documents.builders import _parties

        case = open_test_case(self.w, parties=[company(), business(), person()])
        parties = list(case.parties.all())
        appoint_agent(actor=self.w.officer, party_id=parties[2].pk, data=agent())
        lines = [p.text for p in _parties(sheet_from_case(case)) if isinstance(p, Para)]
        assert "法定代表人：李某" in lines
        assert "当事人：兴隆台区某某小吃店（个体工商户）" in lines
        assert any(line.startswith("经营者：赵长江") for line in lines)
        agent_lines = [line for line in lines if line.startswith("委托代理人：")]
        assert agent_lines == [
            "委托代理人：钱律师，律师（辽宁某律师事务所），"
            "特别授权（代为申请、参加听证、代为签收法律文书），联系电话13800002222"
        ]
        # The agent follows the party it acts for (the third).
        assert lines.index(agent_lines[0]) == len(lines) - 1

    def test_an_other_organisation_names_its_responsible_person(self):
        from sanxiang.documents.builders import _parties

        other = PartyData(
            kind="other_organisation", name="某某合伙企业", legal_representative="孙某"
        )
        case = open_test_case(self.w, parties=[other])
        blocks = _parties(sheet_from_case(case))
        assert "负责人：孙某" in [p.text for p in blocks if isinstance(p, Para)]


class MaskingKnowsEveryPersonNamed(QuickDocumentsTestCase):
    def test_a_published_decision_masks_agents_witnesses_and_representatives(self):
        case = open_test_case(self.w, parties=[company(legal_representative="李大海"), business()])
        org, shop = case.parties.all()
        found = appoint_agent(actor=self.w.officer, party_id=org.pk, data=agent(name="钱多多"))
        add_witness(
            actor=self.w.officer,
            case_id=case.pk,
            data=WitnessData(
                role="witness",
                name="周小川",
                witnessed="目睹组织活动",
                id_number=resident_id(date(1970, 2, 3), 41),
                phone="13700003333",
            ),
        )
        text = (
            "当事人某文化传播有限公司，法定代表人李大海。委托代理人钱多多，"
            f"身份证号码{found.id_number}。个体工商户兴隆台区某某小吃店，经营者赵长江，"
            f"身份证号码{shop.id_number}。证人周小川（{resident_id(date(1970, 2, 3), 41)}，"
            "电话13700003333）证明当事人组织活动。"
        )
        masked = masking.masked_text(text, masking.spans_for(text, case, ()))
        for secret in (
            "李大海",
            "钱多多",
            "赵长江",
            "周小川",
            found.id_number,
            shop.id_number,
            "13700003333",
        ):
            assert secret not in masked, secret
        assert "某文化传播有限公司" in masked and "兴隆台区某某小吃店" in masked
        assert {p.name for p in other_people(case)} == {"钱多多", "周小川"}


class PartyPages(QuickDocumentsTestCase):
    def test_the_case_page_lists_parties_with_kinds_agents_and_witnesses(self):
        from sanxiang.testing import signed_in

        case = open_test_case(self.w, parties=[company(), business()])
        first = case.parties.order_by("pk")[0]
        appoint_agent(actor=self.w.officer, party_id=first.pk, data=agent())
        add_witness(
            actor=self.w.officer,
            case_id=case.pk,
            data=WitnessData(role="witness", name="周某", witnessed="目睹"),
        )
        page = signed_in(self.w.officer).get(f"/cases/{case.pk}/").content.decode()
        for shown in (
            "个体工商户",
            "经营者 赵长江",
            "委托代理人 <strong>钱律师</strong>",
            "周某",
            "增加当事人",
        ):
            assert shown in page, shown

    def test_an_officer_adds_a_party_and_an_agent_through_the_forms(self):
        from sanxiang.testing import signed_in

        case = open_test_case(self.w)
        client = signed_in(self.w.officer)
        answer = client.post(
            f"/cases/{case.pk}/parties/new/",
            {"kind": "organisation", "name": "某公司", "credit_code": org_credit_code(5)},
        )
        assert answer.status_code == 302
        party = case.parties.get(name="某公司")
        today = timezone.localdate().isoformat()
        answer = client.post(
            f"/cases/parties/{party.pk}/agents/new/",
            {
                "name": "钱律师",
                "id_number": resident_id(date(1985, 6, 1), 31),
                "relation": "律师",
                "authority": "general",
                "letter_dated_on": today,
                "valid_from": today,
            },
        )
        assert answer.status_code == 200 and "授权委托书" in answer.content.decode()
        assert not PartyAgent.objects.exists()

    def test_a_named_party_edited_without_a_reason_is_refused_on_the_page(self):
        from sanxiang.testing import signed_in

        case = open_test_case(self.w)
        issue_document(actor=self.w.officer, case_id=case.pk, kind="filing_approval")
        party = case.parties.get()
        answer = signed_in(self.w.officer).post(
            f"/cases/parties/{party.pk}/",
            {"kind": "natural", "name": "张某", "id_number": party.id_number, "address": "新址"},
        )
        assert answer.status_code == 200 and "更正理由" in answer.content.decode()
        assert Party.objects.get(pk=party.pk).address == ""

    def test_another_agencys_officer_gets_not_found_on_the_party_forms(self):
        from sanxiang.testing import signed_in

        case = open_test_case(self.w)
        client = signed_in(self.w.other_officer)
        assert client.get(f"/cases/{case.pk}/parties/new/").status_code == 404
        party = case.parties.get()
        assert client.post(f"/cases/parties/{party.pk}/remove/").status_code == 404
        assert case.parties.count() == 1

    def test_the_opening_form_takes_a_second_party(self):
        from sanxiang.cases.forms import OpenCaseForm

        form = OpenCaseForm(agency=self.w.agency)
        assert "party2_name" in form.fields


class PartyApi(QuickDocumentsTestCase):
    def test_a_party_is_added_through_the_api_and_another_agency_is_not_found(self):
        from sanxiang.testing import signed_in

        case = open_test_case(self.w)
        body = {
            "kind": "individual_business",
            "name": "某小吃店",
            "legal_representative": "赵长江",
            "id_number": resident_id(date(1975, 3, 9), 21),
        }
        answer = signed_in(self.w.officer).post(
            f"/api/v1/cases/{case.pk}/parties", body, content_type="application/json"
        )
        assert answer.status_code == 201, answer.content
        assert [p["kind"] for p in answer.json()["parties"]] == ["natural", "individual_business"]
        answer = signed_in(self.w.other_officer).post(
            f"/api/v1/cases/{case.pk}/parties", body, content_type="application/json"
        )
        assert answer.status_code == 404


class OneDocumentPerParty(QuickDocumentsTestCase):
    def _case(self):
        from sanxiang.cases.models import Case

        case = open_test_case(self.w, parties=[company(), business()])
        Case.objects.filter(pk=case.pk).update(stage="decision")
        return Case.objects.get(pk=case.pk)

    def test_a_delivery_receipt_may_be_issued_to_each_party_apart(self):
        from sanxiang.documents.builders import build
        from sanxiang.documents.kinds import get_kind

        case = self._case()
        shop = case.parties.get(kind="individual_business")
        doc = issue_document(
            actor=self.w.officer, case_id=case.pk, kind="delivery_receipt", party_id=shop.pk
        )
        entry = json.loads(Entry.objects.get(event_type="document.issued").payload)
        assert entry["party"] == shop.pk
        kind = get_kind("delivery_receipt")
        assert kind is not None
        sheet = sheet_from_case(case)
        from sanxiang.documents.queries import addressed_to

        own = build(
            kind,
            addressed_to(case, sheet, shop.pk),
            number="",
            issued_on=timezone.localdate(doc.issued_at),
        )
        assert own.sha256() == doc.content_sha256
        assert "某文化传播有限公司" not in str(own.blocks)
        assert "兴隆台区某某小吃店" in str(own.blocks)

    def test_a_single_per_case_kind_cannot_be_issued_to_one_party(self):
        case = open_test_case(self.w, parties=[company(), business()])
        with pytest.raises(ValidationFailed, match="按案件制发"):
            issue_document(
                actor=self.w.officer,
                case_id=case.pk,
                kind="filing_approval",
                party_id=case.parties.first().pk,  # type: ignore[union-attr]
            )

    def test_a_party_of_another_case_is_refused(self):
        case = self._case()
        other = open_test_case(self.w)
        with pytest.raises(DomainError, match="不是本案当事人"):
            issue_document(
                actor=self.w.officer,
                case_id=case.pk,
                kind="delivery_receipt",
                party_id=other.parties.get().pk,
            )
