"""Masking knows every person a case names (issue 10, item 4): a published decision that names
the 法定代表人, a 委托代理人 and a witness shows none of their names or numbers."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from sanxiang.cases.models import Case
from sanxiang.cases.services import AgentData, WitnessData, add_witness, appoint_agent
from sanxiang.cases.testing import company, resident_id
from sanxiang.disclosure import services
from sanxiang.disclosure.models import Publication
from sanxiang.documents.services import issue_document

from .helpers import DisclosureTestCase, decided_case

AGENT_ID = resident_id(date(1985, 6, 1), 31)
WITNESS_ID = resident_id(date(1970, 2, 3), 41)
FACTS = (
    "经查，当事人于2026年3月组织未经批准的宗教活动。法定代表人李大海到场接受询问，"
    f"委托代理人钱多多（身份证号码{AGENT_ID}）代为陈述；证人周小川（身份证号码{WITNESS_ID}，"
    "电话13700003333）证明活动由当事人组织。"
)


class PeopleNamedInADecisionAreMasked(DisclosureTestCase):
    def test_agents_witnesses_and_the_legal_representative_are_masked_on_the_portal(self):
        case = decided_case(self.w, parties=[company(legal_representative="李大海")], issue=False)
        today = timezone.localdate()
        appoint_agent(
            actor=self.w.officer,
            party_id=case.parties.get().pk,
            data=AgentData(
                name="钱多多",
                id_number=AGENT_ID,
                relation="公司员工",
                authority="general",
                letter_dated_on=today,
                valid_from=today,
                letter_reference="授权委托书（卷内第3页）",
            ),
        )
        add_witness(
            actor=self.w.officer,
            case_id=case.pk,
            data=WitnessData(
                role="witness",
                name="周小川",
                id_number=WITNESS_ID,
                phone="13700003333",
                witnessed="活动由当事人组织",
            ),
        )
        Case.objects.filter(pk=case.pk).update(facts=FACTS)  # test set-up, as in test_from_document
        issue_document(actor=self.w.officer, case_id=case.pk, kind="penalty_decision")
        item = services.publish(
            actor=self.w.head, publication_id=Publication.objects.get(case=case).pk
        )
        assert "钱多多" in item.source_text  # the served body names them …
        for secret in ("李大海", "钱多多", "周小川", AGENT_ID, WITNESS_ID, "13700003333"):
            assert secret not in item.masked_text, secret  # … the portal does not
        assert "李某" in item.masked_text and "钱某" in item.masked_text
