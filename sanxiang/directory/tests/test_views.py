import io

from django.test import Client

from sanxiang.directory.models import Officer
from sanxiang.directory.sheets import HEADERS
from sanxiang.lib.sheets import write_rows
from sanxiang.testing import WorldTestCase, signed_in

STAFF_PAGES = [
    "/",
    "/directory/agencies/",
    "/directory/officers/",
    "/catalog/matters/",
    "/catalog/calendar/",
    "/directory/officers/export.xlsx",
    "/catalog/matters/export.xlsx",
]


class StaffAccessTests(WorldTestCase):
    def test_anonymous_visitors_are_sent_to_login_from_every_staff_page(self):
        for url in STAFF_PAGES:
            response = Client().get(url)
            assert response.status_code == 302, url
            assert "/accounts/login/" in response["Location"]

    def test_every_role_can_open_the_staff_pages(self):
        for user in [
            self.w.officer,
            self.w.reviewer,
            self.w.head,
            self.w.admin,
            self.w.supervisor,
            self.w.other_officer,
        ]:
            client = signed_in(user)
            for url in STAFF_PAGES:
                assert client.get(url).status_code == 200, (user.username, url)

    def test_a_password_alone_is_not_enough_for_staff_pages(self):
        client = Client()
        client.force_login(self.w.officer)  # authenticated, but no second factor
        assert client.get("/directory/officers/").status_code == 302

    def test_an_officer_sees_only_their_own_agency(self):
        page = signed_in(self.w.officer).get("/directory/officers/").content.decode()
        assert "T0001" in page and "T0009" not in page

    def test_the_supervisor_sees_the_agencies_it_supervises_but_not_others(self):
        page = signed_in(self.w.supervisor).get("/directory/officers/").content.decode()
        assert "T0001" in page and "T0009" not in page

    def test_another_agencys_officer_page_is_not_found(self):
        other = Officer.objects.get(certificate_no="T0009")
        response = signed_in(self.w.officer).get(f"/directory/officers/{other.pk}/")
        assert response.status_code == 404

    def test_only_an_admin_may_open_the_edit_pages(self):
        officer = Officer.objects.get(certificate_no="T0001")
        url = f"/directory/officers/{officer.pk}/edit/"
        assert signed_in(self.w.officer).get(url).status_code == 403
        assert signed_in(self.w.supervisor).get(url).status_code == 403
        assert signed_in(self.w.admin).get(url).status_code == 200

    def test_the_admin_edit_form_saves_and_reports_field_errors_in_chinese(self):
        officer = Officer.objects.get(certificate_no="T0001")
        client = signed_in(self.w.admin)
        form = {
            "agency": self.w.agency.pk,
            "name": "改名",
            "certificate_no": "T0002",
            "categories": ["penalty"],
            "area": "测试区",
            "certificate_issued": "2025-01-01",
            "certificate_expires": "2027-01-01",
            "certificate_status": "valid",
        }
        clash = client.post(f"/directory/officers/{officer.pk}/edit/", form)
        assert "已登记给其他人员" in clash.content.decode()
        saved = client.post(
            f"/directory/officers/{officer.pk}/edit/", form | {"certificate_no": "T0001"}
        )
        assert saved.status_code == 302
        officer.refresh_from_db()
        assert officer.name == "改名"

    def test_an_import_with_a_bad_row_says_so_and_saves_nothing(self):
        row = [
            "新人",
            "测试区民族和宗教事务局",
            "",
            "Z1",
            "行政处罚",
            "测试区",
            "2025-01-01",
            "2024-01-01",
            "有效",
            "否",
            "",
        ]
        upload = io.BytesIO(write_rows("执法人员", HEADERS, [row]))
        upload.name = "officers.xlsx"
        response = signed_in(self.w.admin).post(
            "/directory/officers/import/", {"file": upload}, follow=True
        )
        page = response.content.decode()
        assert "未保存任何数据" in page and "证件有效期不能早于发证日期" in page
        assert not Officer.objects.filter(certificate_no="Z1").exists()

    def test_the_officer_list_query_count_does_not_grow_with_the_list(self):
        client = signed_in(self.w.officer)
        client.get("/")  # the first page after login stamps the session once
        with self.assertNumQueries(8):
            client.get("/directory/officers/")
        for n in range(30):
            Officer.objects.create(
                agency=self.w.agency,
                name=f"p{n}",
                certificate_no=f"P{n}",
                area="测试区",
                certificate_issued="2025-01-01",
                certificate_expires="2027-01-01",
            )
        with self.assertNumQueries(8):
            client.get("/directory/officers/")


