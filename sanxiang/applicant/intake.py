"""网上受理: an application for a 许可 matter made on the portal (issue 16, item 1).

行政许可法 第29条第三款 and 第33条 ask agencies to accept applications electronically. A matter
whose 服务指南 says ``online_application`` is offered; its form is generated from the guide's
申请材料 list, each item with the 示范文本 the portal publishes for it. The applicant fills in
who they are, uploads one file per item (spooled, hashed, size- and type-checked by the
evidence store, ``records.blobs``/``records.sniff``), confirms, and gets a receipt: the 受理编号
(the case number), a query code for the progress query, their personal link, and a PDF of what
was submitted with its SHA-256.

Submitting opens the licence case at its first stage (``cases.services.open_online_application``)
in the same transaction as the application's ledger entry, so the clocks run from the day of
receipt: 行政许可法 第32条第一款第（四）项 — the agency tells every missing item at once within
5 working days, otherwise the application counts as accepted from the day it was received.

A draft is reached by a long random token in its URL *and* a cookie of the browser that started
it (both stored as SHA-256 only): a draft URL replayed from another browser is refused.
"""

from __future__ import annotations

import hashlib
import io
import re
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from sanxiang.accounts.models import Role, User
from sanxiang.cases.models import Case, Deadline, Party, PartyKind
from sanxiang.cases.services import PartyData, open_online_application
from sanxiang.catalog.models import MatterVersion
from sanxiang.catalog.queries import in_force_on
from sanxiang.catalog.services import ApplicationField, application_fields
from sanxiang.directory.models import Agency, MatterCategory
from sanxiang.ledger import services as ledger
from sanxiang.lib.errors import DomainError, ValidationFailed
from sanxiang.lib.identifiers import is_valid_credit_code, is_valid_resident_id
from sanxiang.records import blobs
from sanxiang.records.handlers import SpoolingUploadHandler
from sanxiang.records.sniff import EXECUTABLE, sniff

from . import services
from .models import ApplicationStatus, DeliveryConsent, Material, OnlineApplication, PartyLink

DRAFT_DAYS = 7
QUERY_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud on the phone
QUERY_CODE_LENGTH = services.QUERY_CODE_LENGTH
MAX_REQUEST = 2000

# What an applicant may upload: documents and scans. Decided by the bytes (records.sniff),
# whatever the name or the browser's claimed type says.
ALLOWED_TYPES = {
    "application/pdf": "PDF",
    "application/ofd": "OFD",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
    "image/jpeg": "JPG",
    "image/png": "PNG",
}
ALLOWED_NAMES = "PDF、OFD、DOCX、JPG、PNG"

# 行政许可法 第32条第一款第（四）项, cited on the receipt, the draft page and the case panel.
ARTICLE_32 = (
    "《中华人民共和国行政许可法》第三十二条第一款第（四）项：申请材料不齐全或者不符合法定形式的，"
    "应当当场或者在五日内一次告知申请人需要补正的全部内容，逾期不告知的，自收到申请材料之日起即为受理。"
)


class MaterialUploadHandler(SpoolingUploadHandler):
    """The evidence store's spooling handler, reading 1 MiB at a time instead of Django's
    64 KiB: an application's scans run to many MiB, and each chunk costs a pass of the
    multipart parser in Python (benchmark ``applicant_intake_throughput``)."""

    chunk_size = 2**20


def max_material_bytes() -> int:
    return int(settings.SANXIANG_APPLICATION_MAX_MB) * 1024 * 1024


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


query_code_hmac = services.query_code_hmac


# ------------------------------------------------------------------------ the matter's form

_NUMBERING = re.compile(r"^\s*(?:\d+|[一二三四五六七八九十]+)\s*[.、．)）]\s*")


def material_items(guide: MatterVersion) -> list[str]:
    """The 申请材料 list of a 服务指南, one item a line: "1. 申请书（原件1份…）；" → "申请书"."""
    items: list[str] = []
    for line in guide.materials.splitlines():
        text = _NUMBERING.sub("", line).strip().rstrip("；;。.，,")
        name = re.split(r"[（(]", text, maxsplit=1)[0].strip()
        if name and name not in items:
            items.append(name[:120])
    return items


