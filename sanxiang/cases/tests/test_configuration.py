from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from sanxiang.cases.models import DeadlineSetting, DiscretionBenchmark
from sanxiang.cases.services import BenchmarkData, save_benchmark, set_deadline_setting
from sanxiang.cases.testing import make_matter, open_test_case
from sanxiang.catalog.models import Matter
from sanxiang.ledger.models import Entry
from sanxiang.lib.errors import DomainError
from sanxiang.testing import WorldTestCase, signed_in


class Configuration(WorldTestCase):
    matter: Matter

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.matter = make_matter(cls.w.agency, "penalty")

    def test_the_head_extends_a_deadline_for_one_matter_and_new_cases_use_it(self):
        set_deadline_setting(
            actor=self.w.head,
            procedure="penalty_ordinary",
            rule="decide",
            days=120,
            unit="calendar",
            warn_days=5,
            matter_id=self.matter.pk,
            note="部门规章：经批准延长三十日",
        )
        assert Entry.objects.filter(event_type="cases.deadline_setting_saved").exists()
        case = open_test_case(self.w, matter=self.matter)
        assert case.deadlines.get().due_on == timezone.localdate() + timedelta(days=120)

    def test_an_officer_may_not_change_settings_and_bad_figures_are_refused(self):
        with pytest.raises(DomainError) as caught:
            set_deadline_setting(
                actor=self.w.officer,
                procedure="penalty_ordinary",
                rule="decide",
                days=120,
                unit="calendar",
                warn_days=3,
            )
        assert caught.value.code == "forbidden"
        changes: list[dict[str, object]] = [
            {"rule": "nonsense"},
            {"days": 0},
            {"unit": "weeks"},
            {"matter_id": make_matter(self.w.other_agency, "penalty", "X").pk},
        ]
        for kwargs in changes:
            base: dict[str, object] = {"procedure": "penalty_ordinary", "rule": "decide"}
            base.update({"days": 60, "unit": "calendar", "warn_days": 3})
            base.update(kwargs)
            with pytest.raises(DomainError):
                set_deadline_setting(actor=self.w.head, **base)  # type: ignore[arg-type]
        assert not DeadlineSetting.objects.exists()

    def test_benchmarks_are_saved_with_money_checks(self):
        data = BenchmarkData(
            circumstance="serious", description="多次", fine_min="20,000", fine_max="100000"
        )
        line = save_benchmark(actor=self.w.admin, matter_id=self.matter.pk, data=data)
        assert (line.fine_min, line.fine_max) == (Decimal("20000.00"), Decimal("100000.00"))
        bad = BenchmarkData(circumstance="serious", description="x", fine_min="9", fine_max="1")
        with pytest.raises(DomainError) as caught:
            save_benchmark(actor=self.w.admin, matter_id=self.matter.pk, data=bad)
        assert caught.value.field == "fine_max"
        licence = make_matter(self.w.agency, "licence")
        with pytest.raises(DomainError):
            save_benchmark(actor=self.w.admin, matter_id=licence.pk, data=data)

    def test_the_configuration_page(self):
        client = signed_in(self.w.head)
        assert client.get("/cases/configuration/").status_code == 200
        response = client.post(
            "/cases/configuration/",
            {
                "matter": self.matter.pk,
                "circumstance": "grave",
                "description": "恶劣",
                "fine_min": "100000",
                "fine_max": "200000",
            },
        )
        assert response.status_code == 302
        assert DiscretionBenchmark.objects.filter(circumstance="grave").exists()
        response = client.post(
            "/cases/configuration/",
            {
                "key": "licence.decide",
                "matter": "",
                "days": "30",
                "unit": "working",
                "warn_days": "3",
            },
        )
        assert response.status_code == 302
        assert DeadlineSetting.objects.get(rule="decide").days == 30
        assert signed_in(self.w.officer).get("/cases/configuration/").status_code == 403

    def test_a_matter_flowchart_is_public_and_shows_the_agency_figures(self):
        from django.test import Client

        set_deadline_setting(
            actor=self.w.head,
            procedure="penalty_ordinary",
            rule="decide",
            days=120,
            unit="calendar",
            warn_days=3,
            matter_id=self.matter.pk,
        )
        response = Client().get(f"/cases/flowcharts/{self.matter.pk}/penalty_ordinary.svg")
        assert response.status_code == 200
        svg = response.content.decode()
        assert response["Content-Type"].startswith("image/svg+xml")
        assert "为违法宗教活动提供条件的处罚（行政处罚普通程序）流程图" in svg
        assert "作出处罚决定 120日" in svg

    def test_a_procedure_of_another_category_is_not_found(self):
        from django.test import Client

        assert Client().get(f"/cases/flowcharts/{self.matter.pk}/licence.svg").status_code == 404
        assert Client().get("/cases/flowcharts/999999/licence.svg").status_code == 404
