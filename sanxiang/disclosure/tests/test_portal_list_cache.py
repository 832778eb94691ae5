"""The cached 事前 lists (事项清单, 执法人员, 目录清单, 服务指南): served from the cache,
dropped the moment master data changes through a service (issue 12 item 8)."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.utils import timezone

from sanxiang.catalog import services as catalog
from sanxiang.catalog.services import MatterContent
from sanxiang.directory import services as directory
from sanxiang.directory.models import Officer
from sanxiang.disclosure import portal_cache
from sanxiang.testing import WorldTestCase

MATTERS = "/gongshi/shixiang/"
OFFICERS = "/gongshi/renyuan/"


def _content(name: str, **kwargs: object) -> MatterContent:
    return MatterContent(category="penalty", name=name, handling_unit="宗教事务股", **kwargs)  # type: ignore[arg-type]


class CachedListsTestCase(WorldTestCase):
    def setUp(self) -> None:
        cache.clear()

    def _new_matter(self, name: str, **kwargs: object) -> int:
        with self.captureOnCommitCallbacks(execute=True):
            version = catalog.create_matter(
                actor=self.w.admin,
                agency_id=self.w.agency.pk,
                code=f"C-{abs(hash(name)) % 10_000}",
                content=_content(name, **kwargs),
                valid_from=timezone.localdate() - timedelta(days=1),
            )
        return version.matter_id


class CachedMatterList(CachedListsTestCase):
    def test_the_second_visitor_gets_the_stored_list_without_touching_the_database(self):
        first = Client().get(MATTERS)
        assert first.status_code == 200 and first["X-Portal-Cache"] == "miss"
        with self.assertNumQueries(0):
            second = Client().get(MATTERS)
        assert second["X-Portal-Cache"] == "hit" and second.content == first.content
        assert "no-cache" in second["Cache-Control"] and second["ETag"]

    def test_a_new_matter_appears_in_the_cached_list_at_once(self):
        assert "为宗教活动提供场所的处罚" not in Client().get(MATTERS).text
        assert Client().get(MATTERS)["X-Portal-Cache"] == "hit"
        self._new_matter("为宗教活动提供场所的处罚")
        after = Client().get(MATTERS)
        assert after["X-Portal-Cache"] == "miss" and "为宗教活动提供场所的处罚" in after.text

    def test_a_revised_service_guide_shows_the_new_text_at_once(self):
        matter_id = self._new_matter("擅自设立宗教活动场所的处罚", conditions="旧的办理条件")
        guide = f"{MATTERS}{matter_id}/"
        assert "旧的办理条件" in Client().get(guide).text
        assert Client().get(guide)["X-Portal-Cache"] == "hit"
        with self.captureOnCommitCallbacks(execute=True):
            catalog.revise_matter(
                actor=self.w.admin,
                matter_id=matter_id,
                content=_content("擅自设立宗教活动场所的处罚", conditions="新的办理条件"),
                valid_from=timezone.localdate(),
                note="更新办理条件",
            )
        after = Client().get(guide).text
        assert "新的办理条件" in after and "旧的办理条件" not in after

    def test_a_change_that_rolls_back_leaves_the_cached_list_in_place(self):
        Client().get(MATTERS)
        generation = portal_cache.generation(portal_cache.LISTS)
        with self.captureOnCommitCallbacks(execute=True), transaction.atomic():
            catalog.create_matter_row(
                actor=self.w.admin,
                agency_id=self.w.agency.pk,
                code="C-ROLLBACK",
                content=_content("回滚的事项"),
                valid_from=timezone.localdate(),
            )
            transaction.set_rollback(True)
        assert portal_cache.generation(portal_cache.LISTS) == generation
        assert Client().get(MATTERS)["X-Portal-Cache"] == "hit"

    def test_a_case_step_does_not_drop_the_lists(self):
        Client().get(MATTERS)
        generation = portal_cache.generation(portal_cache.LISTS)
        entry = mock.Mock(case_id=42)
        with self.captureOnCommitCallbacks(execute=True):
            portal_cache.on_ledger_append(entry)
        assert portal_cache.generation(portal_cache.LISTS) == generation

    def test_one_agencys_cached_list_never_answers_anothers(self):
        self._new_matter("本局独有的处罚事项")
        mine = Client().get(f"{MATTERS}?agency={self.w.agency.pk}")
        assert "本局独有的处罚事项" in mine.text
        assert Client().get(f"{MATTERS}?agency={self.w.agency.pk}")["X-Portal-Cache"] == "hit"
        theirs = Client().get(f"{MATTERS}?agency={self.w.other_agency.pk}")
        assert theirs["X-Portal-Cache"] == "miss" and "本局独有的处罚事项" not in theirs.text

    def test_a_parameter_the_page_ignores_does_not_make_another_copy(self):
        Client().get(MATTERS)
        assert Client().get(f"{MATTERS}?utm_source=x&junk=1")["X-Portal-Cache"] == "hit"

    def test_a_past_date_has_its_own_page_and_a_bad_one_is_not_cached(self):
        Client().get(MATTERS)
        past = Client().get(f"{MATTERS}?as_of=2001-01-01")
        assert past.status_code == 200 and past["X-Portal-Cache"] == "miss"
        assert Client().get(f"{MATTERS}?as_of=garbage").status_code == 400

    def test_tomorrow_the_list_is_rendered_again(self):
        Client().get(OFFICERS)
        tomorrow = timezone.localdate() + timedelta(days=1)
        with mock.patch("django.utils.timezone.localdate", return_value=tomorrow):
            assert Client().get(OFFICERS)["X-Portal-Cache"] == "miss"


class CachedOfficerList(CachedListsTestCase):
    def test_a_suspended_certificate_shows_on_the_cached_list_at_once(self):
        officer = Officer.objects.get(user=self.w.officer)
        before = Client().get(OFFICERS)
        assert Client().get(OFFICERS)["X-Portal-Cache"] == "hit"
        with self.captureOnCommitCallbacks(execute=True):
            directory.set_certificate_status(
                actor=self.w.admin, officer_id=officer.pk, status="suspended", reason="涉嫌违纪"
            )
        after = Client().get(OFFICERS)
        assert after["X-Portal-Cache"] == "miss" and after.content != before.content
        assert "暂扣" in after.text

    def test_another_agencys_officers_never_come_from_this_agencys_page(self):
        mine = Client().get(f"{OFFICERS}?agency={self.w.agency.pk}")
        assert "T0001" in mine.text and "T0009" not in mine.text
        theirs = Client().get(f"{OFFICERS}?agency={self.w.other_agency.pk}")
        assert theirs["X-Portal-Cache"] == "miss"
        assert "T0009" in theirs.text and "T0001" not in theirs.text


class CachedAgencyLists(CachedListsTestCase):
    def test_the_catalogue_page_is_cached_per_agency(self):
        mine = f"/gongshi/zhuti/{self.w.agency.pk}/qingdan/"
        theirs = f"/gongshi/zhuti/{self.w.other_agency.pk}/qingdan/"
        assert Client().get(mine).status_code == 200
        assert Client().get(mine)["X-Portal-Cache"] == "hit"
        other = Client().get(theirs)
        assert other["X-Portal-Cache"] == "miss" and self.w.other_agency.name in other.text
        assert self.w.agency.name not in other.text.split("<main", 1)[1].split("</main>")[0]

    def test_a_cached_list_carries_no_csrf_token_and_links_elder_mode_to_its_own_path(self):
        signed = Client()
        signed.get("/gongshi/jiucuo/")  # a page with a form sets the visitor's CSRF cookie
        page = signed.get(f"{MATTERS}?junk=1").text
        assert 'name="csrf-token" content=""' in page
        assert "next=/gongshi/shixiang/%3Fas_of%3D" in page and "junk" not in page