def material_notes(guide: MatterVersion) -> dict[str, str]:
    """The guide's wording of each item (copies, originals …) to show beside it."""
    notes: dict[str, str] = {}
    for line in guide.materials.splitlines():
        text = _NUMBERING.sub("", line).strip().rstrip("；;。.，,")
        name = re.split(r"[（(]", text, maxsplit=1)[0].strip()
        if name:
            notes.setdefault(name[:120], text)
    return notes


def open_matters() -> list[MatterVersion]:
    """The 许可 matters in force today whose 服务指南 takes online applications."""
    return list(
        MatterVersion.objects.filter(
            in_force_on(timezone.localdate()),
            online_application=True,
            category=MatterCategory.LICENCE,
        )
        .select_related("matter", "matter__agency")
        .order_by("matter__agency_id", "matter__code")
    )


def offered_guide(matter_id: int) -> MatterVersion:
    """The guide in force of a matter that takes online applications, or a refusal."""
    guide = (
        MatterVersion.objects.filter(in_force_on(timezone.localdate()), matter_id=matter_id)
        .select_related("matter", "matter__agency")
        .first()
    )
    if guide is None:
        raise DomainError("not_found", "未找到该事项，或该事项目前不在有效期内。")
    if guide.category != MatterCategory.LICENCE or not guide.online_application:
        raise DomainError(
            "online_application_unavailable",
            f"“{guide.name}”不接受网上申请。请按服务指南到{guide.acceptance_body or '受理窗口'}"
            f"办理{f'（地址：{guide.address}' if guide.address else ''}"
            f"{f'，电话：{guide.phone}）' if guide.phone else ('）' if guide.address else '')}。",
        )
    if not material_items(guide):
        raise DomainError(
            "online_application_unavailable",
            f"“{guide.name}”的服务指南未列明申请材料，暂不能网上申请。",
        )
    return guide


def samples_of(guide: MatterVersion) -> dict[str, Any]:
    """The published 示范文本 of the matter by the 申请材料 item it illustrates."""
    from sanxiang.disclosure.models import SampleText

    found: dict[str, Any] = {}
    for sample in SampleText.objects.filter(matter_id=guide.matter_id):
        found.setdefault(sample.material.strip(), sample)
    return found


# -------------------------------------------------------------------------- starting a draft


@dataclass(frozen=True)
class ApplicantData:
    kind: str
    name: str
    id_number: str = ""
    credit_code: str = ""
    legal_representative: str = ""
    phone: str = ""
    address: str = ""
    request: str = ""
    electronic_delivery: bool = False
    email: str = ""
    # the guide's own items (``form_fields``), answered in the guide's order
    answers: tuple[str, ...] = ()


@dataclass(frozen=True)
class NewDraft:
    application: OnlineApplication
    token: str  # in the draft's URL, never stored
    browser: str  # the cookie binding the draft to this browser, never stored


def _check_applicant(data: ApplicantData) -> dict[str, Any]:
    name = data.name.strip()
    if not name:
        raise ValidationFailed("请填写申请人名称或姓名。", field="name")
    fields: dict[str, Any] = {"kind": data.kind, "name": name[:120]}
    if data.kind == PartyKind.NATURAL:
        number = data.id_number.strip().upper()
        if not is_valid_resident_id(number):
            raise ValidationFailed("居民身份证号码校验不通过，请核对。", field="id_number")
        fields["id_number"] = number
    elif data.kind == PartyKind.ORGANISATION:
        code = data.credit_code.strip().upper()
        if not is_valid_credit_code(code):
            raise ValidationFailed("统一社会信用代码校验不通过，请核对。", field="credit_code")
        fields["credit_code"] = code
        fields["legal_representative"] = data.legal_representative.strip()[:60]
    else:
        raise ValidationFailed("请选择申请人类型。", field="kind")
    phone = "".join(data.phone.split())
    if not re.fullmatch(r"[0-9+\-]{7,20}", phone):
        raise ValidationFailed("请填写有效的联系电话。", field="phone")
    request = data.request.strip()
    if not request:
        raise ValidationFailed("请填写申请事项及理由。", field="request")
    if len(request) > MAX_REQUEST:
        raise ValidationFailed(f"申请事项及理由不超过 {MAX_REQUEST} 字。", field="request")
    email = data.email.strip()
    if email and (not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email) or len(email) > 254):
        raise ValidationFailed("电子邮箱格式不正确。", field="email")
    return fields | {
        "phone": phone,
        "address": data.address.strip()[:200],
        "request": request,
        "electronic_delivery": data.electronic_delivery,
        "email": email if data.electronic_delivery else "",
    }


