"""Notifications: in-app, and e-mail when mail is configured, built after commit.

Every state change of the platform is a ledger entry written in the change's own transaction,
and the integrator gives committed entries contiguous log positions (``seq``). The notifier
reads that committed stream from where it stopped (``NotifierCursor``), so a rolled-back step
notifies nobody and a step never waits for a notification or a mail server:

1. ``dispatch()`` (task worker, every ``SANXIANG_NOTIFY_SECONDS``) turns new entries into
   ``Notification`` rows with the *rules* the apps registered (``register_rule(event_type,
   rule)``; a rule gets the entry and returns ``Notice``s: who is told what, with a link).
   The one who acted is not told of their own act.
2. ``send_pending_mail()``, run after that commit, e-mails the rows marked ``pending``, each
   in its own short transaction; a failing server marks the row ``failed`` with the reason.
3. ``deadline_digest()`` (daily) tells each person of their clocks near or past due.

A person turns e-mail off on the notifications page (``set_email``); in-app stays on.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from sanxiang.accounts.models import User
from sanxiang.ledger.models import Entry

from .models import MailStatus, Notification, NotificationSetting, NotifierCursor

log = logging.getLogger(__name__)

CURSOR = "ledger"
BATCH = 500


@dataclass(frozen=True)
class Notice:
    user_ids: Collection[int]
    title: str
    url: str = ""
    body: str = ""


@dataclass(frozen=True)
class Event:
    """A committed ledger entry as a rule sees it."""

    seq: int
    event_type: str
    payload: dict[str, Any]
    actor_id: int | None
    agency_id: int | None
    case_id: int | None


Rule = Callable[[Event], Iterable[Notice]]
_rules: dict[str, list[Rule]] = defaultdict(list)


def register_rule(event_type: str, rule: Rule) -> Rule:
    if rule not in _rules[event_type]:
        _rules[event_type].append(rule)
    return rule


def register_rules(rules: Iterable[tuple[str, Rule]]) -> None:
    for event_type, rule in rules:
        register_rule(event_type, rule)


def users_with_role(agency_id: int | None, *roles: str) -> set[int]:
    """Active users of the agency (and its units, e.g. the 法制股) holding one of ``roles``."""
    from sanxiang.directory.models import Agency

    if agency_id is None:
        return set()
    return set(
        User.objects.filter(
            agency_id__in=Agency.subtree_ids({agency_id}), role__in=roles, is_active=True
        ).values_list("pk", flat=True)
    )


def mail_configured() -> bool:
    return bool(getattr(settings, "EMAIL_HOST", ""))


def _mailable(user_ids: Iterable[int]) -> set[int]:
    """Of ``user_ids``, those who get e-mail: an address, active, and e-mail not turned off."""
    if not mail_configured():
        return set()
    off = NotificationSetting.objects.filter(email=False).values("user_id")
    return set(
        User.objects.filter(pk__in=list(user_ids), is_active=True)
        .exclude(email="")
        .exclude(pk__in=off)
        .values_list("pk", flat=True)
    )


def _event(entry: Entry) -> Event:
    return Event(
        seq=int(entry.seq or 0),
        event_type=entry.event_type,
        payload=json.loads(entry.payload),
        actor_id=entry.actor_id,
        agency_id=entry.agency_id,
        case_id=entry.case_id,
    )


def dispatch(*, batch: int = BATCH) -> int:
    """Turn the committed entries after the cursor into notifications; how many were made.

    Mail for them is sent once this transaction has committed.
    """
    with transaction.atomic():
        cursor, _ = NotifierCursor.objects.select_for_update().get_or_create(name=CURSOR)
        top = Entry.objects.filter(seq__isnull=False).aggregate(top=Max("seq"))["top"]
        if top is None or top <= cursor.seq:
            return 0
        entries = list(
            Entry.objects.filter(seq__gt=cursor.seq, seq__lte=top, event_type__in=list(_rules))
            .order_by("seq")
            .only("seq", "event_type", "payload", "actor_id", "agency_id", "case_id")[:batch]
        )
        pending: list[tuple[Event, Notice, str]] = []
        for entry in entries:
            event = _event(entry)
            for rule in _rules[event.event_type]:
                pending.extend((event, n, event.event_type) for n in rule(event))
        made = _store(pending)
        # A full batch stops at its last entry; otherwise everything up to ``top`` was read.
        cursor.seq = int(entries[-1].seq or 0) if len(entries) == batch else int(top)
        cursor.save(update_fields=["seq"])
        transaction.on_commit(send_pending_mail)
    return made


def _store(pending: list[tuple[Event, Notice, str]]) -> int:
    everyone = {uid for _, n, _ in pending for uid in n.user_ids}
    mailable = _mailable(everyone)
    rows = [
        Notification(
            user_id=uid,
            kind=kind,
            title=notice.title[:200],
            body=notice.body,
            url=notice.url,
            entry_seq=event.seq,
            mail_status=MailStatus.PENDING if uid in mailable else MailStatus.NONE,
        )
        for event, notice, kind in pending
        for uid in sorted(set(notice.user_ids))
        if uid != event.actor_id
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _mail_text(n: Notification) -> str:
    base = getattr(settings, "PUBLIC_BASE_URL", "")
    link = f"\n\n办理：{base}{n.url}" if n.url else ""
    off = "\n\n如不需要邮件通知，可在平台“通知”页面关闭。"
    body = f"\n{n.body}" if n.body else ""
    return f"{n.title}{body}{link}{off}"


def send_pending_mail(*, limit: int = 200) -> int:
    """E-mail notifications marked ``pending``; how many were sent. Never raises."""
    sent = 0
    ids = list(
        Notification.objects.filter(mail_status=MailStatus.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        with transaction.atomic():
            n = (
                Notification.objects.select_for_update(skip_locked=True)
                .select_related("user")
                .filter(pk=pk, mail_status=MailStatus.PENDING)
                .first()
            )
            if n is None:  # another worker has it
                continue
            try:
                send_mail(
                    subject=f"【三项】{n.title}",
                    message=_mail_text(n),
                    from_email=None,
                    recipient_list=[n.user.email],
                )
            except Exception as error:
                log.warning("notification mail %s failed: %s", n.pk, error)
                n.mail_status = MailStatus.FAILED
                n.mail_error = str(error)[:300]
            else:
                n.mail_status = MailStatus.SENT
                n.mailed_at = timezone.now()
                sent += 1
            n.save(update_fields=["mail_status", "mail_error", "mailed_at"])
    return sent


# --- the daily digest ---------------------------------------------------------------------------

DigestSource = Callable[[date], dict[int, list[str]]]
_digest_sources: list[DigestSource] = []


def register_digest(source: DigestSource) -> DigestSource:
    """``source(today)`` → {user id: lines}; cases registers the deadlines near or past."""
    if source not in _digest_sources:
        _digest_sources.append(source)
    return source


def deadline_digest(today: date | None = None) -> int:
    """One notification per person with something near or past due today; how many."""
    today = today or timezone.localdate()
    lines: dict[int, list[str]] = defaultdict(list)
    for source in list(_digest_sources):
        for uid, more in source(today).items():
            lines[uid].extend(more)
    if not lines:
        return 0
    mailable = _mailable(lines)
    rows = [
        Notification(
            user_id=uid,
            kind="digest.deadlines",
            title=f"每日期限提醒：{len(items)}项即将届满或已逾期",
            body="\n".join(items),
            url="/inbox/",
            digest_on=today,
            mail_status=MailStatus.PENDING if uid in mailable else MailStatus.NONE,
        )
        for uid, items in sorted(lines.items())
    ]
    with transaction.atomic():
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        transaction.on_commit(send_pending_mail)
    return len(rows)


# --- reads and the person's own writes ----------------------------------------------------------


def recent_for(user: Any, *, limit: int = 50) -> QuerySet[Notification]:
    return Notification.objects.filter(user_id=user.pk).order_by("-created_at", "-pk")[:limit]


def unread_count(user: Any) -> int:
    return Notification.objects.filter(user_id=user.pk, read_at__isnull=True).count()


def email_enabled(user: Any) -> bool:
    row = NotificationSetting.objects.filter(user_id=user.pk).first()
    return row.email if row is not None else True


def mark_read(*, actor: User, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the actor's own notifications read (all when ``notification_ids`` is None).

    A read mark is the person's own bookkeeping, not an enforcement record: no ledger entry.
    """
    rows = Notification.objects.filter(user_id=actor.pk, read_at__isnull=True)
    if notification_ids is not None:
        rows = rows.filter(pk__in=list(notification_ids))
    return rows.update(read_at=timezone.now())


@transaction.atomic(durable=True)
def set_email(*, actor: User, enabled: bool) -> NotificationSetting:
    """Turn the actor's e-mail notifications on or off (in-app notifications stay)."""
    from sanxiang.ledger.services import append

    row, _ = NotificationSetting.objects.update_or_create(
        user_id=actor.pk, defaults={"email": enabled, "updated_at": timezone.now()}
    )
    if not enabled:
        Notification.objects.filter(user_id=actor.pk, mail_status=MailStatus.PENDING).update(
            mail_status=MailStatus.NONE
        )
    append(
        event_type="workbench.email_notifications_set",
        payload={"user": actor.pk, "email": enabled},
        actor=actor,
        agency_id=actor.agency_id,
    )
    return row
