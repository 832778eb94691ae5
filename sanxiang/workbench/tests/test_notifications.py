"""Notifications: built from the committed ledger after the step, mailed to a real SMTP server
when mail is configured, never in the step's way; a daily digest; e-mail can be turned off."""

from __future__ import annotations

import socket
from datetime import timedelta
from email import message_from_bytes
from email.header import decode_header, make_header

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from sanxiang.cases.services import transition
from sanxiang.cases.testing import open_test_case
from sanxiang.ledger.services import integrate
from sanxiang.lib.errors import DomainError
from sanxiang.review.tests.helpers import assigned, case_at_defence, failed
from sanxiang.testing import WorldTestCase, signed_in
from sanxiang.workbench import notifications
from sanxiang.workbench.models import MailStatus, Notification, NotificationSetting


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Mailbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 OK"


def subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def text(message) -> str:
    return message.get_payload(decode=True).decode(message.get_content_charset() or "utf-8")


def run_notifier(test) -> int:
    """What the task worker does: sequence the committed entries, then notify (mail on commit)."""
    integrate()
    with test.captureOnCommitCallbacks(execute=True):
        return notifications.dispatch()


def titles(user) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("title", flat=True))


class InApp(WorldTestCase):
    def test_a_new_case_tells_the_head_after_commit_but_not_the_officer_who_opened_it(self):
        case = open_test_case(self.w, title="未经批准举行宗教活动案")
        assert titles(self.w.head) == []  # nothing inside the step
        assert run_notifier(self) == 1
        (notice,) = Notification.objects.filter(user=self.w.head)
        assert notice.title == f"待批准立案：未经批准举行宗教活动案（{case.number}）"
        assert notice.url == f"/cases/{case.pk}/#case-stage"
        assert titles(self.w.officer) == []

    def test_the_notifier_reads_each_entry_once(self):
        open_test_case(self.w)
        run_notifier(self)
        assert run_notifier(self) == 0
        assert Notification.objects.count() == 1

    def test_a_refused_step_notifies_nobody(self):
        case = open_test_case(self.w)
        run_notifier(self)
        with pytest.raises(DomainError):
            transition(actor=self.w.officer, case_id=case.pk, target="investigation")
        assert run_notifier(self) == 0

    def test_a_review_tells_the_unit_the_reviewer_and_then_the_team(self):
        case = case_at_defence(self.w)
        run_notifier(self)
        round_ = assigned(self.w, case)
        run_notifier(self)
        assert any(t.startswith("法制审核待分配") for t in titles(self.w.reviewer))
        assert any(t.startswith("分配给您的法制审核") for t in titles(self.w.reviewer))
        failed(self.w, round_)
        run_notifier(self)
        returned = Notification.objects.get(user=self.w.officer, kind="review.opinion")
        assert "请按审核意见修改后重新报审" in returned.title
        assert returned.url == f"/review/rounds/{round_.pk}/"
        assert "补充从重处罚的事实依据" in returned.body
        assert Notification.objects.filter(user=self.w.officer2, kind="review.opinion").exists()

    def test_a_decision_tells_the_team_to_deliver(self):
        case = case_at_defence(self.w, amount="500")
        transition(actor=self.w.head, case_id=case.pk, target="decision")
        run_notifier(self)
        assert any(t.startswith("已作出决定，请及时送达") for t in titles(self.w.officer))

    def test_without_mail_configured_nothing_is_mailed(self):
        self.w.head.email = "head@example.org"
        self.w.head.save()
        open_test_case(self.w)
        run_notifier(self)
        assert Notification.objects.get(user=self.w.head).mail_status == MailStatus.NONE
        assert mail.outbox == []


