"""申请材料示范文本: filled-in examples of the documents a 服务指南 asks applicants for.

The seed plan (§四(一)2) and the 岗位信息公示牌 ask for 申请材料示范文本 that applicants can take
or download. Each sample belongs to one matter, names the 申请材料 it illustrates, and holds
its text (the example content, placeholders in 【】); the portal serves it as DOCX, made on
request from that text, so the published sample is what staff saved. Saving one is a service
with its ledger entry.
"""

from __future__ import annotations

import hashlib
from io import BytesIO

from django.db import transaction
from django.utils import timezone

from sanxiang.accounts.models import User
from sanxiang.accounts.queries import require_agency_access, require_role
from sanxiang.catalog.models import Matter
from sanxiang.ledger import services as ledger
from sanxiang.lib.errors import DomainError, ValidationFailed

from .models import SampleText

SAMPLE_ROLES = ("officer", "head", "admin")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@transaction.atomic(durable=True)
def save_sample(
    *,
    actor: User,
    matter_id: int,
    material: str,
    title: str,
    body: str,
    order: int = 0,
    sample_id: int | None = None,
) -> SampleText:
    """Create or replace a matter's 示范文本 (its text is the sample; the ledger keeps its hash)."""
    matter = Matter.objects.filter(pk=matter_id).first()
    if matter is None:
        raise DomainError("not_found", "未找到该执法事项。")
    require_role(actor, *SAMPLE_ROLES)
    require_agency_access(actor, matter.agency_id, write=True)
    material, title, body = material.strip(), title.strip(), body.strip()
    if not material or not title:
        raise ValidationFailed("请填写申请材料名称和示范文本标题。", field="title")
    if len(body) < 20:
        raise ValidationFailed("示范文本内容过短。", field="body")
    values = {
        "material": material[:120],
        "title": title[:120],
        "body": body,
        "order": order,
        "updated_at": timezone.now(),
    }
    if sample_id is None:
        sample = SampleText.objects.create(matter=matter, **values)
    else:
        updated = SampleText.objects.filter(pk=sample_id, matter=matter).update(**values)
        if updated != 1:
            raise DomainError("not_found", "未找到该示范文本。")
        sample = SampleText.objects.get(pk=sample_id)
    ledger.append(
        event_type="disclosure.sample_saved",
        payload={
            "sample": sample.pk,
            "matter": matter.pk,
            "material": sample.material,
            "title": sample.title,
            "body_sha256": hashlib.sha256(sample.body.encode("utf-8")).hexdigest(),
        },
        actor=actor,
        agency_id=matter.agency_id,
    )
    return sample


def docx_of(sample: SampleText, *, agency_name: str, matter_name: str) -> bytes:
    """The sample as a DOCX: centred title, the text line by line, a note that it is a sample."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = Document()
    style = document.styles["Normal"]
    style.font.name = "宋体"
    style.font.size = Pt(12)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(sample.title)
    run.bold = True
    run.font.size = Pt(18)
    note = document.add_paragraph()
    note.alignment = WD_ALIGN_PARAGRAPH.CENTER
    note.add_run(f"（{matter_name} · 申请材料：{sample.material} · 示范文本）").font.size = Pt(10)
    for line in sample.body.splitlines():
        document.add_paragraph(line)
    footer = document.add_paragraph()
    footer.add_run(
        f"说明：本示范文本由{agency_name}提供，【】内为需据实填写的内容，仅供参考，"
        "不作为受理依据；以服务指南载明的材料要求为准。"
    ).font.size = Pt(9)
    out = BytesIO()
    document.save(out)
    return out.getvalue()
