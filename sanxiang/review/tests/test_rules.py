from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from sanxiang.ledger.models import Entry
from sanxiang.lib.errors import DomainError
from sanxiang.review import queries, rules, services
from sanxiang.review.models import CatalogueVersion

from .helpers import ReviewTestCase


def defaults() -> CatalogueVersion:
    return CatalogueVersion()


def facts(**kwargs: object) -> rules.DraftFacts:
    return rules.DraftFacts(**{"kind": "fine"} | kwargs)  # type: ignore[arg-type]


ORG = frozenset({"organisation"})
PERSON = frozenset({"natural"})


class TestRules:
    def test_the_default_thresholds_are_ten_and_a_hundred_thousand_yuan(self):
        cat = defaults()
        assert cat.fine_natural == Decimal("10000.00")
        assert cat.fine_organisation == Decimal("100000.00")

    def test_a_company_fined_exactly_the_threshold_is_major(self):
        reasons = rules.evaluate(defaults(), facts(fine_amount=Decimal("100000"), party_kinds=ORG))
        assert reasons == ["对单位罚款100,000.00元，达到目录清单标准（100,000.00元）"]

    def test_a_company_fined_below_its_threshold_is_not_major(self):
        assert (
            rules.evaluate(defaults(), facts(fine_amount=Decimal("99999.99"), party_kinds=ORG))
            == []
        )

    def test_a_person_fined_ten_thousand_is_major(self):
        reasons = rules.evaluate(
            defaults(), facts(fine_amount=Decimal("10000"), party_kinds=PERSON)
        )
        assert "对个人罚款" in reasons[0]

    def test_without_parties_the_lower_threshold_applies(self):
        assert rules.evaluate(defaults(), facts(fine_amount=Decimal("20000")))

    def test_confiscation_reaching_the_value_is_major_as_a_fine_reaching_its_threshold_is(self):
        # Every threshold of the 目录清单 reads "达到": ≥, for fines and confiscation alike.
        cat = defaults()
        [reason] = rules.evaluate(
            cat, facts(kind="confiscation", confiscation_value=Decimal("50000"))
        )
        assert "达到目录清单标准" in reason
        assert not rules.evaluate(
            cat, facts(kind="confiscation", confiscation_value=Decimal("49999.99"))
        )

    @pytest.mark.parametrize(
        ("kind", "words"),
        [
            ("licence_revocation", "吊销许可证件"),
            ("suspension", "责令停产停业"),
            ("qualification_lowering", "降低资质等级"),
            ("licence_refusal", "不予行政许可"),
            ("licence_withdrawal", "撤回行政许可"),
        ],
    )
    def test_each_listed_kind_of_decision_is_major(self, kind, words):
        assert words in rules.evaluate(defaults(), facts(kind=kind))[0]

    def test_a_kind_switched_off_in_the_catalogue_is_not_major(self):
        cat = CatalogueVersion(suspension=False)
        assert rules.evaluate(cat, facts(kind="suspension")) == []

    def test_a_hearing_and_a_penalty_outside_the_benchmark_are_each_named(self):
        reasons = rules.evaluate(
            defaults(), facts(kind="warning", hearing_held=True, outside_benchmark=True)
        )
        assert reasons == ["案件经过听证程序", "拟作出的处罚超出裁量基准范围"]

    def test_an_auction_of_seized_goods_is_major(self):
        reasons = rules.evaluate(defaults(), facts(kind="seizure", text="依法拍卖扣押的车辆"))
        assert reasons == ["拟拍卖查封、扣押的财物"]


class TheCatalogue(ReviewTestCase):
    def publish(self, **kwargs: object) -> CatalogueVersion:
        data = services.CatalogueData(**kwargs)  # type: ignore[arg-type]
        return services.publish_catalogue(
            actor=self.w.admin, agency_id=self.w.agency.pk, data=data, valid_from=date(2026, 1, 1)
        )

    def test_a_negative_threshold_is_refused(self):
        with pytest.raises(DomainError) as caught:
            self.publish(fine_natural="-1")
        assert caught.value.code == "validation_error"
        assert caught.value.field == "fine_natural"
        assert not CatalogueVersion.objects.exists()

    def test_a_threshold_that_is_not_a_number_is_refused(self):
        with pytest.raises(DomainError) as caught:
            self.publish(fine_organisation="十万")
        assert caught.value.code == "validation_error"
        assert "不是有效的金额" in caught.value.message

    def test_versions_are_kept_and_the_list_as_of_a_date_is_the_one_then_in_force(self):
        first = self.publish()
        second = services.publish_catalogue(
            actor=self.w.head,
            agency_id=self.w.agency.pk,
            data=services.CatalogueData(fine_organisation="50000"),
            valid_from=date(2026, 7, 1),
            note="依据市局新规调整",
        )
        agency = self.w.agency
        assert queries.catalogue_as_of(agency, date(2026, 6, 30)) == first
        assert queries.catalogue_as_of(agency, date(2026, 7, 1)) == second
        assert queries.catalogue_as_of(agency, date(2025, 12, 31)) is None
        first.refresh_from_db()
        assert first.valid_to == date(2026, 7, 1)
        assert Entry.objects.filter(event_type="review.catalogue_published").count() == 2

    def test_a_revision_needs_a_later_date_and_a_reason(self):
        self.publish()
        with pytest.raises(DomainError) as caught:
            services.publish_catalogue(
                actor=self.w.admin,
                agency_id=self.w.agency.pk,
                data=services.CatalogueData(),
                valid_from=date(2026, 1, 1) + timedelta(days=10),
            )
        assert caught.value.field == "note"

    def test_an_officer_may_not_edit_the_catalogue(self):
        with pytest.raises(DomainError) as caught:
            services.publish_catalogue(
                actor=self.w.officer,
                agency_id=self.w.agency.pk,
                data=services.CatalogueData(),
                valid_from=date(2026, 1, 1),
            )
        assert caught.value.code == "forbidden"

    def test_another_agency_may_not_edit_ours(self):
        with pytest.raises(DomainError) as caught:
            services.publish_catalogue(
                actor=self.w.other_officer,
                agency_id=self.w.agency.pk,
                data=services.CatalogueData(),
                valid_from=date(2026, 1, 1),
            )
        assert caught.value.code in {"forbidden", "not_found"}
