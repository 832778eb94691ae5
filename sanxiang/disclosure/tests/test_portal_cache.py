"""The cached decision list: served from the cache, gone stale never (issue 12 item 8)."""

from __future__ import annotations

import socket
import uuid
from datetime import timedelta
from unittest import mock

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from sanxiang.disclosure import portal_cache, services
from sanxiang.disclosure.models import Publication
from sanxiang.disclosure.templatetags.portal import ELDER_COOKIE

from .helpers import DisclosureTestCase, published, queued

LIST = "/gongshi/jueding/"


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


class CachedDecisionList(DisclosureTestCase):
    item: Publication

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.item = published(cls.w, text="缓存列表测试正文。")

    def _withdraw(self, item: Publication) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            services.withdraw(
                actor=self.w.head, publication_id=item.pk, reason_kind="void", reason="确认无效"
            )

    def test_the_second_visitor_gets_the_stored_page_without_touching_the_database(self):
        first = Client().get(LIST)
        assert first["X-Portal-Cache"] == "miss" and self.item.doc_number in first.text
        with self.assertNumQueries(0):
            second = Client().get(LIST)
        assert second["X-Portal-Cache"] == "hit" and second.content == first.content

    def test_a_withdrawn_decision_vanishes_from_the_cached_list_at_once(self):
        assert self.item.doc_number in Client().get(LIST).text
        assert Client().get(LIST)["X-Portal-Cache"] == "hit"
        self._withdraw(self.item)
        after = Client().get(LIST)
        assert after["X-Portal-Cache"] == "miss"
        assert self.item.doc_number not in after.text
        # …and from every page of the list and the per-agency filter, cached or not
        assert self.item.doc_number not in Client().get(f"{LIST}?agency={self.w.agency.pk}").text

    def test_a_newly_published_decision_appears_in_the_cached_list_at_once(self):
        waiting = queued(self.w, text="刚刚公示的决定。")
        page = Client().get(LIST).text
        assert self.item.doc_number in page
        with self.captureOnCommitCallbacks(execute=True):
            fresh = services.publish(actor=self.w.head, publication_id=waiting.pk)
        assert fresh.doc_number in Client().get(LIST).text

    def test_the_lists_are_dropped_only_when_the_change_commits(self):
        Client().get(LIST)
        before = portal_cache.generation()
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            services.withdraw(
                actor=self.w.head, publication_id=self.item.pk, reason_kind="void", reason="无效"
            )
        # inside the transaction nothing changed yet: a rollback would leave the cache right
        assert portal_cache.generation() == before
        assert Client().get(LIST)["X-Portal-Cache"] == "hit"
        for callback in callbacks:
            callback()
        assert portal_cache.generation() != before
        assert self.item.doc_number not in Client().get(LIST).text

    def test_a_decision_whose_period_ended_leaves_the_cached_list(self):
        assert self.item.doc_number in Client().get(LIST).text
        assert self.item.ends_on is not None
        with self.captureOnCommitCallbacks(execute=True):
            expired = services.expire_due(today=self.item.ends_on + timedelta(days=1))
        assert expired >= 1
        assert self.item.doc_number not in Client().get(LIST).text

    def test_a_phone_that_fetches_again_gets_304_without_a_body(self):
        first = Client().get(LIST)
        assert first["ETag"].startswith('"') and first["Last-Modified"].endswith("GMT")
        assert "no-cache" in first["Cache-Control"] and "public" in first["Cache-Control"]
        again = Client().get(LIST, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304 and again.content == b""
        assert again["ETag"] == first["ETag"]
        since = Client().get(LIST, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
        assert since.status_code == 304

    def test_after_a_withdrawal_the_old_etag_gets_the_new_page(self):
        first = Client().get(LIST)
        self._withdraw(self.item)
        again = Client().get(LIST, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 200 and again["ETag"] != first["ETag"]
        assert self.item.doc_number not in again.text

    def test_a_cached_page_carries_no_visitors_csrf_token(self):
        client = Client()
        client.cookies["csrftoken"] = "a" * 32
        page = client.get(LIST).text
        assert 'name="csrf-token" content=""' in page
        assert "csrftoken" not in client.get(LIST).cookies

    def test_elder_mode_has_its_own_cached_page(self):
        plain = Client().get(LIST)
        elder = Client()
        elder.cookies[ELDER_COOKIE] = "1"
        big = elder.get(LIST)
        assert big["X-Portal-Cache"] == "miss" and "退出长者模式" in big.text
        assert "退出长者模式" not in Client().get(LIST).text
        assert "Cookie" in plain["Vary"]

    def test_a_page_this_process_keeps_goes_when_another_process_moves_the_generation(self):
        assert Client().get(LIST)["X-Portal-Cache"] == "miss"
        assert Client().get(LIST)["X-Portal-Cache"] == "hit"
        # what invalidate() does in another worker: only the shared cache changes
        cache.set("portal:decisions:generation", {"id": "another-process", "lsn": ""}, None)
        assert Client().get(LIST)["X-Portal-Cache"] == "miss"
        # a page gone from the shared cache (its timeout) is kept here no longer than a minute
        assert Client().get(LIST)["X-Portal-Cache"] == "hit"
        cache.delete(portal_cache.page_key_for(LIST))
        assert Client().get(LIST)["X-Portal-Cache"] == "hit"  # this process's copy
        with mock.patch.object(portal_cache, "_RECENT_SECONDS", 0):
            portal_cache._recent.clear()
            assert Client().get(LIST)["X-Portal-Cache"] == "miss"  # kept here for 0 s
            cache.delete(portal_cache.page_key_for(LIST))
            assert Client().get(LIST)["X-Portal-Cache"] == "miss"

    def test_a_repeated_search_is_served_from_the_cache(self):
        first = Client().get(f"{LIST}?q=张某")
        assert first["X-Portal-Cache"] == "miss" and self.item.doc_number in first.text
        assert "no-cache" in first["Cache-Control"]
        with self.assertNumQueries(0):
            second = Client().get(f"{LIST}?q=张某")
        assert second["X-Portal-Cache"] == "hit" and second.content == first.content

    def test_a_withdrawn_decision_vanishes_from_a_cached_search_at_once(self):
        url, link = f"{LIST}?q={self.item.doc_number}", f"{LIST}{self.item.pk}/"
        assert link in Client().get(url).text
        assert Client().get(url)["X-Portal-Cache"] == "hit"
        self._withdraw(self.item)
        after = Client().get(url)
        assert after["X-Portal-Cache"] == "miss" and link not in after.text
        assert "共 0 条" in after.text

    def test_a_newly_published_decision_appears_in_a_cached_search_at_once(self):
        waiting = queued(self.w, text="缓存检索新公示的决定。")
        # Searched by its case number, which the issued 决定书's body names (案号：…): the
        # published text is that body, not the draft's free text.
        url = f"{LIST}?q={waiting.case.number}"
        assert "共 0 条" in Client().get(url).text
        assert Client().get(url)["X-Portal-Cache"] == "hit"
        with self.captureOnCommitCallbacks(execute=True):
            services.publish(actor=self.w.head, publication_id=waiting.pk)
        assert f"{LIST}{waiting.pk}/" in Client().get(url).text

    def test_one_agencys_cached_search_never_answers_anothers(self):
        mine = f"{LIST}?q=张某&agency={self.w.agency.pk}"
        theirs = f"{LIST}?q=张某&agency={self.w.other_agency.pk}"
        assert self.item.doc_number in Client().get(mine).text
        assert Client().get(mine)["X-Portal-Cache"] == "hit"
        other = Client().get(theirs)
        assert other["X-Portal-Cache"] == "miss" and self.item.doc_number not in other.text
        # nor do the dates or the page of one search answer another's
        dated = Client().get(f"{LIST}?q=张某&from=2000-01-01&to=2000-12-31")
        assert dated["X-Portal-Cache"] == "miss" and self.item.doc_number not in dated.text

    def test_spellings_of_one_search_share_one_cached_page(self):
        year = self.item.doc_number.split("〔")[1][:4]
        first = Client().get(f"{LIST}?q=张某 〔{year}〕")
        assert first["X-Portal-Cache"] == "miss" and self.item.doc_number in first.text
        for spelling in (f"[{year}]  张某", f"张某 【{year}】 张某", f" 张某\t({year}) "):
            again = Client().get(LIST, {"q": spelling, "unused": "x"})
            assert again["X-Portal-Cache"] == "hit", spelling
            assert again.content == first.content

    def test_a_page_number_is_part_of_the_key_and_garbage_is_page_one(self):
        assert Client().get(f"{LIST}?q=张某")["X-Portal-Cache"] == "miss"
        assert Client().get(f"{LIST}?q=张某&page=abc")["X-Portal-Cache"] == "hit"
        assert Client().get(f"{LIST}?q=张某&page=1")["X-Portal-Cache"] == "hit"
        assert Client().get(f"{LIST}?q=张某&page=2")["X-Portal-Cache"] == "miss"
        huge = Client().get(f"{LIST}?q=张某&page=99999999999999999999")
        assert huge.status_code == 200 and "页" in huge.text

    def test_a_search_changed_behind_the_services_is_seen_once_the_cache_ages_out(self):
        url, link = f"{LIST}?q={self.item.doc_number}", f"{LIST}{self.item.pk}/"
        assert link in Client().get(url).text
        # SQL behind the services does not start a new generation: the page stays until its
        # timeout (SANXIANG_PORTAL_CACHE_SECONDS); a cleared cache shows the truth at once.
        Publication.objects.filter(pk=self.item.pk).update(status="withdrawn")
        assert Client().get(url)["X-Portal-Cache"] == "hit"
        cache.clear()
        assert link not in Client().get(url).text

    def test_a_short_word_still_finds_and_the_page_says_it_is_slower(self):
        page = Client().get(LIST, {"q": "张"}).text
        assert self.item.doc_number in page and "不足三个字" in page
        assert "不足三个字" not in Client().get(LIST, {"q": "宗教事务条例"}).text

    def test_a_bad_query_is_not_cached(self):
        assert Client().get(f"{LIST}?from=garbage").status_code == 400
        assert cache.get(portal_cache.page_key_for(f"{LIST}?from=garbage")) is None


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
@override_settings(
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/15",
            "KEY_PREFIX": f"sxtest-{uuid.uuid4().hex[:8]}",
        }
    }
)
class CachedDecisionListInRedis(DisclosureTestCase):
    """SANXIANG_CACHE_URL=redis://…: the pages and their generation live in Redis, where every
    worker process reads them, so a withdrawal in one process empties the lists of all."""

    def test_a_withdrawal_drops_the_page_that_redis_holds(self):
        import redis

        item = published(self.w, text="Redis 缓存测试。")
        raw = redis.Redis(host="127.0.0.1", port=6379, db=15)
        assert item.doc_number in Client().get(LIST).text
        assert Client().get(LIST)["X-Portal-Cache"] == "hit"
        stored = [k for k in raw.keys(f"{cache.key_prefix}:*") if b"portal:decisions:page" in k]
        assert stored, "the rendered page is stored in Redis"
        with self.captureOnCommitCallbacks(execute=True):
            services.withdraw(
                actor=self.w.head, publication_id=item.pk, reason_kind="void", reason="确认无效"
            )
        after = Client().get(LIST)
        assert after["X-Portal-Cache"] == "miss" and item.doc_number not in after.text
        cache.clear()
