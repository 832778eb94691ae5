"""Reads of the party's side: what a party may see of their own case, and the staff panel."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from sanxiang.cases.models import Case, Deadline, DeadlineStatus, Party
from sanxiang.documents.kinds import get_kind
from sanxiang.documents.models import IssuedDocument
from sanxiang.lib.masking import mask_text

from .models import PartyLink

# What the case waits for from the party at each stage (by stage code; procedures share codes).
# A stage not listed waits for nothing from them.
AWAITED = {
    "application": "您的申请已收到，请等待审查；如需补正材料，办案机关将一次告知。",
    "supplement": "请按《补正告知书》载明的内容，在规定期限内补正全部材料。",
    "notice": "办案机关已经或即将向您送达《行政处罚事先告知书》。您有权在告知书载明的期限内"
    "进行陈述、申辩；符合条件的，有权要求听证（行政处罚法 第44条、第63条）。",
    "defence": "您可以在告知书载明的期限内提出陈述、申辩意见；逾期未提出的，视为放弃此权利"
    "（行政处罚法 第45条）。",
    "hearing": "请按《听证通知书》载明的时间、地点参加听证，可以委托一至二人代理"
    "（行政处罚法 第64条）。",
    "delivery": "请签收送达的决定书；如对决定不服，可以依法申请行政复议或者提起行政诉讼。",
    "execution": "请按决定书载明的期限和方式履行；罚款请在收到决定书之日起十五日内缴纳"
    "（行政处罚法 第67条）。",
}


@dataclass(frozen=True)
class Progress:
    case: Case
    party: Party
    stage_label: str
    awaited: str
    other_parties: list[str]
    deadlines: list[Deadline]
    documents: list[IssuedDocument]
    final: bool


def _masked_name(party: Party) -> str:
    masked = mask_text(party.name, names=[party.name])
    if masked == party.name:  # an organisation's name the masker leaves: keep its first char
        return party.name[:1] + "*" * max(2, len(party.name) - 1)
    return masked


def addressed_documents(case: Case) -> list[IssuedDocument]:
    """The outgoing documents of the case (letters: 告知书, 决定书 …), not internal forms and
    records; every party of the case is their addressee."""
    issued = IssuedDocument.objects.filter(case=case).order_by("issued_at", "pk")
    return [d for d in issued if (k := get_kind(d.kind)) is not None and k.letter]


def progress_of(case: Case, party: Party, *, parties: list[Party] | None = None) -> Progress:
    """What ``party`` may see of ``case``; ``parties``: all the case's parties when the caller
    read them already (the progress query does), else they are read here."""
    definition = case.definition
    stage = definition.stage(case.stage)
    everyone = case.parties.all() if parties is None else parties
    others = [_masked_name(p) for p in everyone if p.pk != party.pk]
    deadlines = list(
        Deadline.objects.filter(case=case, status=DeadlineStatus.RUNNING).order_by("due_on")
    )
    awaited = "" if stage.final else AWAITED.get(case.stage, "")
    today = timezone.localdate()
    lapsed = next((d for d in deadlines if d.rule == "supplement" and d.due_on < today), None)
    if lapsed is not None:
        # 行政许可法 第32条第一款第（四）项: not told within the five working days, the
        # application counts as accepted from the day it was received.
        awaited = (
            f"办案机关未在{lapsed.due_on:%Y年%m月%d日}前告知补正。依《中华人民共和国行政许可法》"
            f"第三十二条，您的申请自收到申请材料之日（{case.opened_on:%Y年%m月%d日}）起即为受理，"
            "办理期限自该日起算；请等待办案机关作出决定。"
        )
    return Progress(
        case=case,
        party=party,
        stage_label=stage.label,
        awaited=awaited,
        other_parties=others,
        deadlines=deadlines,
        documents=addressed_documents(case),
        final=stage.final,
    )


def document_of_link(link: PartyLink, document_id: int) -> IssuedDocument | None:
    """The document if it is one addressed to the link's party (in the link's case)."""
    for doc in addressed_documents(link.case):
        if doc.pk == document_id:
            return doc
    return None


def links_of(case: Case) -> list[PartyLink]:
    return list(
        PartyLink.objects.filter(case=case).select_related("party", "created_by", "revoked_by")
    )
