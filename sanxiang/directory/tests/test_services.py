from datetime import date, timedelta
from typing import Any

import pytest

from sanxiang.directory import queries, services
from sanxiang.directory.models import Agency, AgencyKind, AgencyLevel, Officer
from sanxiang.directory.services import AgencyData, OfficerData
from sanxiang.ledger.models import Entry
from sanxiang.lib.errors import DomainError
from sanxiang.testing import WorldTestCase, a_day, credit_code


def officer_data(agency_id, **overrides):
    data = {
        "agency_id": agency_id,
        "name": "新同志",
        "certificate_no": "N0001",
        "area": "测试区",
        "certificate_issued": date(2025, 1, 1),
        "certificate_expires": date(2027, 12, 31),
        "categories": ["penalty"],
    }
    return OfficerData(**(data | overrides))


class OfficerServiceTests(WorldTestCase):
    def test_an_admin_registers_an_officer_and_the_ledger_records_it(self):
        officer = services.create_officer(actor=self.w.admin, data=officer_data(self.w.agency.pk))
        entry = Entry.objects.get(event_type="officer.created")
        assert entry.agency_id == self.w.agency.pk
        assert '"certificate_no":"N0001"' in entry.payload
        assert officer.certificate_state(date(2026, 6, 1)) == "有效"

    def test_a_duplicate_certificate_number_is_refused_naming_the_field(self):
        with pytest.raises(DomainError) as caught:
            services.create_officer(
                actor=self.w.admin, data=officer_data(self.w.agency.pk, certificate_no="T0001")
            )
        assert caught.value.field == "certificate_no"
        assert "T0001" in caught.value.message

    def test_an_expiry_before_the_issue_date_is_refused(self):
        with pytest.raises(DomainError) as caught:
            services.create_officer(
                actor=self.w.admin,
                data=officer_data(self.w.agency.pk, certificate_expires=date(2024, 12, 31)),
            )
        assert caught.value.field == "certificate_expires"
        assert not Officer.objects.filter(certificate_no="N0001").exists()

    def test_an_admin_cannot_place_an_officer_in_an_agency_outside_their_scope(self):
        with pytest.raises(DomainError) as caught:
            services.create_officer(actor=self.w.admin, data=officer_data(self.w.other_agency.pk))
        assert caught.value.code == "not_found"
        assert not Officer.objects.filter(certificate_no="N0001").exists()

    def test_an_officer_cannot_register_officers(self):
        with pytest.raises(DomainError) as caught:
            services.create_officer(actor=self.w.officer, data=officer_data(self.w.agency.pk))
        assert caught.value.code == "forbidden"

    def test_a_supervisor_cannot_change_anything(self):
        with pytest.raises(DomainError):
            services.create_officer(actor=self.w.supervisor, data=officer_data(self.w.agency.pk))

    def test_suspending_a_certificate_needs_a_reason_and_is_recorded(self):
        officer = Officer.objects.get(certificate_no="T0001")
        with pytest.raises(DomainError):
            services.set_certificate_status(
                actor=self.w.admin, officer_id=officer.pk, status="suspended", reason=" "
            )
        services.set_certificate_status(
            actor=self.w.admin, officer_id=officer.pk, status="suspended", reason="停职审查"
        )
        officer.refresh_from_db()
        assert officer.certificate_state(a_day()) == "暂扣"
        assert Entry.objects.filter(event_type="officer.certificate_status").count() == 1


