"""The people of the tests, built once per test class (``World.build()`` in setUpTestData).

Two enforcement agencies (A: the demo-like bureau with its 法制股; B: another bureau), a justice
bureau that supervises A only, and: two officers of A, a reviewer, a head, an admin of A, a
supervisor of the justice bureau, and an officer of B.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.test import Client, TestCase
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from sanxiang.accounts.models import Role, User
from sanxiang.directory.models import Agency, AgencyLevel, Officer
from sanxiang.lib.identifiers import credit_code_check_char

PASSWORD = "correct-horse-battery"  # noqa: S105 - a test password


def credit_code(n: int) -> str:
    head = f"112111030{n:08d}"
    return head + credit_code_check_char(head)


@dataclass
class World:
    government: Agency
    justice: Agency
    agency: Agency
    legal_unit: Agency
    other_agency: Agency
    officer: User
    officer2: User
    reviewer: User
    head: User
    admin: User
    supervisor: User
    other_officer: User

    @classmethod
    def build(cls) -> World:
        gov = Agency.objects.create(name="测试区人民政府", level=AgencyLevel.GOVERNMENT)
        justice = Agency.objects.create(name="测试区司法局", level=AgencyLevel.JUSTICE, parent=gov)
        agency = Agency.objects.create(
            name="测试区民族和宗教事务局",
            level=AgencyLevel.DEPARTMENT,
            parent=gov,
            short_name="测民宗",
            credit_code=credit_code(1),
            supervised_by=justice,
            area="测试区",
        )
        legal = Agency.objects.create(
            name="测试区民族和宗教事务局法制股",
            level=AgencyLevel.UNIT,
            parent=agency,
            is_legal_unit=True,
        )
        other = Agency.objects.create(
            name="测试区市场监督管理局",
            level=AgencyLevel.DEPARTMENT,
            parent=gov,
            short_name="测市监",
            credit_code=credit_code(2),
            area="测试区",
        )
        return cls(
            government=gov,
            justice=justice,
            agency=agency,
            legal_unit=legal,
            other_agency=other,
            officer=make_user("officer", Role.OFFICER, agency, certificate="T0001"),
            officer2=make_user("officer2", Role.OFFICER, agency, certificate="T0002"),
            reviewer=make_user(
                "reviewer", Role.REVIEWER, legal, certificate="T0003", reviewer=True
            ),
            head=make_user("head", Role.HEAD, agency, certificate="T0004"),
            admin=make_user("admin", Role.ADMIN, agency),
            supervisor=make_user("supervisor", Role.SUPERVISOR, justice),
            other_officer=make_user("other", Role.OFFICER, other, certificate="T0009"),
        )


def make_user(
    username: str, role: str, agency: Agency, *, certificate: str = "", reviewer: bool = False
) -> User:
    user = User(username=username, role=role, agency=agency, display_name=username)
    user.set_password(PASSWORD)
    user.save()
    TOTPDevice.objects.create(user=user, name="test", key=f"{user.pk:040x}", confirmed=True)
    if certificate:
        today = timezone.localdate()
        Officer.objects.create(
            agency=agency,
            user=user,
            name=username,
            certificate_no=certificate,
            categories=["licence", "penalty", "coercion", "inspection"],
            area="测试区",
            certificate_issued=today - timedelta(days=365),
            certificate_expires=today + timedelta(days=365),
            is_reviewer=reviewer,
            legal_qualification_no="A20190001" if reviewer else "",
        )
    return user


def current_code(user: User, *, at: float | None = None) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    kwargs: dict[str, Any] = {"step": device.step, "t0": device.t0, "digits": device.digits}
    if at is not None:
        kwargs["t"] = at
    return f"{totp(device.bin_key, **kwargs):06d}"


def signed_in(user: User) -> Client:
    """A client that went through password + TOTP like a person would."""
    client = Client()
    response = client.post(
        "/accounts/login/",
        {"username": user.username, "password": PASSWORD, "otp_token": current_code(user)},
    )
    assert response.status_code == 302, response.content.decode()[:500]  # noqa: S101
    return client


def a_day(offset: int = 0) -> date:
    return timezone.localdate() + timedelta(days=offset)


class WorldTestCase(TestCase):
    """A TestCase whose ``w`` holds the people of the tests, built once for the class."""

    w: World

    @classmethod
    def setUpTestData(cls) -> None:
        cls.w = World.build()


def sign_in_page(page: Any, base: str, user: User) -> Any:
    """Sign ``user`` in on a browser page through the login form (password and TOTP code)."""
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_label("动态口令").fill(current_code(user))
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")
    return page


def watch_errors(page: Any) -> list[str]:
    """A page's script errors and CSP refusals as they happen (an inline style or script
    would show here); a missing favicon is not a page's business."""
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and "Failed to load resource" not in m.text
            else None
        ),
    )
    return errors


def signed_in_page(browser: Any, base: str, user: User) -> Any:
    """A new browser context (its own cookies) with ``user`` signed in; returns its page."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    return sign_in_page(context.new_page(), base, user)