MAX_ANSWER = 200


def form_fields(guide: MatterVersion) -> list[ApplicationField]:
    """What the matter's form asks besides who applies (the guide's 网上申请填写事项)."""
    return application_fields(guide.application_fields)


def _check_answers(guide: MatterVersion, answers: tuple[str, ...]) -> list[list[str]]:
    """The answers as [label, answer] pairs, or the first refusal naming the item."""
    asked = form_fields(guide)
    given = [*answers, *[""] * len(asked)][: len(asked)]
    pairs = []
    for n, (item, answer) in enumerate(zip(asked, given, strict=True)):
        value = " ".join(answer.split())
        if item.required and not value:
            raise ValidationFailed(f"请填写“{item.label}”。", field=f"field_{n}")
        if len(value) > MAX_ANSWER:
            raise ValidationFailed(f"“{item.label}”不超过 {MAX_ANSWER} 字。", field=f"field_{n}")
        pairs.append([item.label, value])
    return pairs


def start_application(*, matter_id: int, data: ApplicantData, address: str) -> NewDraft:
    """A draft for the matter; counted for the address's limit of public tries (a draft is
    public and unauthenticated: a flood is refused with ``rate_limited``)."""
    guide = offered_guide(matter_id)
    fields = _check_applicant(data) | {"answers": _check_answers(guide, data.answers)}
    services.count_try(address=address)
    return _create_draft(guide=guide, fields=fields)


@transaction.atomic(durable=True)
def _create_draft(*, guide: MatterVersion, fields: dict[str, Any]) -> NewDraft:
    token, browser = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = timezone.now()
    application = OnlineApplication.objects.create(
        agency_id=guide.matter.agency_id,
        matter_id=guide.matter_id,
        guide=guide,
        draft_token_sha256=_sha(token + "|" + browser),
        created_at=now,
        expires_at=now + timedelta(days=DRAFT_DAYS),
        **fields,
    )
    return NewDraft(application=application, token=token, browser=browser)


def draft_for(token: str, browser: str) -> OnlineApplication:
    """The live draft of ``token`` opened from the browser that started it, or a refusal."""
    if not 20 <= len(token) <= 100:
        raise DomainError("not_found", "该申请链接无效，请从网上申请页面重新开始。")
    application = (
        OnlineApplication.objects.select_related("matter", "guide", "agency")
        .filter(draft_token_sha256=_sha(token + "|" + browser))
        .first()
    )
    if application is None:
        if not browser:
            raise DomainError(
                "forbidden",
                "该申请只能在开始填写的浏览器中继续（为防止链接被他人冒用）。"
                "请在原浏览器中打开，或重新开始申请。",
            )
        raise DomainError("not_found", "该申请链接无效，或不能在此浏览器中继续。请重新开始申请。")
    if application.status == ApplicationStatus.SUBMITTED:
        raise DomainError(
            "conflict",
            f"该申请已于{timezone.localtime(application.submitted_at):%Y年%m月%d日 %H:%M}提交，"
            "不能重复提交或修改。请通过回执上的专用链接或受理编号查询办理进度。",
        )
    if application.expires_at <= timezone.now():
        raise DomainError(
            "party_link_invalid",
            f"该申请草稿已于{timezone.localtime(application.expires_at):%Y年%m月%d日}过期"
            f"（草稿保留{DRAFT_DAYS}日），请重新开始申请。",
        )
    return application


# ------------------------------------------------------------------------------- materials


