from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from sanxiang.catalog import queries, services, sheets
from sanxiang.catalog.models import MatterVersion
from sanxiang.catalog.services import MatterContent
from sanxiang.ledger.models import Entry
from sanxiang.lib.errors import DomainError
from sanxiang.lib.sheets import write_rows
from sanxiang.testing import WorldTestCase, signed_in


def content(**overrides):
    base: dict[str, Any] = {
        "category": "penalty",
        "name": "对为违法宗教活动提供条件的处罚",
        "handling_unit": "宗教事务股",
        "legal_basis": [{"law": "宗教事务条例", "article": "第七十一条", "text": "……"}],
        "time_limit": 90,
        "time_limit_unit": "calendar",
    }
    return MatterContent(**(base | overrides))


class MatterVersionTests(WorldTestCase):
    def create(self, **overrides):
        return services.create_matter(
            actor=self.w.admin,
            agency_id=self.w.agency.pk,
            code="CF-001",
            content=content(**overrides),
            valid_from=date(2018, 2, 1),
        )

    def test_a_revision_keeps_the_previous_version_with_its_dates(self):
        first = self.create()
        second = services.revise_matter(
            actor=self.w.admin,
            matter_id=first.matter_id,
            content=content(name="对为违法宗教活动提供条件行为的处罚"),
            valid_from=date(2026, 1, 1),
            note="条例修订",
        )
        first.refresh_from_db()
        assert first.valid_to == date(2026, 1, 1)
        assert second.number == 2 and second.valid_to is None
        assert Entry.objects.filter(event_type="matter.revised").count() == 1

    def test_the_list_as_of_a_date_shows_the_version_then_in_force(self):
        first = self.create()
        services.revise_matter(
            actor=self.w.admin,
            matter_id=first.matter_id,
            content=content(name="新名称"),
            valid_from=date(2026, 1, 1),
            note="修订",
        )
        scope = {self.w.agency.pk}
        assert [v.name for v in queries.matters_as_of(scope, date(2025, 12, 31))] == [
            "对为违法宗教活动提供条件的处罚"
        ]
        assert [v.name for v in queries.matters_as_of(scope, date(2026, 1, 1))] == ["新名称"]
        assert list(queries.matters_as_of(scope, date(2018, 1, 31))) == []

    def test_a_revision_cannot_start_before_the_current_version(self):
        first = self.create()
        with pytest.raises(DomainError) as caught:
            services.revise_matter(
                actor=self.w.admin,
                matter_id=first.matter_id,
                content=content(),
                valid_from=date(2018, 2, 1),
                note="x",
            )
        assert caught.value.field == "valid_from"
        assert MatterVersion.objects.count() == 1

    def test_a_revision_needs_a_reason(self):
        first = self.create()
        with pytest.raises(DomainError):
            services.revise_matter(
                actor=self.w.admin,
                matter_id=first.matter_id,
                content=content(),
                valid_from=date(2026, 1, 1),
                note="",
            )

    def test_a_duplicate_code_is_refused(self):
        self.create()
        with pytest.raises(DomainError) as caught:
            self.create()
        assert caught.value.field == "code"

    def test_a_random_inspection_matter_needs_a_ratio_within_range(self):
        with pytest.raises(DomainError):
            self.create(random_inspection=True)
        with pytest.raises(DomainError):
            self.create(random_inspection=True, inspection_ratio=Decimal("120"))
        assert self.create(random_inspection=True, inspection_ratio=Decimal("5")).number == 1

    def test_only_a_licence_matter_may_take_online_applications(self):
        with pytest.raises(DomainError) as refused:
            self.create(online_application=True)
        assert "只有行政许可事项" in refused.value.message
        assert self.create(category="licence", online_application=True).online_application

    def test_an_officer_cannot_edit_the_list(self):
        with pytest.raises(DomainError) as caught:
            services.create_matter(
                actor=self.w.officer,
                agency_id=self.w.agency.pk,
                code="CF-9",
                content=content(),
                valid_from=date(2020, 1, 1),
            )
        assert caught.value.code == "forbidden"


