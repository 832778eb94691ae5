"""Writes of the party's side: make and revoke a party link, log each use, count public tries.

Every change runs in one durable transaction with its ledger entry (STYLE.md §2). A refused
try at the progress query is counted in its own committed transaction before the answer is
looked up, so a wrong second factor counts even though nothing is shown.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, NamedTuple

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from sanxiang.accounts.models import User
from sanxiang.cases import queries as case_queries
from sanxiang.cases.models import Case, Party
from sanxiang.directory.models import Agency
from sanxiang.ledger import services as ledger
from sanxiang.lib.errors import DomainError, ValidationFailed

from .models import PartyLink, ProgressAttempt

MAX_LINK_DAYS = 366
NOT_FOUND_MESSAGE = (
    "案件编号或身份证明信息不正确，未能查询到办理进度。请核对案件编号和证件号码（或统一社会信用代码）"
    "后六位；如仍有疑问，请联系办案机关。"
)
LINK_UNKNOWN_MESSAGE = "该链接无效，请核对链接是否完整，或联系办案机关重新获取。"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _hmac(text: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), text.encode(), hashlib.sha256).hexdigest()


QUERY_CODE_LENGTH = 8  # the query code printed on an online application's receipt


def query_code_hmac(code: str) -> str:
    return _hmac("query:" + code)


def address_key(address: str) -> str:
    return _hmac("addr:" + address)


def number_key(number: str) -> str:
    return _hmac("case:" + number)


# ---------------------------------------------------------------------------- links (staff)


@dataclass(frozen=True)
class NewLink:
    link: PartyLink
    token: str  # shown once, never stored


@transaction.atomic(durable=True)
def create_link(*, actor: User, case_id: int, party_id: int, days: int | None = None) -> NewLink:
    """A personal link for one party of one case, valid ``days`` (default from settings)."""
    case = case_queries.get_case_for(actor, case_id, write=True)
    party = Party.objects.filter(pk=party_id, case=case).first()
    if party is None:
        raise ValidationFailed("请选择本案的当事人。", field="party")
    valid_days = int(settings.SANXIANG_PARTY_LINK_DAYS) if days is None else days
    if not 1 <= valid_days <= MAX_LINK_DAYS:
        raise ValidationFailed(f"有效期应为 1 至 {MAX_LINK_DAYS} 日。", field="days")
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    link = PartyLink.objects.create(
        case=case,
        party=party,
        token_sha256=token_hash(token),
        created_by=actor,
        created_at=now,
        expires_at=now + timedelta(days=valid_days),
    )
    ledger.append(
        event_type="applicant.link_created",
        payload={
            "link_id": link.pk,
            "party_id": party.pk,
            "expires_at": link.expires_at.isoformat(),
            "token_sha256": link.token_sha256,
        },
        actor=actor,
        agency_id=case.agency_id,
        case_id=case.pk,
    )
    return NewLink(link=link, token=token)


@transaction.atomic(durable=True)
def revoke_link(*, actor: User, link_id: int) -> PartyLink:
    """Revoke a link at once; its next use is refused (a second revoke is a conflict)."""
    link = PartyLink.objects.filter(pk=link_id).first()
    if link is None:
        raise DomainError("not_found", "未找到该链接。")
    case = case_queries.get_case_for(actor, link.case_id, write=True)
    now = timezone.now()
    changed = PartyLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(
        revoked_at=now, revoked_by=actor
    )
    if changed != 1:
        raise DomainError("conflict", "该链接已被撤销。")
    ledger.append(
        event_type="applicant.link_revoked",
        payload={"link_id": link.pk, "party_id": link.party_id},
        actor=actor,
        agency_id=case.agency_id,
        case_id=case.pk,
    )
    link.refresh_from_db()
    return link


# ------------------------------------------------------------------- the rate limit (public)


def _serialise(key: str) -> None:
    """Tries from one address count one after the other on PostgreSQL (SQLite has one writer),
    so a parallel burst cannot slip past the limit."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int(key[:15], 16)])


