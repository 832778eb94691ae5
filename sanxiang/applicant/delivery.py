"""电子送达 (issue 16, item 4): documents delivered through the party's link (and e-mail).

行政处罚法 第61条第二款: with the party's consent and a signed 送达地址确认书, documents may be
delivered electronically (传真、电子邮件等). Here:

- An online applicant may choose it in the application form, which then is their 送达地址
  确认书 (``intake._submit`` records the consent).
- ``record_consent``: staff record the consent; the signed confirmation is the case's issued
  《送达地址确认书》 (refused without it), the electronic address the party's link and, where
  given, an e-mail address.
- ``send_document``: a letter of the case (告知书, 决定书 …) is sent; where an e-mail address is
  on record, a personal link is made for it and mailed after the commit (the token is in the
  mail only). The agency's rule (``SANXIANG_EDELIVERY_RULE``) says when it counts as delivered:
  ``opened`` (default) — when the document first reached the party through their link;
  ``sent`` — when it was sent.
- ``opened``: called by the link's document view; the first opening is the 送达 time, recorded
  with the document's PDF hash as the electronic 送达回证 (``applicant.delivery_received``).
- Undelivered after ``SANXIANG_EDELIVERY_FALLBACK_DAYS`` working days: the case team's 待办 says
  to deliver by another method (直接送达、邮寄送达 …, 行政处罚法 第61条; 民事诉讼法 on 送达).
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from sanxiang.accounts.models import User
from sanxiang.cases import queries as case_queries
from sanxiang.cases.services import may_take
from sanxiang.documents.models import IssuedDocument
from sanxiang.ledger import services as ledger
from sanxiang.lib.errors import DomainError, ValidationFailed
from sanxiang.procedures.definitions import STAFF

from . import queries, services
from .models import DeliveryConsent, ElectronicDelivery, PartyLink


def rule() -> str:
    chosen = str(getattr(settings, "SANXIANG_EDELIVERY_RULE", "opened"))
    if chosen not in {"opened", "sent"}:
        raise ValueError("SANXIANG_EDELIVERY_RULE must be 'opened' or 'sent'")
    return chosen


def _team_case(actor: User, case_id: int):  # type: ignore[no-untyped-def]
    case = case_queries.get_case_for(actor, case_id, write=True)
    if not may_take(actor, case, STAFF, head_approval=False):
        raise DomainError("forbidden", "只有本案办案人员或负责人可以办理电子送达。")
    return case


@transaction.atomic(durable=True)
def record_consent(*, actor: User, case_id: int, party_id: int, email: str = "") -> DeliveryConsent:
    case = _team_case(actor, case_id)
    party = case.parties.filter(pk=party_id).first()
    if party is None:
        raise ValidationFailed("请选择本案的当事人。", field="party")
    confirmation = (
        IssuedDocument.objects.filter(case=case, kind="address_confirmation")
        .order_by("-pk")
        .first()
    )
    if confirmation is None:
        raise DomainError(
            "document_required",
            "请先制发《送达地址确认书》并由当事人签署选择电子送达（行政处罚法 第61条第二款）。",
        )
    address = email.strip()
    if address and ("@" not in address or len(address) > 254):
        raise ValidationFailed("电子邮箱格式不正确。", field="email")
    if DeliveryConsent.objects.filter(case=case, party=party).exists():
        raise DomainError("conflict", f"已登记{party.name}同意电子送达。")
    consent = DeliveryConsent.objects.create(
        case=case, party=party, confirmation=confirmation, email=address, recorded_by=actor
    )
    ledger.append(
        event_type="applicant.delivery_consented",
        payload={
            "consent": consent.pk,
            "party_id": party.pk,
            "confirmation": confirmation.pk,
            "email": bool(address),
        },
        actor=actor,
        agency_id=case.agency_id,
        case_id=case.pk,
    )
    return consent


@transaction.atomic(durable=True)
def send_document(
    *, actor: User, case_id: int, document_id: int, party_id: int
) -> ElectronicDelivery:
    case = _team_case(actor, case_id)
    consent = DeliveryConsent.objects.filter(case=case, party_id=party_id).first()
    if consent is None:
        raise DomainError(
            "conflict", "该当事人未签署选择电子送达的《送达地址确认书》，请采用其他方式送达。"
        )
    document = next((d for d in queries.addressed_documents(case) if d.pk == document_id), None)
    if document is None:
        raise ValidationFailed("只能电子送达本案发给当事人的文书。", field="document")
    if ElectronicDelivery.objects.filter(consent=consent, document=document).exists():
        raise DomainError("conflict", f"《{document.title}》已向该当事人电子送达。")
    now, chosen = timezone.now(), rule()
    delivery = ElectronicDelivery.objects.create(
        consent=consent,
        document=document,
        pdf_sha256=document.pdf_sha256,
        sent_by=actor,
        sent_at=now,
        rule=chosen,
        delivered_at=now if chosen == "sent" else None,
        emailed=bool(consent.email),
    )
    token = ""
    if consent.email:
        token = secrets.token_urlsafe(32)
        PartyLink.objects.create(
            case=case,
            party_id=party_id,
            token_sha256=services.token_hash(token),
            created_by=actor,
            created_at=now,
            expires_at=now + timedelta(days=int(settings.SANXIANG_PARTY_LINK_DAYS)),
        )
    ledger.append(
        event_type="applicant.delivery_sent",
        payload={
            "delivery": delivery.pk,
            "party_id": party_id,
            "document": document.pk,
            "number": document.number,
            "pdf_sha256": document.pdf_sha256,
            "rule": chosen,
            "emailed": bool(consent.email),
        },
        actor=actor,
        agency_id=case.agency_id,
        case_id=case.pk,
    )
    if token:
        url = settings.PUBLIC_BASE_URL + reverse("applicant_portal:link", args=[token])
        subject = f"{case.agency.name}：《{document.title}》电子送达"
        body = (
            f"{consent.party.name}：\n\n{case.agency.name}依您签署的《送达地址确认书》，向您电子送达"
            f"《{document.title}》（{document.number}）。请通过以下专用链接查看：\n{url}\n\n"
            "请勿转发此链接。"
        )
        address = consent.email
        transaction.on_commit(
            lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
        )
    return delivery


@transaction.atomic(durable=True)
def opened(*, link: PartyLink, document_id: int) -> ElectronicDelivery | None:
    """The party opened a document through their link: the first opening of an electronically
    sent document is its 送达 (under the ``opened`` rule), recorded with the PDF's hash."""
    delivery = (
        ElectronicDelivery.objects.select_for_update()
        .filter(consent__case_id=link.case_id, consent__party_id=link.party_id)
        .filter(document_id=document_id, opened_at__isnull=True)
        .first()
    )
    if delivery is None:
        return None
    now = timezone.now()
    changes = {"opened_at": now}
    if delivery.delivered_at is None:
        changes["delivered_at"] = now
    ElectronicDelivery.objects.filter(pk=delivery.pk).update(**changes)
    ledger.append(
        event_type="applicant.delivery_received",
        payload={
            "delivery": delivery.pk,
            "party_id": link.party_id,
            "document": document_id,
            "pdf_sha256": delivery.pdf_sha256,
            "opened_at": now.isoformat(),
            "delivered_at": (changes.get("delivered_at") or delivery.delivered_at).isoformat(),  # type: ignore[union-attr]
            "link_id": link.pk,
        },
        agency_id=link.case.agency_id,
        case_id=link.case_id,
    )
    delivery.refresh_from_db()
    return delivery


def deliveries_of(case_id: int) -> list[ElectronicDelivery]:
    return list(
        ElectronicDelivery.objects.filter(consent__case_id=case_id).select_related(
            "document", "consent__party"
        )
    )


def consents_of(case_id: int) -> list[DeliveryConsent]:
    return list(DeliveryConsent.objects.filter(case_id=case_id).select_related("party"))


def delivered_document_ids(case_id: int) -> set[int]:
    """The case's documents that reached the party electronically (documents' delivery guard:
    these need no paper 送达回证; the ElectronicDelivery row with the PDF's hash and its
    ``applicant.delivery_received`` entry are the 送达 record, 行政处罚法 第61条第2款)."""
    return set(
        ElectronicDelivery.objects.filter(
            consent__case_id=case_id, delivered_at__isnull=False
        ).values_list("document_id", flat=True)
    )