class MatterSheetTests(WorldTestCase):
    def test_export_then_import_changes_nothing_and_a_changed_row_makes_a_version(self):
        services.create_matter(
            actor=self.w.admin,
            agency_id=self.w.agency.pk,
            code="CF-001",
            content=content(),
            valid_from=date(2018, 2, 1),
        )
        data = sheets.export_matters(list(queries.current_versions({self.w.agency.pk})))
        sheets.import_matters(actor=self.w.admin, agency_id=self.w.agency.pk, data=data)
        assert MatterVersion.objects.count() == 1
        rows: list[list[Any]] = [
            [
                "CF-001",
                "行政处罚",
                "改名后的事项",
                "宗教事务条例",
                "第七十一条",
                "……",
                "宗教事务股",
                90,
                "自然日",
                "",
                "",
                "否",
                None,
                "2026-03-01",
            ]
        ]
        sheets.import_matters(
            actor=self.w.admin,
            agency_id=self.w.agency.pk,
            data=write_rows("清单", sheets.HEADERS, rows),
        )
        assert list(MatterVersion.objects.order_by("number").values_list("name", flat=True)) == [
            "对为违法宗教活动提供条件的处罚",
            "改名后的事项",
        ]

    def test_a_bad_category_reports_the_row_and_nothing_is_saved(self):
        good = [
            "XK-1",
            "行政许可",
            "某许可",
            "宗教事务条例",
            "第二十三条",
            "",
            "宗教事务股",
            20,
            "工作日",
            "",
            "",
            "否",
            None,
            "2020-01-01",
        ]
        bad = [
            "CF-2",
            "行政罚款",
            "某处罚",
            "宗教事务条例",
            "",
            "",
            "宗教事务股",
            90,
            "自然日",
            "",
            "",
            "否",
            None,
            "2020-01-01",
        ]
        stream = write_rows("清单", sheets.HEADERS, [good, bad])
        with pytest.raises(DomainError) as caught:
            sheets.import_matters(actor=self.w.admin, agency_id=self.w.agency.pk, data=stream)
        assert "第3行" in caught.value.message and "事项类别" in caught.value.message
        assert MatterVersion.objects.count() == 0


class MatterPageTests(WorldTestCase):
    def form(self, **overrides):
        base = {
            "code": "XK-9",
            "category": "licence",
            "name": "宗教活动场所登记",
            "basis_law": "宗教事务条例",
            "basis_article": "第二十三条",
            "handling_unit": "宗教事务股",
            "time_limit": "30",
            "time_limit_unit": "calendar",
            "valid_from": "2018-02-01",
            "materials": "申请书",
            "phone": "0427-2800001",
        }
        return base | overrides

    def test_an_admin_creates_a_matter_with_its_service_guide_and_revises_it(self):
        client = signed_in(self.w.admin)
        created = client.post("/catalog/matters/new/", self.form())
        assert created.status_code == 302
        version = MatterVersion.objects.get()
        assert (version.materials, version.phone) == ("申请书", "0427-2800001")
        revised = client.post(
            f"/catalog/matters/{version.matter_id}/revise/",
            self.form(name="宗教活动场所设立登记", valid_from="2026-01-01", note="依据修订"),
        )
        assert revised.status_code == 302
        names = list(MatterVersion.objects.order_by("number").values_list("name", flat=True))
        assert names == ["宗教活动场所登记", "宗教活动场所设立登记"]
        detail = client.get(f"/catalog/matters/{version.matter_id}/").content.decode()
        assert "第1版" in detail and "第2版" in detail and "依据修订" in detail

    def test_a_revision_dated_too_early_shows_the_error_on_the_date_field(self):
        client = signed_in(self.w.admin)
        client.post("/catalog/matters/new/", self.form())
        version = MatterVersion.objects.get()
        page = client.post(
            f"/catalog/matters/{version.matter_id}/revise/",
            self.form(valid_from="2017-01-01", note="x"),
        ).content.decode()
        assert "须晚于现行版本的生效日期" in page

    def test_another_agencys_matter_is_not_found(self):
        other = services.create_matter(
            actor=None,
            agency_id=self.w.other_agency.pk,
            code="O-1",
            content=content(),
            valid_from=date(2020, 1, 1),
        )
        response = signed_in(self.w.officer).get(f"/catalog/matters/{other.matter_id}/")
        assert response.status_code == 404

    def test_an_officer_cannot_open_the_new_matter_form(self):
        assert signed_in(self.w.officer).get("/catalog/matters/new/").status_code == 403

    def test_a_malformed_as_of_date_is_a_clear_error(self):
        response = signed_in(self.w.officer).get("/catalog/matters/?as_of=31/01/2026")
        assert response.status_code == 422
        assert "日期格式" in response.content.decode()