def check_upload(received: blobs.Received) -> str:
    """The sniffed type of an applicant's upload, or a refusal (the spool is then removed)."""
    try:
        if received.size == 0:
            raise ValidationFailed("文件为空，未保存。请重新选择文件。", field="file")
        if received.size > max_material_bytes():
            raise ValidationFailed(
                f"文件超过{settings.SANXIANG_APPLICATION_MAX_MB} MB，未保存。"
                "请压缩或分页扫描后重新上传。",
                field="file",
            )
        detected = sniff(received.head)
        if detected == EXECUTABLE:
            raise ValidationFailed("文件内容是可执行程序，已拒收。", field="file")
        if detected not in ALLOWED_TYPES:
            shown = detected or "无法识别的格式"
            raise ValidationFailed(
                f"文件内容（{shown}）不是可接受的材料格式，未保存。请上传 {ALLOWED_NAMES} 文件"
                "（按文件内容判断，改扩展名无效）。",
                field="file",
            )
        return detected
    except BaseException:
        received.path.unlink(missing_ok=True)
        raise


def upload_material(
    *, token: str, browser: str, item: str, received: blobs.Received, original_name: str
) -> Material:
    """One 申请材料 of a draft: checked, stored at its content address, then its row (a second
    upload of the same item before submitting replaces the first)."""
    try:
        application = draft_for(token, browser)
        if item not in material_items(application.guide):
            raise ValidationFailed("该材料不在服务指南的申请材料目录中。", field="item")
    except BaseException:
        received.path.unlink(missing_ok=True)
        raise
    content_type = check_upload(received)
    name = blobs.store(received)
    return _save_material(
        application_id=application.pk,
        item=item,
        received=received,
        content_type=content_type,
        storage_name=name,
        original_name=original_name,
    )


@transaction.atomic(durable=True)
def _save_material(
    *,
    application_id: int,
    item: str,
    received: blobs.Received,
    content_type: str,
    storage_name: str,
    original_name: str,
) -> Material:
    application = OnlineApplication.objects.select_for_update().get(pk=application_id)
    if application.status != ApplicationStatus.DRAFT:
        raise DomainError("conflict", "该申请已提交，不能再修改材料。")
    values = material_file(received, content_type, storage_name, original_name)
    material, _ = Material.objects.update_or_create(
        application=application, item=item, supplement=None, defaults=values
    )
    return material


def material_file(
    received: blobs.Received, content_type: str, storage_name: str, original_name: str
) -> dict[str, Any]:
    """The fields of a Material that describe its stored file (an application's or a 补正's)."""
    return {
        "original_name": original_name[:255],
        "size": received.size,
        "content_type": content_type,
        "sha256": received.sha256,
        "storage_name": storage_name,
        "uploaded_at": timezone.now(),
    }


def draft_materials(application: OnlineApplication) -> dict[str, Material]:
    return {m.item: m for m in application.materials.filter(supplement__isnull=True)}


# ------------------------------------------------------------------------------ submitting


@dataclass(frozen=True)
class Submitted:
    application: OnlineApplication
    case: Case
    party: Party
    link_token: str  # the applicant's personal link, shown once on the receipt
    query_code: str  # printed on the receipt page, stored only as an HMAC


def intake_account(agency: Agency) -> User:
    """The agency's 网上受理 account: the ``created_by`` of the cases the portal opens. It
    cannot sign in (inactive, no usable password) and is on no team."""
    username = f"wangshang-{agency.pk}"
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(
            username=username,
            display_name="网上受理",
            role=Role.OFFICER,
            agency=agency,
            is_active=False,
        )
        user.set_unusable_password()
        user.save()
    return user


def _new_query_code() -> str:
    return "".join(secrets.choice(QUERY_ALPHABET) for _ in range(QUERY_CODE_LENGTH))


def submit_application(*, token: str, browser: str) -> Submitted:
    """Confirm a draft: every 申请材料 is there, the matter still takes online applications;
    then one transaction opens the case, names the party, makes the link and the entry."""
    draft = draft_for(token, browser)
    offered_guide(draft.matter_id)
    return _submit(application_id=draft.pk)


