import time

from django.test import Client, override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from sanxiang.testing import PASSWORD, WorldTestCase, current_code, signed_in


class LoginTests(WorldTestCase):
    def test_staff_pages_send_an_anonymous_visitor_to_the_login_page(self):
        response = Client().get("/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")

    def test_password_and_totp_code_sign_an_officer_in(self):
        client = signed_in(self.w.officer)
        assert client.get("/").status_code == 200

    def test_a_right_password_with_a_wrong_code_is_refused(self):
        response = Client().post(
            "/accounts/login/", {"username": "officer", "password": PASSWORD, "otp_token": "000000"}
        )
        assert response.status_code == 200
        assert "动态口令错误" in response.content.decode()

    def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(self):
        response = Client().post(
            "/accounts/login/",
            {"username": "officer", "password": "nope", "otp_token": current_code(self.w.officer)},
        )
        assert "用户名或密码错误" in response.content.decode()

    def test_a_code_cannot_be_used_twice(self):
        code = current_code(self.w.officer)
        first = Client().post(
            "/accounts/login/", {"username": "officer", "password": PASSWORD, "otp_token": code}
        )
        second = Client().post(
            "/accounts/login/", {"username": "officer", "password": PASSWORD, "otp_token": code}
        )
        assert first.status_code == 302
        assert second.status_code == 200

    def test_five_failures_lock_the_username_even_with_the_right_password_after(self):
        for _ in range(5):
            Client(REMOTE_ADDR="10.0.0.1").post(
                "/accounts/login/", {"username": "officer2", "password": "wrong", "otp_token": ""}
            )
        response = Client(REMOTE_ADDR="10.0.0.2").post(
            "/accounts/login/",
            {
                "username": "officer2",
                "password": PASSWORD,
                "otp_token": current_code(self.w.officer2),
            },
        )
        assert response.status_code == 429
        assert "锁定" in response.content.decode()

    def test_four_failures_do_not_lock_the_username(self):
        for _ in range(4):
            Client().post("/accounts/login/", {"username": "officer2", "password": "wrong"})
        assert signed_in(self.w.officer2)

    def test_one_address_spraying_many_names_is_locked_after_twenty_failures(self):
        for n in range(20):
            Client(REMOTE_ADDR="10.9.9.9").post(
                "/accounts/login/", {"username": f"guess{n}", "password": "wrong"}
            )
        response = Client(REMOTE_ADDR="10.9.9.9").post(
            "/accounts/login/",
            {"username": "head", "password": PASSWORD, "otp_token": current_code(self.w.head)},
        )
        assert response.status_code == 429

    def test_a_user_without_an_authenticator_is_asked_to_enrol_one(self):
        TOTPDevice.objects.filter(user=self.w.head).delete()
        client = Client()
        response = client.post("/accounts/login/", {"username": "head", "password": PASSWORD})
        assert response["Location"] == "/accounts/enrol/"
        page = client.get("/accounts/enrol/")
        assert "绑定动态口令" in page.content.decode()
        device = TOTPDevice.objects.get(user=self.w.head, confirmed=False)
        from django_otp.oath import totp

        code = f"{totp(device.bin_key):06d}"
        assert client.post("/accounts/enrol/", {"otp_token": code}).status_code == 302
        assert client.get("/").status_code == 200

    @override_settings(SANXIANG_IDLE_TIMEOUT_SECONDS=1)
    def test_an_idle_session_ends_and_the_login_page_says_why(self):
        client = signed_in(self.w.officer)
        assert client.get("/").status_code == 200
        session = client.session
        session["sanxiang_last_seen"] = time.time() - 10
        session.save()
        response = client.get("/", follow=True)
        assert "长时间未操作" in response.content.decode()

    def test_production_settings_hash_passwords_with_argon2(self):
        from sanxiang import settings as project

        with override_settings(PASSWORD_HASHERS=project.PASSWORD_HASHERS):
            self.w.officer.set_password("another-long-password")
        assert self.w.officer.password.startswith("argon2")


class ScopeTests(WorldTestCase):
    def test_a_reviewer_in_the_legal_unit_sees_the_whole_agency(self):
        from sanxiang.accounts.queries import visible_agency_ids

        scope = visible_agency_ids(self.w.reviewer)
        assert {self.w.agency.pk, self.w.legal_unit.pk} <= scope
        assert self.w.other_agency.pk not in scope

    def test_the_supervisor_sees_its_own_bureau_and_the_agencies_it_supervises(self):
        from sanxiang.accounts.queries import visible_agency_ids

        scope = visible_agency_ids(self.w.supervisor)
        assert {self.w.justice.pk, self.w.agency.pk, self.w.legal_unit.pk} <= scope
        assert self.w.other_agency.pk not in scope
