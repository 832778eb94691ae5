"""The case page schedules the hearing (行政处罚法 第64条) and records a 移送 (第27条): the forms
call the same services the tests do, a refusal is said in Chinese and nothing is saved."""

from __future__ import annotations

from django.utils import timezone

from sanxiang.cases.models import ScheduledHearing
from sanxiang.documents.tests.helpers import QuickDocumentsTestCase, case_at, fine_draft
from sanxiang.ledger.models import Entry
from sanxiang.lib.workdays import add_working_days
from sanxiang.testing import signed_in


class HearingForm(QuickDocumentsTestCase):
    def post(self, client, case, held, **changes):
        data = {
            "held_on": held.isoformat(),
            "held_time": "09:30",
            "place": "本机关三楼听证室",
            "presiding": self.w.head.officer.pk,
            "notified_on": timezone.localdate().isoformat(),
        } | changes
        return client.post(f"/cases/{case.pk}/hearing/", data, follow=True)

    def test_the_team_schedules_the_hearing_seven_working_days_after_the_notice(self):
        case = case_at(self.w, "hearing", **fine_draft("150000"))
        client = signed_in(self.w.officer)
        page = client.get(f"/cases/{case.pk}/").content.decode()
        assert 'id="case-hearing"' in page and "尚未安排听证" in page and "第64条" in page
        # The presiding officer may not be on the case team (第64条第（四）项).
        choices = page.split('id="hearing-presiding"')[1].split("</select>")[0]
        assert f'value="{self.w.head.officer.pk}"' in choices
        assert f'value="{self.w.officer.officer.pk}"' not in choices
        held = add_working_days(timezone.localdate(), 7)
        text = self.post(client, case, held).content.decode()
        assert "听证已安排" in text and 'data-testid="hearing-scheduled"' in text
        hearing = ScheduledHearing.objects.get(case=case)
        assert timezone.localdate(hearing.held_at) == held
        assert Entry.objects.filter(case_id=case.pk, event_type="case.hearing_scheduled").exists()

    def test_a_hearing_too_soon_is_refused_with_the_article_and_nothing_is_saved(self):
        case = case_at(self.w, "hearing", **fine_draft("150000"))
        held = add_working_days(timezone.localdate(), 6)
        text = self.post(signed_in(self.w.officer), case, held).content.decode()
        assert "听证安排未保存" in text and "不足七个工作日" in text
        assert not ScheduledHearing.objects.filter(case=case).exists()

    def test_an_investigator_presiding_is_refused(self):
        case = case_at(self.w, "hearing", **fine_draft("150000"))
        held = add_working_days(timezone.localdate(), 8)
        text = self.post(
            signed_in(self.w.officer), case, held, presiding=self.w.officer2.officer.pk
        )
        assert "听证安排未保存" in text.content.decode()
        assert not ScheduledHearing.objects.filter(case=case).exists()

    def test_another_agencys_officer_cannot_schedule_it(self):
        case = case_at(self.w, "hearing", **fine_draft("150000"))
        held = add_working_days(timezone.localdate(), 8)
        response = signed_in(self.w.other_officer).post(
            f"/cases/{case.pk}/hearing/",
            {"held_on": held.isoformat(), "held_time": "09:30", "place": "x", "presiding": 1},
        )
        assert response.status_code == 404
        assert not ScheduledHearing.objects.filter(case=case).exists()


class TransferForm(QuickDocumentsTestCase):
    def test_at_review_the_team_records_the_organ_and_grounds_of_a_transfer(self):
        case = case_at(self.w, "case_review")
        client = signed_in(self.w.officer)
        page = client.get(f"/cases/{case.pk}/").content.decode()
        assert "移送司法机关" in page and "第27条" in page
        text = client.post(
            f"/cases/{case.pk}/transfer/",
            {"organ": "盘锦市公安局兴隆台分局", "grounds": "涉嫌组织利用会道门破坏法律实施罪。"},
            follow=True,
        ).content.decode()
        assert "移送意见已记录" in text
        entry = Entry.objects.get(case_id=case.pk, event_type="case.transfer_prepared")
        assert "盘锦市公安局兴隆台分局" in entry.payload

    def test_an_empty_organ_is_refused_in_chinese(self):
        case = case_at(self.w, "case_review")
        text = (
            signed_in(self.w.officer)
            .post(f"/cases/{case.pk}/transfer/", {"organ": "", "grounds": "理由"}, follow=True)
            .content.decode()
        )
        assert "移送意见未保存" in text
        assert not Entry.objects.filter(case_id=case.pk, event_type="case.transfer_prepared")