@transaction.atomic(durable=True)
def _submit(*, application_id: int) -> Submitted:
    application = (
        OnlineApplication.objects.select_for_update()
        .select_related("guide", "matter", "agency")
        .get(pk=application_id)
    )
    if application.status != ApplicationStatus.DRAFT:  # a double click: the first one won
        raise DomainError("conflict", "该申请已提交，不能重复提交。")
    items = material_items(application.guide)
    present = draft_materials(application)
    missing = [i for i in items if i not in present]
    if missing:
        raise ValidationFailed(
            f"以下申请材料尚未上传：{'、'.join(missing)}。请上传后再确认提交。", field="file"
        )
    agency = application.agency
    registrar = intake_account(agency)
    case, party = open_online_application(
        agency=agency,
        matter_id=application.matter_id,
        title=f"{application.name}申请{application.guide.name}",
        facts=case_facts(application),
        party=PartyData(
            kind=application.kind,
            name=application.name,
            id_number=application.id_number,
            credit_code=application.credit_code,
            legal_representative=application.legal_representative,
            address=application.address,
            phone=application.phone,
        ),
        registered_by=registrar,
    )
    code = _new_query_code()
    link_token = secrets.token_urlsafe(32)
    now = timezone.now()
    link = PartyLink.objects.create(
        case=case,
        party=party,
        token_sha256=services.token_hash(link_token),
        created_by=registrar,
        created_at=now,
        expires_at=now + timedelta(days=int(settings.SANXIANG_PARTY_LINK_DAYS)),
    )
    materials = [present[i] for i in items]
    application.status = ApplicationStatus.SUBMITTED
    application.submitted_at = now
    application.case = case
    application.query_code_hmac = query_code_hmac(code)
    application.content_sha256 = receipt_content(application, materials, case).sha256()
    application.save()
    if application.electronic_delivery:
        # 行政处罚法 第61条第二款 / the agency's 送达 rules: the applicant confirmed electronic
        # delivery to their link (and e-mail) in the form itself.
        DeliveryConsent.objects.create(
            case=case,
            party=party,
            application=application,
            email=application.email,
            recorded_by=registrar,
        )
    ledger.append(
        event_type="applicant.application_submitted",
        payload={
            "application": application.pk,
            "matter": application.matter.code,
            "guide_version": application.guide.number,
            "party_id": party.pk,
            "link_id": link.pk,
            "token_sha256": link.token_sha256,
            "content_sha256": application.content_sha256,
            "materials": [[m.item, m.sha256, m.size, m.content_type] for m in materials],
            "electronic_delivery": application.electronic_delivery,
        },
        agency_id=agency.pk,
        case_id=case.pk,
    )
    return Submitted(application, case, party, link_token, code)


# -------------------------------------------------------------------------------- receipt


def supplement_due(case: Case) -> date | None:
    """The last day the agency may ask for 补正 (行政许可法 第32条), from the running clock."""
    clock = Deadline.objects.filter(case=case, rule="supplement").first()
    return clock.due_on if clock else None


def case_facts(application: OnlineApplication) -> str:
    """The licence case's 基本案情: the request, then the guide's items as answered."""
    answered = [f"{label}：{value}" for label, value in application.answers if value]
    return "\n".join([application.request, *answered])