@pytest.mark.xdist_group("smtp")
class ByMail(WorldTestCase):
    """A real SMTP server on localhost (aiosmtpd) receives what the notifier sends."""

    def setUp(self):
        self.mailbox = Mailbox()
        self.port = free_port()
        self.server = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.server.start()
        self.addCleanup(self.server.stop)
        self.settings_ctx = override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=self.port,
            DEFAULT_FROM_EMAIL="sanxiang@test.local",
        )
        self.settings_ctx.enable()
        self.addCleanup(self.settings_ctx.disable)
        for user in (self.w.head, self.w.officer, self.w.reviewer):
            user.email = f"{user.username}@example.org"
            user.save()

    def test_the_head_gets_a_mail_with_the_link_after_the_step_committed(self):
        case = open_test_case(self.w, title="未经批准举行宗教活动案")
        assert self.mailbox.messages == []
        run_notifier(self)
        ((to, message),) = self.mailbox.messages
        assert to == ["head@example.org"]
        assert subject(message) == f"【三项】待批准立案：未经批准举行宗教活动案（{case.number}）"
        assert f"/cases/{case.pk}/#case-stage" in text(message)
        assert Notification.objects.get(user=self.w.head).mail_status == MailStatus.SENT

    def test_a_person_who_turned_mail_off_is_told_in_app_only(self):
        notifications.set_email(actor=self.w.head, enabled=False)
        open_test_case(self.w)
        run_notifier(self)
        assert self.mailbox.messages == []
        assert Notification.objects.get(user=self.w.head).mail_status == MailStatus.NONE
        assert not NotificationSetting.objects.get(user=self.w.head).email

    def test_a_mail_server_that_is_down_neither_blocks_the_step_nor_loses_the_notice(self):
        case = open_test_case(self.w)
        transition(actor=self.w.head, case_id=case.pk, target="investigation")
        with override_settings(EMAIL_PORT=free_port()):  # nothing listens there
            run_notifier(self)
        notice = Notification.objects.get(user=self.w.head)
        assert notice.mail_status == MailStatus.FAILED and notice.mail_error

    def test_the_daily_digest_lists_my_deadlines_near_or_past_once_a_day(self):
        today = timezone.localdate()
        open_test_case(self.w, title="将届满", opened_on=today - timedelta(days=88))
        open_test_case(self.w, title="已逾期", opened_on=today - timedelta(days=95))
        with self.captureOnCommitCallbacks(execute=True):
            made = notifications.deadline_digest(today)
        assert made == 3  # both officers of the team and the head
        digest = Notification.objects.get(user=self.w.officer, kind="digest.deadlines")
        assert digest.title == "每日期限提醒：2项即将届满或已逾期"
        assert "已逾期：" in digest.body and "即将届满：" in digest.body
        head = Notification.objects.get(user=self.w.head, kind="digest.deadlines")
        assert "已逾期 1 项，即将届满 1 项" in head.body
        recipients = sorted(to[0] for to, _ in self.mailbox.messages)
        assert recipients == ["head@example.org", "officer@example.org"]  # officer2: no address
        with self.captureOnCommitCallbacks(execute=True):
            notifications.deadline_digest(today)
        assert Notification.objects.filter(kind="digest.deadlines").count() == 3
        assert len(self.mailbox.messages) == 2


class Pages(WorldTestCase):
    def test_the_page_lists_notifications_and_marks_them_read(self):
        open_test_case(self.w, title="未经批准举行宗教活动案")
        run_notifier(self)
        head = signed_in(self.w.head)
        assert ">1<" in head.get("/notifications/count/").content.decode()
        page = head.get("/notifications/").content.decode()
        assert "待批准立案：未经批准举行宗教活动案" in page and "1 条未读" in page
        assert head.post("/notifications/read/").status_code == 302
        assert Notification.objects.get(user=self.w.head).read_at is not None
        assert (
            'data-testid="unread-count"' not in head.get("/notifications/count/").content.decode()
        )

    def test_a_person_turns_email_off_and_on_again(self):
        officer = signed_in(self.w.officer)
        officer.post("/notifications/email/", {})
        assert not notifications.email_enabled(self.w.officer)
        officer.post("/notifications/email/", {"email": "on"})
        assert notifications.email_enabled(self.w.officer)

    def test_nobody_marks_another_persons_notifications_read(self):
        open_test_case(self.w)
        run_notifier(self)
        notice = Notification.objects.get(user=self.w.head)
        signed_in(self.w.officer).post("/notifications/read/", {"id": [notice.pk]})
        notice.refresh_from_db()
        assert notice.read_at is None

    def test_signed_out_visitors_are_sent_to_the_login(self):
        assert self.client.get("/notifications/").status_code == 302
        assert self.client.post("/notifications/email/").status_code == 302
