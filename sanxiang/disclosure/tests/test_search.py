"""The portal search on both databases: words of one or two characters (no trigram) find
exactly what the plain LIKE search finds, in the same order, page by page (issue 12)."""

from __future__ import annotations

from django.db import connection
from django.test import Client

from sanxiang.disclosure import queries
from sanxiang.disclosure.models import Publication

from .helpers import DisclosureTestCase, published


def _expected(params: dict[str, str], page: int) -> list[int]:
    rows = queries.search(queries.SearchQuery.parse(params))
    start = (page - 1) * queries.PAGE_SIZE
    return list(rows.values_list("pk", flat=True)[start : start + queries.PAGE_SIZE])


class ShortWordSearch(DisclosureTestCase):
    rare: Publication
    common: list[Publication]

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.rare = published(cls.w, text="当事人在鑫源饭店组织活动，依据《宗教事务条例》处罚。")
        cls.common = [published(cls.w, text=f"第{n}份决定，罚款。") for n in range(3)]

    def setUp(self) -> None:
        # A window and pages smaller than the data, so that both steps of result_page and the
        # second page are exercised with four decisions.
        self._sizes = queries.SHORT_WINDOW, queries.PAGE_SIZE
        queries.SHORT_WINDOW, queries.PAGE_SIZE = 2, 2

    def tearDown(self) -> None:
        queries.SHORT_WINDOW, queries.PAGE_SIZE = self._sizes

    def _page(self, params: dict[str, str], page: int = 1) -> list[int]:
        result = queries.result_page(queries.SearchQuery.parse(params), str(page))
        return [item.pk for item in result.items]

    def test_a_rare_two_character_word_is_found_as_by_the_plain_search(self):
        assert self._page({"q": "鑫源"}) == _expected({"q": "鑫源"}, 1) == [self.rare.pk]

    def test_a_rare_single_character_is_found_as_by_the_plain_search(self):
        assert self._page({"q": "鑫"}) == _expected({"q": "鑫"}, 1) == [self.rare.pk]

    def test_a_common_word_gives_the_same_pages_in_the_same_order(self):
        for params in ({"q": "罚款"}, {"q": "张"}, {"q": "罚款 决定"}, {"q": "某 宗教事务条例"}):
            assert self._page(params) == _expected(params, 1), params
            if _expected(params, 2):  # (past the last page the portal shows the last one)
                assert self._page(params, 2) == _expected(params, 2), params

    def test_a_word_nowhere_finds_nothing_and_wildcards_are_plain_characters(self):
        for q in ("鑫鑫", "%", "_", "%_", "\\"):
            assert self._page({"q": q}) == _expected({"q": q}, 1), q
        assert self._page({"q": "%"}) == []

    def test_other_conditions_still_apply_to_short_words(self):
        other = {"q": "罚款", "agency": str(self.w.other_agency.pk)}
        assert self._page(other) == [] == _expected(other, 1)
        dated = {"q": "鑫", "from": "2000-01-01", "to": "2000-01-31"}
        assert self._page(dated) == [] == _expected(dated, 1)

    def test_the_portal_page_lists_a_rare_short_word_match(self):
        page = Client().get("/gongshi/jueding/", {"q": "鑫源"}).text
        assert f"/gongshi/jueding/{self.rare.pk}/" in page and "共 1 条" in page
        assert "不足三个字" in page

    def test_on_postgresql_the_pairs_index_is_there(self):
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cur:
            cur.execute(
                "SELECT 1 FROM pg_indexes WHERE indexname = 'publication_search_pairs_trgm'"
            )
            assert cur.fetchone() is not None