def receipt_content(application: OnlineApplication, materials: list[Material], case: Case) -> Any:
    """What the receipt PDF says (its canonical hash is recorded at submission)."""
    from sanxiang.documents.content import DocumentContent, Para, Row, Table, chinese_date

    due = supplement_due(case)
    who = application.id_number or application.credit_code
    rows = [
        Row((("受理编号", case.number),)),
        Row((("申请事项", application.guide.name),)),
        Row((("申请人", application.name), ("证件号码", f"****{who[-4:]}"))),
        *(Row(((label, value or "（未填写）"),)) for label, value in application.answers),
        Row((("提交时间", f"{timezone.localtime(application.submitted_at):%Y-%m-%d %H:%M}"),)),
        Row(
            (
                (
                    "送达方式",
                    "电子送达（本人专用链接"
                    + ("及电子邮箱" if application.email else "")
                    + "；本申请书即为送达地址确认书）"
                    if application.electronic_delivery
                    else "按本机关规定方式送达",
                ),
            )
        ),
    ]
    listed = [
        Row(
            (
                (
                    f"材料{n}",
                    f"{m.item}：{m.original_name}（{m.size} 字节）SHA-256：{m.sha256}",
                ),
            )
        )
        for n, m in enumerate(materials, start=1)
    ]
    return DocumentContent(
        kind="online_application_receipt",
        title="网上申请材料接收凭证",
        agency_name=application.agency.name,
        number=case.number,
        letter=False,
        recipient="",
        blocks=(
            Table(tuple(rows)),
            Para("已接收的申请材料：", indent=False, bold=True),
            Table(tuple(listed)),
            Para(
                f"本机关已于{chinese_date(timezone.localdate(application.submitted_at))}收到上述申请材料。"
                + (
                    f"如需补正，本机关将于{chinese_date(due)}前一次告知需要补正的全部内容；"
                    if due
                    else ""
                )
                + "逾期不告知的，自收到申请材料之日起即为受理。"
            ),
            Para(ARTICLE_32),
            Para(
                "您可以凭受理编号和回执页面上的查询码（或证件号码后六位）在行政执法信息公示平台"
                "查询办理进度，或通过您的专用链接查看进度、补正材料。"
            ),
        ),
        signature=(),
        date_text="",
    )


def render_receipt(*, application_id: int) -> OnlineApplication:
    """Render and store the receipt PDF (after the submission committed: a slow render holds
    no lock); its SHA-256 goes into the ledger. Repeating it renders the same content."""
    from sanxiang.documents.render_pdf import render_pdf

    application = OnlineApplication.objects.select_related("agency", "guide", "case").get(
        pk=application_id
    )
    if application.receipt_sha256:
        return application
    case = application.case
    assert case is not None  # noqa: S101 - submitted applications have their case
    materials = list(application.materials.filter(supplement__isnull=True).order_by("pk"))
    order = {item: n for n, item in enumerate(material_items(application.guide))}
    materials.sort(key=lambda m: order.get(m.item, 99))
    content = receipt_content(application, materials, case)
    pdf = render_pdf(content)
    received = blobs.spool_stream(io.BytesIO(pdf), length=len(pdf))
    name = blobs.store(received)
    return _record_receipt(
        application_id=application.pk,
        name=name,
        sha256=received.sha256,
        size=received.size,
        content_sha256=content.sha256(),
    )


@transaction.atomic(durable=True)
def _record_receipt(
    *, application_id: int, name: str, sha256: str, size: int, content_sha256: str
) -> OnlineApplication:
    application = OnlineApplication.objects.select_for_update().get(pk=application_id)
    if application.receipt_sha256:  # rendered meanwhile by another request
        return application
    if content_sha256 != application.content_sha256:
        raise DomainError("conflict", "回执内容与提交时记录的摘要不一致，未生成回执。")
    OnlineApplication.objects.filter(pk=application.pk).update(
        receipt_name=name, receipt_sha256=sha256, receipt_size=size
    )
    ledger.append(
        event_type="applicant.receipt_issued",
        payload={"application": application.pk, "pdf_sha256": sha256, "size": size},
        agency_id=application.agency_id,
        case_id=application.case_id,
    )
    application.refresh_from_db()
    return application


def application_of(case: Case) -> OnlineApplication | None:
    return OnlineApplication.objects.filter(case=case).select_related("guide", "matter").first()


@transaction.atomic(durable=True)
def open_material(*, actor: User, material_id: int) -> Material:
    """Staff open an uploaded material: of their agency's case only, every opening logged."""
    from sanxiang.cases import queries as case_queries

    material = Material.objects.select_related("application").filter(pk=material_id).first()
    if material is None or material.application.case_id is None:
        raise DomainError("not_found", "未找到该材料。")
    case = case_queries.get_case_for(actor, material.application.case_id)
    ledger.append(
        event_type="applicant.material_viewed",
        payload={"material": material.pk, "sha256": material.sha256},
        actor=actor,
        agency_id=case.agency_id,
        case_id=case.pk,
    )
    return material
