from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from sanxiang.cases.models import Case
from sanxiang.cases.queries import cases_for, get_case_for, had_stage, is_on_team
from sanxiang.cases.services import DraftData, save_draft, transition
from sanxiang.cases.testing import company, make_matter, open_test_case, person
from sanxiang.directory.models import Officer
from sanxiang.ledger.models import Entry
from sanxiang.lib.errors import DomainError
from sanxiang.procedures import engine
from sanxiang.testing import WorldTestCase


class OpeningACase(WorldTestCase):
    def test_case_opens_at_the_first_stage_with_a_number_team_and_ledger_entry(self):
        case = open_test_case(self.w)
        assert case.stage == "filing"
        assert case.number == f"测民宗案字〔{case.year}〕第1号"
        assert case.members.count() == 2
        assert Entry.objects.filter(case_id=case.pk, event_type="case.opened").exists()
        assert had_stage(case, "filing")

    def test_numbers_run_on_per_agency_and_year(self):
        first = open_test_case(self.w)
        second = open_test_case(self.w)
        assert second.seq == first.seq + 1

    def test_a_team_with_one_officer_is_refused(self):
        matter = make_matter(self.w.agency)
        from sanxiang.cases.services import open_case

        with pytest.raises(DomainError) as caught:
            open_case(
                actor=self.w.officer,
                matter_id=matter.pk,
                procedure="penalty_ordinary",
                title="x",
                source="complaint",
                facts="",
                parties=[person()],
                team=[self.w.officer.officer.pk],
                opened_on=timezone.localdate(),
            )
        assert caught.value.code == "officer_not_certified"
        assert Case.objects.count() == 0

    def test_an_officer_whose_certificate_expired_yesterday_is_refused(self):
        Officer.objects.filter(user=self.w.officer2).update(
            certificate_expires=timezone.localdate() - timedelta(days=1)
        )
        with pytest.raises(DomainError) as caught:
            open_test_case(self.w)
        assert caught.value.code == "officer_not_certified"
        assert "officer2" in caught.value.message

    def test_a_party_with_a_wrong_id_check_digit_is_refused(self):
        good = person()
        bad_id = good.id_number[:-1] + ("0" if good.id_number[-1] != "0" else "1")
        with pytest.raises(DomainError) as caught:
            open_test_case(self.w, parties=[person(id_number=bad_id)])
        assert caught.value.code == "validation_error"
        assert Case.objects.count() == 0

    def test_a_party_born_after_the_filing_day_is_refused_and_nothing_is_saved(self):
        tomorrow = timezone.localdate() + timedelta(days=1)
        with pytest.raises(DomainError) as caught:
            open_test_case(self.w, parties=[person(born=tomorrow)])
        assert caught.value.code == "validation_error"
        assert "出生日期晚于立案日期" in caught.value.message
        assert Case.objects.count() == 0

    def test_a_party_born_before_1900_is_refused(self):
        with pytest.raises(DomainError) as caught:
            open_test_case(self.w, parties=[person(born=date(1899, 12, 31))])
        assert caught.value.code == "validation_error"
        assert Case.objects.count() == 0

    def test_a_minor_is_flagged_from_the_id_birth_date(self):
        case = open_test_case(self.w, parties=[person(born=date(2015, 3, 1))])
        assert case.parties.get().is_minor


class MovingACase(WorldTestCase):
    def test_an_officer_cannot_approve_filing_but_the_head_can(self):
        case = open_test_case(self.w)
        with pytest.raises(DomainError) as caught:
            transition(actor=self.w.officer, case_id=case.pk, target="investigation")
        assert caught.value.code == "forbidden"
        case = transition(actor=self.w.head, case_id=case.pk, target="investigation")
        assert case.stage == "investigation"
        assert had_stage(case, "investigation")

    def test_skipping_a_stage_names_the_allowed_next_steps(self):
        case = open_test_case(self.w)
        with pytest.raises(DomainError) as caught:
            transition(actor=self.w.head, case_id=case.pk, target="decision")
        assert caught.value.code == "transition_not_allowed"
        assert "调查取证" in caught.value.message
        assert Case.objects.get(pk=case.pk).stage == "filing"

    def test_guards_registered_by_other_apps_can_refuse(self):
        def no_investigation(ctx: engine.GuardContext) -> None:
            if ctx.target == "investigation":
                raise DomainError("av_record_required", "缺少音像记录。")

        engine.register_guard(no_investigation)
        try:
            case = open_test_case(self.w)
            with pytest.raises(DomainError) as caught:
                transition(actor=self.w.head, case_id=case.pk, target="investigation")
            assert caught.value.code == "av_record_required"
            assert Case.objects.get(pk=case.pk).stage == "filing"
        finally:
            engine.unregister(no_investigation)

    def test_the_draft_carries_a_fingerprint_and_revision(self):
        case = open_test_case(self.w, parties=[company()])
        draft = save_draft(
            actor=self.w.officer,
            case_id=case.pk,
            data=DraftData(kind="fine", fine_amount="150000", legal_basis="宗教事务条例 第71条"),
        )
        assert draft.fine_amount == Decimal("150000.00")
        assert len(draft.fingerprint) == 64
        again = save_draft(
            actor=self.w.officer,
            case_id=case.pk,
            data=DraftData(kind="fine", fine_amount="150000", legal_basis="宗教事务条例 第71条"),
        )
        assert again.revision == 2
        assert again.fingerprint == draft.fingerprint


class Scoping(WorldTestCase):
    def test_other_agency_does_not_see_the_case(self):
        case = open_test_case(self.w)
        assert not cases_for(self.w.other_officer).filter(pk=case.pk).exists()
        with pytest.raises(DomainError) as caught:
            get_case_for(self.w.other_officer, case.pk)
        assert caught.value.code == "not_found"

    def test_supervisor_reads_but_may_not_write(self):
        case = open_test_case(self.w)
        assert get_case_for(self.w.supervisor, case.pk) == case
        with pytest.raises(DomainError) as caught:
            get_case_for(self.w.supervisor, case.pk, write=True)
        assert caught.value.code == "forbidden"

    def test_team_membership(self):
        case = open_test_case(self.w)
        assert is_on_team(self.w.officer, case)
        assert not is_on_team(self.w.head, case)
