"""The engine guard of the 音像记录事项清单: a case may not leave a stage whose audio-video
recording is 应当 (required) until such a recording is in the evidence store."""

from __future__ import annotations

from django.utils import timezone

from sanxiang.lib.errors import DomainError
from sanxiang.procedures.engine import GuardContext

from .models import AV_KINDS, Record
from .queries import required_av_lines


def stage_label(ctx: GuardContext, code: str) -> str:
    for stage in ctx.definition.stages:
        if stage.code == code:
            return str(stage.label)
    return code


def av_record_guard(ctx: GuardContext) -> None:
    """Refuse leaving a stage with a required AV record missing (DOMAIN.md 全过程记录)."""
    if ctx.source == ctx.target:
        return
    case = ctx.case
    lines = required_av_lines(
        agency_id=case.agency_id,
        matter_id=case.matter_id,
        category=ctx.definition.category,
        stage=ctx.source,
        on=timezone.localdate(),
    )
    # Read on every transition: the scene of one line, if any (no ordering, no model).
    scene = next(iter(lines.values_list("scene", flat=True)[:1]), None)
    if scene is None:
        return
    recorded = Record.objects.filter(
        case_id=case.pk, stage=ctx.source, media_kind__in=AV_KINDS
    ).exists()
    if not recorded:
        raise DomainError(
            "av_record_required",
            f"按本机关音像记录事项清单，“{stage_label(ctx, ctx.source)}”环节应当进行音像记录"
            f"（{scene}）。本案尚未上传该环节的录音或录像，不能进入下一环节。",
        )