def _limited() -> DomainError:
    limit = int(settings.SANXIANG_PROGRESS_RATE_LIMIT)
    minutes = max(1, int(settings.SANXIANG_PROGRESS_RATE_WINDOW_SECONDS) // 60)
    return DomainError(
        "rate_limited",
        f"查询过于频繁：同一网络地址或同一案件编号在 {minutes} 分钟内最多查询 {limit} 次，"
        "请稍后再试。如有急事，请直接联系办案机关。",
    )


@transaction.atomic(durable=True)
def count_try(*, address: str, number: str = "") -> int:
    """Count one try, or refuse with ``rate_limited`` once the address or the case number
    has had its tries in the window (a refused try is not counted again)."""
    keys = _check_limit(address=address, number=number)
    return ProgressAttempt.objects.create(address_key=keys[0], number_key=keys[1]).pk


def _check_limit(*, address: str, number: str) -> tuple[str, str]:
    """Refuse once the address or the case number has had its tries in the window; else the
    two keys to count this try under. One query counts both (the tries of the address, and
    those of the number from any address)."""
    a_key = address_key(address)
    n_key = number_key(number) if number else ""
    _serialise(a_key)
    since = timezone.now() - timedelta(seconds=int(settings.SANXIANG_PROGRESS_RATE_WINDOW_SECONDS))
    limit = int(settings.SANXIANG_PROGRESS_RATE_LIMIT)
    mine = Q(address_key=a_key) | Q(number_key=n_key) if n_key else Q(address_key=a_key)
    counts = {"by_address": Count("pk", filter=Q(address_key=a_key))}
    if n_key:
        counts["by_number"] = Count("pk", filter=Q(number_key=n_key))
    counted = ProgressAttempt.objects.filter(mine, at__gte=since).aggregate(**counts)
    if counted["by_address"] >= limit or counted.get("by_number", 0) >= limit:
        raise _limited()
    return a_key, n_key


def check_not_limited(*, address: str) -> None:
    """Refuse an address that has used up its tries (for link pages: only failures count)."""
    since = timezone.now() - timedelta(seconds=int(settings.SANXIANG_PROGRESS_RATE_WINDOW_SECONDS))
    tries = ProgressAttempt.objects.filter(address_key=address_key(address), at__gte=since)
    if tries.count() >= int(settings.SANXIANG_PROGRESS_RATE_LIMIT):
        raise _limited()


# ------------------------------------------------------------------------- public look-ups


def normalise_number(raw: str) -> str:
    """The case number as typed on a phone: spaces dropped, [] () 【】 read as 〔〕."""
    text = "".join(raw.split())
    for a, b in (("[", "〔"), ("]", "〕"), ("【", "〔"), ("】", "〕"), ("［", "〔"), ("］", "〕")):
        text = text.replace(a, b)
    return text[:60]


def _factor_matches(party: Party, factor: str) -> bool:
    held = (party.id_number or party.credit_code).strip().upper()
    if len(held) < 6:
        return False
    return hmac.compare_digest(held[-6:].encode(), factor.encode())


def _code_matches(party: Party, code: str) -> bool:
    """The receipt's query code of the online application that made ``party`` (8 characters;
    stored as an HMAC, compared in the database by that HMAC)."""
    from .models import OnlineApplication

    if len(code) != QUERY_CODE_LENGTH:
        return False
    return OnlineApplication.objects.filter(
        case_id=party.case_id, query_code_hmac=query_code_hmac(code)
    ).exists()


class Proven(NamedTuple):
    """A progress query answered: the case, the party who proved to hold it, and all the
    case's parties (read in the same query)."""

    case: Case
    party: Party
    parties: list[Party]


def progress_by_number(*, number: str, factor: str, address: str) -> Proven:
    """The case and the party who proved to hold it, or ``not_found`` for an unknown number
    and a wrong factor alike (the answer tells nothing the factor does not prove)."""
    wanted = normalise_number(number)
    held = "".join(factor.split()).upper()
    if not wanted or len(held) not in (6, QUERY_CODE_LENGTH):
        raise ValidationFailed(
            "请填写案件编号（受理编号）和证件号码（或统一社会信用代码）后六位，"
            "或网上申请回执上的八位查询码。"
        )
    proven = _try_number(number=wanted, factor=held, address=address)
    if proven is None:  # raised after the commit, so the wrong try stays counted
        raise DomainError("not_found", NOT_FOUND_MESSAGE)
    return proven


@transaction.atomic(durable=True)
def _try_number(*, number: str, factor: str, address: str) -> Proven | None:
    """One transaction: check the limit, look the party up, count the try (as succeeded or
    not: a wrong factor stays counted, the transaction commits either way), log a success.

    Four statements besides the transaction: the limit's count, the parties of the number
    (with their case and agency; the case's other parties for the page come with them),
    the try's row, the ledger entry."""
    a_key, n_key = _check_limit(address=address, number=number)
    # 案件编号 is unique per agency and indexed as (agency, number): naming the agencies (a
    # subquery on the few of them) lets the database seek that index instead of scanning.
    parties = list(
        Party.objects.filter(
            case__agency_id__in=Agency.objects.values("pk"), case__number=number
        ).select_related("case", "case__agency")
    )
    found = next((p for p in parties if _factor_matches(p, factor)), None)
    if found is None:
        found = next((p for p in parties if _code_matches(p, factor)), None)
    ProgressAttempt.objects.create(address_key=a_key, number_key=n_key, succeeded=bool(found))
    if found is None:
        return None
    ledger.append(
        event_type="applicant.progress_viewed",
        payload={"party_id": found.pk, "via": "number", "address_key": a_key},
        agency_id=found.case.agency_id,
        case_id=found.case_id,
    )
    # The case's other parties were read with it: the page need not ask for them again.
    return Proven(found.case, found, [p for p in parties if p.case_id == found.case_id])


def _link_for(token: str) -> PartyLink | None:
    if not 20 <= len(token) <= 100:
        return None
    return (
        PartyLink.objects.select_related("case", "case__agency", "party")
        .filter(token_sha256=token_hash(token))
        .first()
    )


OTHER_BROWSER_MESSAGE = (
    "该链接已在另一台设备或浏览器上使用过，为防止链接被他人冒用，不能在此打开。"
    "请在您第一次打开该链接的设备和浏览器上打开；如已更换设备，可在下方填写证件号码"
    "（或统一社会信用代码）后六位后继续，或联系办案机关重新获取链接。"
)
UNBOUND_MESSAGE = (
    "该链接的浏览器绑定记录已不存在，为防止链接被他人冒用，请在下方填写证件号码"
    "（或统一社会信用代码）后六位后继续，或联系办案机关重新获取链接。"
)


def new_browser_key() -> str:
    """The random value of a link's browser cookie (256 bits; only its SHA-256 is stored)."""
    return secrets.token_urlsafe(32)


def use_link(
    *,
    token: str,
    address: str,
    what: str,
    browser: str,
    case_id: int | None = None,
    document_id: int = 0,
) -> PartyLink:
    """The live link of ``token``, its use logged, or a refusal: unknown (counted for the
    address's limit), expired, revoked, presented for another case than its own, or from
    another browser than the one it is bound to (counted for the address and the link).

    ``browser`` is the value of the link's cookie in this browser, or a fresh
    ``new_browser_key()`` when it has none: a link never used binds to it at this use (the
    view then sets the cookie); a bound link accepts only the browser it is bound to."""
    check_not_limited(address=address)
    link = _link_for(token)
    if link is None:
        count_try(address=address)
        raise DomainError("not_found", LINK_UNKNOWN_MESSAGE)
    now = timezone.now()
    if link.revoked_at is not None:
        raise DomainError(
            "party_link_invalid", "该链接已被办案机关撤销，不能再使用。请联系办案机关重新获取。"
        )
    if link.expires_at <= now:
        raise DomainError(
            "party_link_invalid",
            f"该链接已于 {timezone.localtime(link.expires_at):%Y年%m月%d日} 过期，"
            "请联系办案机关重新获取。",
        )
    if case_id is not None and case_id != link.case_id:
        raise DomainError("forbidden", "该链接不能用于此案件。")
    if not _log_use(link, address=address, what=what, document_id=document_id, browser=browser):
        # Committed before the refusal: the try counts for the address and for the link.
        count_try(address=address, number=_link_key(link))
        raise DomainError("link_other_browser", _other_browser_message(link))
    return link


def _link_key(link: PartyLink) -> str:
    return f"link:{link.pk}"


def _other_browser_message(link: PartyLink) -> str:
    return OTHER_BROWSER_MESSAGE if link.bound_at else UNBOUND_MESSAGE


@transaction.atomic(durable=True)
def _log_use(link: PartyLink, *, address: str, what: str, document_id: int, browser: str) -> bool:
    """Log one use from ``browser``; False (nothing written) if the link is bound to another
    browser, or its binding is gone although it was used (cleared behind the application: the
    party proves the second factor again, ``rebind_link``)."""
    now = timezone.now()
    live = Q(pk=link.pk, revoked_at__isnull=True, expires_at__gt=now)
    key = token_hash(browser) if browser else ""
    changes: dict[str, Any] = {"use_count": F("use_count") + 1, "last_used_at": now}
    bound = False
    if not key:
        mine = Q(pk__in=[])
    elif link.browser_sha256:
        mine = Q(browser_sha256=key)
    else:  # the first use binds; a concurrent first use from elsewhere makes this match none
        mine = Q(browser_sha256="", bound_at__isnull=True, use_count=0)
        changes.update(browser_sha256=key, bound_at=now)
        bound = True
    if PartyLink.objects.filter(live & mine).update(**changes) != 1:
        if not PartyLink.objects.filter(live).exists():  # revoked between the read and now
            raise DomainError(
                "party_link_invalid",
                "该链接已被办案机关撤销，不能再使用。请联系办案机关重新获取。",
            )
        return False
    payload: dict[str, Any] = {
        "link_id": link.pk,
        "party_id": link.party_id,
        "what": what,
        "address_key": address_key(address),
    }
    if document_id:
        payload["document_id"] = document_id
    ledger.append(
        event_type="applicant.link_used",
        payload=payload,
        agency_id=link.case.agency_id,
        case_id=link.case_id,
    )
    if bound:  # its own entry: verify_ledger replays the bindings, not every use
        ledger.append(
            event_type="applicant.link_bound",
            payload={"link_id": link.pk, "party_id": link.party_id, "browser_sha256": key},
            agency_id=link.case.agency_id,
            case_id=link.case_id,
        )
    return True


def rebind_link(*, token: str, address: str, factor: str, browser: str) -> PartyLink:
    """Bind a live link to this browser once its party gives the second factor they hold
    (the last six characters of the ID number or credit code). Every try counts for the
    address and for the link (the progress query's limit), a wrong one stays counted."""
    check_not_limited(address=address)
    link = _link_for(token)
    if link is None:
        count_try(address=address)
        raise DomainError("not_found", LINK_UNKNOWN_MESSAGE)
    if link.revoked_at is not None or link.expires_at <= timezone.now():
        raise DomainError("party_link_invalid", "该链接已失效，请联系办案机关重新获取。")
    held = "".join(factor.split()).upper()
    if len(held) != 6:
        raise ValidationFailed("请填写证件号码（或统一社会信用代码）后六位。", field="factor")
    if not browser:
        raise ValidationFailed("请允许浏览器保存本站的 Cookie 后再试。")
    if not _try_rebind(link, address=address, factor=held, browser=browser):
        raise DomainError(  # raised after the commit, so the wrong try stays counted
            "link_other_browser",
            "证件号码（或统一社会信用代码）后六位不正确，不能在此浏览器上打开该链接。"
            "请核对后重试，或联系办案机关重新获取链接。",
        )
    link.refresh_from_db()
    return link


@transaction.atomic(durable=True)
def _try_rebind(link: PartyLink, *, address: str, factor: str, browser: str) -> bool:
    a_key, n_key = _check_limit(address=address, number=_link_key(link))
    ok = _factor_matches(link.party, factor)
    ProgressAttempt.objects.create(address_key=a_key, number_key=n_key, succeeded=ok)
    if not ok:
        return False
    now = timezone.now()
    key = token_hash(browser)
    live = Q(pk=link.pk, revoked_at__isnull=True, expires_at__gt=now)
    if PartyLink.objects.filter(live).update(browser_sha256=key, bound_at=now) != 1:
        raise DomainError("party_link_invalid", "该链接已失效，请联系办案机关重新获取。")
    ledger.append(
        event_type="applicant.link_rebound",
        payload={
            "link_id": link.pk,
            "party_id": link.party_id,
            "address_key": a_key,
            "browser_sha256": key,
        },
        agency_id=link.case.agency_id,
        case_id=link.case_id,
    )
    return True
