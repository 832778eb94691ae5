"""The 听证通知书 (行政处罚法 第64条): the hearing's time, place and presiding officer entered
through ``cases.hearings.schedule_hearing``, served at least 7 working days before the hearing
(第64条第（二）项, 第85条), presided over by someone who did not investigate (第64条第（四）项),
and no decision before the hearing's day."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from typing import Any
from unittest import mock

import pytest
from django.utils import timezone

from sanxiang.cases.hearings import current, schedule_hearing
from sanxiang.cases.models import Case, ScheduledHearing
from sanxiang.cases.services import DraftData, save_draft, transition
from sanxiang.cases.testing import company, hold_hearing, open_test_case, working_days_before
from sanxiang.documents.builders import build
from sanxiang.documents.kinds import get_kind
from sanxiang.documents.models import IssuedDocument
from sanxiang.documents.queries import allowed_kinds, sheet_from_case
from sanxiang.documents.services import issue_document
from sanxiang.documents.testing import take_step
from sanxiang.ledger.models import Entry
from sanxiang.lib.errors import DomainError
from sanxiang.lib.workdays import add_working_days
from sanxiang.review.testing import pass_review

from .helpers import QuickDocumentsTestCase, case_at, fine_draft


def at(day: date, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 30)))


def refused(code: str, fn, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as caught:
        fn(**kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value


class SchedulingTheHearing(QuickDocumentsTestCase):
    def at_hearing(self) -> Case:
        return case_at(self.w, "hearing", **fine_draft("150000"))

    def schedule(self, case: Case, held: date, **kwargs) -> ScheduledHearing:
        values: dict[str, Any] = {
            "place": "本机关三楼听证室",
            "presiding_id": self.w.head.officer.pk,
        } | kwargs
        return schedule_hearing(actor=self.w.officer, case_id=case.pk, held_at=at(held), **values)

    def test_a_hearing_six_working_days_after_the_notice_is_refused_and_nothing_is_saved(self):
        case = self.at_hearing()
        today = timezone.localdate()
        error = refused(
            "hearing_notice_too_late", self.schedule, case=case, held=add_working_days(today, 6)
        )
        assert "不足七个工作日" in error.message and "第64条" in error.message
        assert "第85条" in error.message
        assert not ScheduledHearing.objects.exists()
        assert not Entry.objects.filter(event_type="case.hearing_scheduled").exists()

    def test_a_hearing_seven_working_days_after_the_notice_is_scheduled_with_its_entry(self):
        case = self.at_hearing()
        held = add_working_days(timezone.localdate(), 7)
        hearing = self.schedule(case, held)
        assert current(case) == hearing and hearing.notified_on == timezone.localdate()
        entry = Entry.objects.get(event_type="case.hearing_scheduled", case_id=case.pk)
        assert entry.actor_id == self.w.officer.pk

    def test_seven_calendar_days_over_a_weekend_are_not_seven_working_days(self):
        case = self.at_hearing()
        today = timezone.localdate()
        # Seven calendar days always hold a weekend: fewer than seven working days.
        held = date.fromordinal(today.toordinal() + 7)
        refused("hearing_notice_too_late", self.schedule, case=case, held=held)

    def test_an_investigating_officer_may_not_preside(self):
        case = self.at_hearing()
        held = add_working_days(timezone.localdate(), 10)
        error = refused(
            "hearing_presiding_investigator",
            self.schedule,
            case=case,
            held=held,
            presiding_id=self.w.officer2.officer.pk,
        )
        assert "第64条第（四）项" in error.message
        assert not ScheduledHearing.objects.exists()

    def test_another_agencys_officer_may_not_preside_and_a_place_is_needed(self):
        case = self.at_hearing()
        held = add_working_days(timezone.localdate(), 10)
        other = self.w.other_officer.officer.pk
        refused("validation_error", self.schedule, case=case, held=held, presiding_id=other)
        refused("validation_error", self.schedule, case=case, held=held, place="  ")
        assert not ScheduledHearing.objects.exists()

    def test_a_hearing_is_scheduled_only_at_the_hearing_stage_and_only_by_the_team(self):
        held = add_working_days(timezone.localdate(), 10)
        at_defence = case_at(self.w, "defence", **fine_draft("150000"))
        refused("conflict", self.schedule, case=at_defence, held=held)
        case = self.at_hearing()
        with pytest.raises(DomainError) as caught:
            schedule_hearing(
                actor=self.w.other_officer,
                case_id=case.pk,
                held_at=at(held),
                place="听证室",
                presiding_id=self.w.head.officer.pk,
            )
        assert caught.value.code in {"not_found", "forbidden"}
        assert not ScheduledHearing.objects.exists()

    def test_a_notice_day_in_the_future_is_refused(self):
        case = self.at_hearing()
        tomorrow = date.fromordinal(timezone.localdate().toordinal() + 1)
        held = add_working_days(tomorrow, 8)
        with pytest.raises(DomainError) as caught:
            self.schedule(case, held, notified_on=tomorrow)
        assert caught.value.code == "validation_error"


class TheNotice(QuickDocumentsTestCase):
    def test_the_hearing_stage_offers_the_notice(self):
        case = case_at(self.w, "hearing", **fine_draft("150000"))
        assert "hearing_summons" in {k.code for k in allowed_kinds(case)}

    def test_the_notice_is_refused_before_the_hearing_is_scheduled(self):
        case = case_at(self.w, "hearing", **fine_draft("150000"))
        with pytest.raises(DomainError) as caught:
            issue_document(actor=self.w.officer, case_id=case.pk, kind="hearing_summons")
        assert caught.value.code == "validation_error" and "安排听证" in caught.value.message
        assert not IssuedDocument.objects.filter(case=case).exists()

    def test_the_notice_states_the_time_the_place_the_presiding_officer_and_article_64(self):
        case = case_at(self.w, "hearing", **fine_draft("150000"))
        hearing = hold_hearing(self.w, case.pk, place="兴隆台区民宗局三楼听证室")
        doc = issue_document(actor=self.w.officer, case_id=case.pk, kind="hearing_summons")
        assert doc.number and "听通" in doc.number
        kind = get_kind("hearing_summons")
        assert kind is not None
        content = build(
            kind, sheet_from_case(case), number=doc.number, issued_on=timezone.localdate()
        )
        text = str(content.blocks)
        held = timezone.localtime(hearing.held_at)
        assert f"{held.year}年{held.month}月{held.day}日09:30" in text
        assert "兴隆台区民宗局三楼听证室" in text
        assert self.w.head.officer.name in text
        assert "第六十四条第（二）项" in text and "非本案调查人员" in text


class LeavingTheHearing(QuickDocumentsTestCase):
    def heard(self, on: date | None = None) -> Case:
        """A company's case taken to its hearing (on ``on``), with a fine in 第63条's scope."""
        case = open_test_case(self.w, parties=[company()], opened_on=on)
        take_step(self.w.head, case.pk, "investigation", on=on)
        save_draft(
            actor=self.w.officer,
            case_id=case.pk,
            data=DraftData(**fine_draft("150000"), text="罚款十五万元。"),
        )
        for target in ("case_review", "notice", "hearing"):
            take_step(self.w.officer, case.pk, target, on=on)
        return Case.objects.get(pk=case.pk)

    def test_the_decision_is_refused_without_a_scheduled_hearing(self):
        case = self.heard()
        error = refused(
            "hearing_not_held", transition, actor=self.w.head, case_id=case.pk, target="decision"
        )
        assert "尚未安排听证" in error.message and "第64条" in error.message
        assert Case.objects.get(pk=case.pk).stage == "hearing"

    def test_the_decision_is_refused_before_the_hearing_day(self):
        case = self.heard()
        hold_hearing(self.w, case.pk)
        before = Entry.objects.filter(case_id=case.pk, event_type="case.transition").count()
        error = refused(
            "hearing_not_held", take_step, actor=self.w.head, case_id=case.pk, target="decision"
        )
        assert "此前不得作出决定" in error.message and "第65条" in error.message
        assert Case.objects.get(pk=case.pk).stage == "hearing"
        assert Entry.objects.filter(case_id=case.pk, event_type="case.transition").count() == before

    def test_on_the_hearing_day_the_decision_still_needs_the_notice_served(self):
        notified = working_days_before(timezone.localdate(), 7)
        case = self.heard(on=notified)
        hold_hearing(self.w, case.pk, notified_on=notified)
        pass_review(self.w, case)
        error = refused(
            "document_required", transition, actor=self.w.head, case_id=case.pk, target="decision"
        )
        assert "《听证通知书》" in error.message and "第64条" in error.message
        # With the notice and its 送达回证 issued, the decision follows the hearing held today.
        case = take_step(self.w.head, case.pk, "decision")
        assert case.stage == "decision"
        kinds = list(IssuedDocument.objects.filter(case=case).values_list("kind", flat=True))
        assert kinds[-2:] == ["hearing_summons", "delivery_receipt"]


@contextmanager
def clock(day: date) -> Iterator[None]:
    """Run the block as on ``day`` (10:00 local): the services stamp their rows and ledger
    entries with that time, as a walk over those days would have (the ledger is append-only,
    so its entries cannot be back-dated after the fact)."""
    with mock.patch("django.utils.timezone.now", return_value=at(day, 10)):
        yield


class RescheduledHearing(QuickDocumentsTestCase):
    """A hearing whose time changes after its 听证通知书 was served is notified again, and the
    七个工作日 run from the new notice's service (第64条第（二）项, 第85条; h10a item 3)."""

    def notified(self, first: date) -> Case:
        """On ``first``, a case taken to its hearing, the hearing scheduled 7 working days on
        and its 听证通知书 and 送达回证 issued."""
        with clock(first):
            case = LeavingTheHearing.heard(self)  # type: ignore[arg-type]
            hold_hearing(self.w, case.pk, notified_on=first)
            for kind in ("hearing_summons", "delivery_receipt"):
                issue_document(actor=self.w.officer, case_id=case.pk, kind=kind)
        return case

    def reschedule(self, case: Case, held: date, **kwargs: Any) -> ScheduledHearing:
        return schedule_hearing(
            actor=self.w.officer,
            case_id=case.pk,
            held_at=at(held, 14),
            place="本机关三楼听证室",
            presiding_id=self.w.head.officer.pk,
            **kwargs,
        )

    def decide(self, case: Case) -> Case:
        pass_review(self.w, case)
        return take_step(self.w.head, case.pk, "decision")

    def test_the_case_leaves_the_hearing_on_its_first_notice(self):
        case = self.notified(working_days_before(timezone.localdate(), 7))
        assert self.decide(case).stage == "decision"

    def test_a_new_time_cannot_be_notified_on_a_day_before_today(self):
        first = working_days_before(timezone.localdate(), 7)
        case = self.notified(first)
        held = add_working_days(timezone.localdate(), 8)
        error = refused(
            "hearing_notice_too_late", self.reschedule, case=case, held=held, notified_on=first
        )
        assert "原定时间" in error.message and "重新制发《听证通知书》" in error.message
        assert "第64条" in error.message and "第85条" in error.message
        assert ScheduledHearing.objects.filter(case=case).count() == 1

    def test_the_old_notice_does_not_let_the_rescheduled_hearing_be_left(self):
        today = timezone.localdate()
        case = self.notified(working_days_before(today, 10))
        moved_on = working_days_before(today, 7)
        with clock(moved_on):
            self.reschedule(case, today)  # 七个工作日 after the day it is moved
        entry = Entry.objects.filter(event_type="case.hearing_scheduled", case_id=case.pk)
        assert '"renotice":true' in entry.latest("id").payload.replace(" ", "")
        before = Entry.objects.filter(case_id=case.pk, event_type="case.transition").count()
        pass_review(self.w, case)
        error = refused(
            "hearing_not_held", take_step, actor=self.w.head, case_id=case.pk, target="decision"
        )
        assert "原定时间、地点" in error.message and "重新制发《听证通知书》" in error.message
        assert Case.objects.get(pk=case.pk).stage == "hearing"
        assert Entry.objects.filter(case_id=case.pk, event_type="case.transition").count() == before

    def test_the_new_notice_served_seven_working_days_before_lets_the_case_go(self):
        today = timezone.localdate()
        case = self.notified(working_days_before(today, 10))
        moved_on = working_days_before(today, 7)
        with clock(moved_on):
            self.reschedule(case, today)
            issue_document(actor=self.w.officer, case_id=case.pk, kind="hearing_summons")
        pass_review(self.w, case)
        error = refused(
            "document_required", transition, actor=self.w.head, case_id=case.pk, target="decision"
        )
        assert "《听证通知书》" in error.message  # the new notice is not yet delivered
        with clock(moved_on):
            issue_document(actor=self.w.officer, case_id=case.pk, kind="delivery_receipt")
        assert take_step(self.w.head, case.pk, "decision").stage == "decision"

    def test_the_new_notice_served_six_working_days_before_is_too_late(self):
        today = timezone.localdate()
        case = self.notified(working_days_before(today, 10))
        with clock(working_days_before(today, 7)):
            self.reschedule(case, today)
            issue_document(actor=self.w.officer, case_id=case.pk, kind="hearing_summons")
        # Served a day late: six working days before the new hearing day.
        with clock(working_days_before(today, 6)):
            issue_document(actor=self.w.officer, case_id=case.pk, kind="delivery_receipt")
        pass_review(self.w, case)
        error = refused(
            "hearing_notice_too_late",
            transition,
            actor=self.w.head,
            case_id=case.pk,
            target="decision",
        )
        assert "变更后的《听证通知书》" in error.message and "不足七个工作日" in error.message
        assert Case.objects.get(pk=case.pk).stage == "hearing"

    def test_the_same_time_and_place_entered_again_needs_no_new_notice(self):
        case = self.notified(working_days_before(timezone.localdate(), 7))
        hearing = current(case)
        assert hearing is not None
        schedule_hearing(
            actor=self.w.officer,
            case_id=case.pk,
            held_at=hearing.held_at,
            place=hearing.place,
            presiding_id=hearing.presiding_id,
            notified_on=hearing.notified_on,
        )
        assert ScheduledHearing.objects.filter(case=case).count() == 2
        assert self.decide(case).stage == "decision"