class PortalTests(WorldTestCase):
    def test_the_portal_needs_no_login_and_lists_enforcement_bodies(self):
        page = Client().get("/gongshi/").content.decode()
        assert "测试区民族和宗教事务局" in page
        assert "测试区司法局" not in page  # the justice bureau supervises; it is not listed here

    def test_the_agency_page_shows_officers_with_certificate_status(self):
        Officer.objects.filter(certificate_no="T0002").update(
            certificate_issued="2019-01-01", certificate_expires="2020-01-01"
        )
        page = Client().get(f"/gongshi/zhuti/{self.w.agency.pk}/").content.decode()
        assert "T0001" in page and "已过期" in page
        assert "T0009" not in page

    def test_a_unit_or_unknown_id_is_not_found(self):
        assert Client().get(f"/gongshi/zhuti/{self.w.legal_unit.pk}/").status_code == 404
        assert Client().get("/gongshi/zhuti/999999/").status_code == 404

    def test_a_malformed_as_of_date_gets_a_clear_message(self):
        response = Client().get(f"/gongshi/zhuti/{self.w.agency.pk}/?as_of=yesterday")
        assert response.status_code == 400
        assert "日期格式" in response.content.decode()

    def test_the_agency_page_query_count_is_fixed(self):
        url = f"/gongshi/zhuti/{self.w.agency.pk}/"
        with self.assertNumQueries(8):  # + latest decisions, 年报 status, posts (disclosure)
            Client().get(url)
        for n in range(20):
            Officer.objects.create(
                agency=self.w.agency,
                name=f"p{n}",
                certificate_no=f"P{n}",
                area="测试区",
                certificate_issued="2025-01-01",
                certificate_expires="2027-01-01",
            )
        with self.assertNumQueries(8):  # + latest decisions, 年报 status, posts (disclosure)
            Client().get(url)


class AgencyPageTests(WorldTestCase):
    def test_the_agency_page_shows_units_and_the_reviewer_ratio(self):
        page = signed_in(self.w.officer).get(f"/directory/agencies/{self.w.agency.pk}/")
        text = page.content.decode()
        assert "测试区民族和宗教事务局法制股" in text and "法制审核人员占比" in text

    def test_another_agency_is_not_found_but_the_supervisor_sees_its_agencies(self):
        url = f"/directory/agencies/{self.w.other_agency.pk}/"
        assert signed_in(self.w.officer).get(url).status_code == 404
        supervisor = signed_in(self.w.supervisor)
        assert supervisor.get(url).status_code == 404
        assert supervisor.get(f"/directory/agencies/{self.w.agency.pk}/").status_code == 200

    def test_the_admin_edits_an_agency_and_a_bad_credit_code_is_shown_on_its_field(self):
        client = signed_in(self.w.admin)
        url = f"/directory/agencies/{self.w.agency.pk}/edit/"
        form = {
            "name": "测试区民族和宗教事务局",
            "level": "department",
            "kind": "statutory",
            "credit_code": "91350100M000100Y44",
            "phone": "0427-1",
        }
        assert "校验位错误" in client.post(url, form).content.decode()
        assert client.post(url, form | {"credit_code": "91350100M000100Y43"}).status_code == 302
        self.w.agency.refresh_from_db()
        assert self.w.agency.phone == "0427-1"

    def test_the_supervisor_cannot_edit_an_agency(self):
        url = f"/directory/agencies/{self.w.agency.pk}/edit/"
        assert signed_in(self.w.supervisor).get(url).status_code == 403
