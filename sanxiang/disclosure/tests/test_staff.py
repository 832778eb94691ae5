from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from sanxiang.disclosure.models import Post, Publication, PublicationRule, PublicationStatus
from sanxiang.testing import signed_in

from .helpers import DisclosureTestCase, published, queued


class TheQueuePage(DisclosureTestCase):
    item: Publication

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.item = queued(cls.w)

    def test_anonymous_visitors_are_sent_to_login(self):
        for url in ("/disclosure/", f"/disclosure/{self.item.pk}/", "/disclosure/posts/"):
            response = Client().get(url)
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    def test_the_queue_warns_yellow_near_and_red_after_the_due_date(self):
        client = signed_in(self.w.officer)
        Publication.objects.filter(pk=self.item.pk).update(due_on=timezone.localdate())
        assert "黄色预警" in client.get("/disclosure/").content.decode()
        Publication.objects.filter(pk=self.item.pk).update(
            due_on=timezone.localdate() - timedelta(days=1)
        )
        page = client.get("/disclosure/").content.decode()
        assert "红色预警" in page and "已超过公示期限" in page

    def test_a_missing_calendar_year_is_shown_on_the_queue(self):
        Publication.objects.filter(pk=self.item.pk).update(due_on=None, calendar_gap_year=2027)
        page = signed_in(self.w.officer).get("/disclosure/").content.decode()
        assert "缺少2027年" in page

    def test_the_workbench_shows_the_disclosure_panel(self):
        page = signed_in(self.w.head).get("/").content.decode()
        assert "待公示与待撤回" in page and self.item.doc_number in page

    def test_another_agency_does_not_see_the_item(self):
        client = signed_in(self.w.other_officer)
        assert self.item.doc_number not in client.get("/disclosure/").content.decode()
        assert client.get(f"/disclosure/{self.item.pk}/").status_code == 404
        assert client.post(f"/disclosure/{self.item.pk}/publish/").status_code == 404

    def test_the_preview_highlights_what_was_masked(self):
        page = signed_in(self.w.officer).get(f"/disclosure/{self.item.pk}/").content.decode()
        assert 'class="sx-mask sx-mask-name"' in page and "张某" in page
        assert page.count("<mark") >= 4  # names, ID, address, phone

    def test_a_supervisor_sees_but_cannot_publish(self):
        client = signed_in(self.w.supervisor)
        assert client.get(f"/disclosure/{self.item.pk}/").status_code == 200
        assert client.post(f"/disclosure/{self.item.pk}/publish/").status_code == 403

    def test_publishing_from_the_preview_then_twice_is_refused(self):
        client = signed_in(self.w.head)
        assert client.post(f"/disclosure/{self.item.pk}/publish/").status_code == 302
        response = client.post(f"/disclosure/{self.item.pk}/publish/")
        assert response.status_code == 409 and "不能重复公示" in response.content.decode()

    def test_a_get_cannot_publish(self):
        assert signed_in(self.w.head).get(f"/disclosure/{self.item.pk}/publish/").status_code == 405

    def test_an_exclusion_without_a_reason_is_refused_with_the_field(self):
        client = signed_in(self.w.head)
        response = client.post(f"/disclosure/{self.item.pk}/exclude/", {"x-kind": "privacy"})
        assert response.status_code == 422 and "具体说明" in response.content.decode()
        response = client.post(
            f"/disclosure/{self.item.pk}/exclude/", {"x-kind": "privacy", "x-reason": "涉及隐私"}
        )
        assert response.status_code == 302
        assert Publication.objects.get(pk=self.item.pk).status == PublicationStatus.EXCLUDED


class WithdrawingFromTheWorkbench(DisclosureTestCase):
    def test_withdrawal_with_revocation_date_and_reason(self):
        item = published(self.w)
        client = signed_in(self.w.head)
        today = timezone.localdate().isoformat()
        response = client.post(
            f"/disclosure/{item.pk}/revocation/",
            {"r-reason_kind": "revoked", "r-reason": "复议撤销", "r-revoked_on": today},
        )
        assert response.status_code == 302
        assert "须于" in client.get("/disclosure/").content.decode()
        response = client.post(
            f"/disclosure/{item.pk}/withdraw/",
            {"w-reason_kind": "revoked", "w-reason": "经复议撤销原决定。"},
        )
        assert response.status_code == 302
        assert Publication.objects.get(pk=item.pk).status == PublicationStatus.WITHDRAWN

    def test_a_bad_reason_kind_is_refused(self):
        item = published(self.w)
        response = signed_in(self.w.head).post(
            f"/disclosure/{item.pk}/withdraw/", {"w-reason_kind": "whim", "w-reason": "x"}
        )
        assert response.status_code == 422


class PostsAndRules(DisclosureTestCase):
    def test_an_admin_creates_and_edits_a_post(self):
        client = signed_in(self.w.admin)
        data = {"window": "2号窗口", "name": "李某", "duties": "咨询", "is_active": "on"}
        assert client.post("/disclosure/posts/new/", data).status_code == 302
        post = Post.objects.get(window="2号窗口")
        data["duties"] = "咨询、受理"
        assert client.post(f"/disclosure/posts/{post.pk}/", data).status_code == 302
        post.refresh_from_db()
        assert post.duties == "咨询、受理"

    def test_an_officer_cannot_edit_posts_and_other_agency_posts_are_hidden(self):
        data = {"window": "3号", "name": "x", "duties": "y"}
        assert signed_in(self.w.officer).post("/disclosure/posts/new/", data).status_code == 403
        post = Post.objects.create(agency=self.w.agency, window="1号", name="x", duties="y")
        response = signed_in(self.w.other_officer).get(f"/disclosure/posts/{post.pk}/")
        assert response.status_code == 404

    def test_an_admin_sets_the_rule_table(self):
        client = signed_in(self.w.admin)
        data = {
            "category": "licence",
            "days": 5,
            "period_days": 365,
            "natural_person_period_days": 90,
            "warn_days": 2,
        }
        assert client.post("/disclosure/rules/", data).status_code == 302
        rule = PublicationRule.objects.get(agency=self.w.agency, category="licence")
        assert rule.days == 5 and not rule.publish_warning_only
        assert signed_in(self.w.officer).post("/disclosure/rules/", data).status_code == 403