class MayActTests(WorldTestCase):
    def test_an_officer_may_act_in_their_categories_and_area_while_certified(self):
        officer = Officer.objects.get(certificate_no="T0001")
        assert queries.may_act(officer, category="penalty", area="测试区", on=a_day())
        assert not queries.may_act(officer, category="levy", area="测试区", on=a_day())
        assert not queries.may_act(officer, category="penalty", area="别的区", on=a_day())

    def test_a_certificate_that_expired_yesterday_no_longer_allows_acting(self):
        officer = Officer.objects.get(certificate_no="T0001")
        officer.certificate_expires = a_day(-1)
        officer.save()
        assert not queries.may_act(officer, category="penalty", area="测试区", on=a_day())
        assert officer.certificate_state(a_day()) == "已过期"

    def test_the_reviewer_ratio_counts_reviewers_against_officers_with_valid_certificates(self):
        ratio = queries.reviewer_ratio(self.w.agency, on=a_day())
        assert (ratio.reviewers, ratio.officers) == (1, 3)
        assert ratio.percent == "33.3%"
        assert ratio.meets_rule

    def test_the_ratio_fails_the_five_percent_rule_without_reviewers(self):
        Officer.objects.filter(is_reviewer=True).update(certificate_expires=a_day(-1))
        ratio = queries.reviewer_ratio(self.w.agency, on=a_day())
        assert not ratio.meets_rule


class AgencyServiceTests(WorldTestCase):
    def data(self, **overrides):
        base: dict[str, Any] = {
            "name": "测试区民族和宗教事务局执法大队",
            "level": AgencyLevel.UNIT,
            "parent_id": self.w.agency.pk,
        }
        return AgencyData(**(base | overrides))

    def test_a_wrong_check_digit_in_a_credit_code_is_refused(self):
        code = credit_code(7)
        wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
        with pytest.raises(DomainError) as caught:
            services.create_agency(actor=self.w.admin, data=self.data(credit_code=wrong))
        assert caught.value.field == "credit_code"
        assert "校验位" in caught.value.message

    def test_an_entrusted_organisation_must_name_its_entrusting_agency(self):
        with pytest.raises(DomainError) as caught:
            services.create_agency(actor=self.w.admin, data=self.data(kind=AgencyKind.ENTRUSTED))
        assert caught.value.field == "entrusted_by_id"

    def test_a_credit_code_already_used_is_refused(self):
        with pytest.raises(DomainError):
            services.create_agency(actor=self.w.admin, data=self.data(credit_code=credit_code(1)))
        assert not Agency.objects.filter(name="测试区民族和宗教事务局执法大队").exists()

    def test_an_admin_adds_a_unit_under_their_agency(self):
        unit = services.create_agency(
            actor=self.w.admin,
            data=self.data(kind=AgencyKind.ENTRUSTED, entrusted_by_id=self.w.agency.pk),
        )
        assert unit.enforcement_body() == self.w.agency

    def test_an_admin_cannot_add_a_unit_under_another_agency(self):
        with pytest.raises(DomainError):
            services.create_agency(
                actor=self.w.admin, data=self.data(parent_id=self.w.other_agency.pk)
            )


def test_subtree_ids_walks_every_level(db):
    root = Agency.objects.create(name="根", level=AgencyLevel.GOVERNMENT)
    child = Agency.objects.create(name="子", level=AgencyLevel.DEPARTMENT, parent=root)
    grandchild = Agency.objects.create(name="孙", level=AgencyLevel.UNIT, parent=child)
    assert Agency.subtree_ids({root.pk}) == {root.pk, child.pk, grandchild.pk}
    assert grandchild.enforcement_body() == child


def test_certified_on_filters_like_certificate_state(db):
    agency = Agency.objects.create(name="局", level=AgencyLevel.DEPARTMENT)
    today = date(2026, 6, 1)
    for n, (issued, expires, status) in enumerate(
        [
            (today - timedelta(days=10), today, "valid"),
            (today - timedelta(days=10), today - timedelta(days=1), "valid"),
            (today + timedelta(days=1), today + timedelta(days=10), "valid"),
            (today - timedelta(days=10), today + timedelta(days=10), "revoked"),
        ]
    ):
        Officer.objects.create(
            agency=agency,
            name=f"o{n}",
            certificate_no=f"C{n}",
            area="区",
            certificate_issued=issued,
            certificate_expires=expires,
            certificate_status=status,
        )
    by_filter = set(
        Officer.objects.filter(queries.certified_on(today)).values_list("name", flat=True)
    )
    by_state = {o.name for o in Officer.objects.all() if o.is_certified_on(today)}
    assert by_filter == by_state == {"o0"}
