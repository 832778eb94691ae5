"""A structured 笔录 as the standard form (``documents.content``), and the hashes of its text.

The header is a table (时间、地点、案由、执法人员 with their 执法证号、记录人、each person with
their identity), then the rights told with their articles, the 问/答 lines or the findings, and the
signatures: "以上笔录我已看过，与我所说的相符" with each person's drawn signature, 拒签 noted with
the witness who signs. That sentence and the main person's signature stand at the foot of every
page (``page_footer``), as the paper form has them signed page by page.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from django.utils import timezone

from sanxiang.documents.content import Block, DocumentContent, Image, Para, Row, Table, chinese_date
from sanxiang.documents.kinds import get_kind
from sanxiang.lib.canonical import canonical_bytes

from . import rights
from .models import Participant, Role, Transcript
from .signatures import cropped

CONFIRM = "以上笔录我已看过，与我所说的相符。"
# Kinds entered on screen; 询问 and 听证 have questions and answers, the others findings.
KINDS = ("inquiry_record", "inspection_record", "site_record", "hearing_record", "statement_record")
QA_KINDS = {"inquiry_record", "hearing_record"}
# Who reads and confirms the record on each page, by kind (the first of them present).
_MAIN_ROLES = (Role.INTERVIEWEE, Role.INSPECTED, Role.PARTY, Role.AGENT, Role.PRESENT)


def _when(value: datetime) -> str:
    local = timezone.localtime(value)
    return f"{chinese_date(local.date())}{local.hour}时{local.minute:02d}分"


def time_text(t: Transcript) -> str:
    end = timezone.localtime(t.ended_at)
    same_day = end.date() == timezone.localtime(t.started_at).date()
    tail = f"{end.hour}时{end.minute:02d}分" if same_day else _when(t.ended_at)
    return f"{_when(t.started_at)}至{tail}"


def body(t: Transcript, people: Sequence[Participant]) -> dict[str, Any]:
    """What the persons read and sign: every field of the text, none of the signatures."""
    return {
        "transcript": t.pk,
        "case": t.case_id,
        "kind": t.kind,
        "started_at": t.started_at.isoformat(),
        "ended_at": t.ended_at.isoformat(),
        "place": t.place,
        "rights": list(t.rights),
        "questions": list(t.questions),
        "findings": t.findings,
        "recorder": t.recorder_id,
        "people": [
            {
                "position": p.position,
                "role": p.role,
                "name": p.name,
                "id_number": p.id_number,
                "officer": p.officer_id,
                "party": p.party_id,
            }
            for p in people
        ],
    }


def signatures(people: Sequence[Participant]) -> list[dict[str, Any]]:
    by_pk = {p.pk: p for p in people}
    return [
        {
            "position": p.position,
            "signature_sha256": p.signature_sha256,
            "refused": p.refused,
            "witness": by_pk[p.refusal_witness_id].position if p.refusal_witness_id else None,
        }
        for p in people
    ]


def _digest(value: Any) -> str:
    return hashlib.sha256(canonical_bytes(value)).hexdigest()


def content_sha256(t: Transcript, people: Sequence[Participant]) -> str:
    return _digest(body(t, people))


def sealed_sha256(t: Transcript, people: Sequence[Participant]) -> str:
    """The text and every signature (hash, 拒签, witness): what ``transcript.sealed`` holds."""
    return _digest({"body": body(t, people), "signatures": signatures(people)})


def _header(
    t: Transcript, people: Sequence[Participant], case_number: str, case_title: str
) -> Table:
    officers = [p for p in people if p.role == Role.OFFICER]
    recorder = next((p for p in officers if p.officer_id == t.recorder_id), None)
    rows = [
        Row((("时间", time_text(t)),)),
        Row((("地点", t.place),)),
        Row((("案号", case_number),)),
        Row((("案由", case_title),)),
        Row((("执法人员", "、".join(f"{p.name}（执法证号：{p.id_number}）" for p in officers)),)),
        Row((("记录人", recorder.name if recorder else ""),)),
    ]
    for p in people:
        if p.role != Role.OFFICER:
            label = Role(p.role).label
            rows.append(Row(((label, p.name), ("身份证号码", p.id_number or "—"))))
    return Table(tuple(rows))


def _text(t: Transcript) -> list[Block]:
    told = rights.sentence(list(t.rights))
    blocks: list[Block] = [Para(told)] if told else []
    if t.kind in QA_KINDS:
        for qa in t.questions:
            blocks.append(Para(f"问：{qa.get('q', '')}", indent=False))
            blocks.append(Para(f"答：{qa.get('a', '')}", indent=False))
    if t.findings.strip():
        blocks.extend(Para(line) for line in t.findings.strip().splitlines() if line.strip())
    blocks.append(Para("（以下空白）", indent=False, align="center"))
    return blocks


PngOf = Callable[[Participant], bytes]


def _signed(
    p: Participant, png_of: PngOf, by_pk: dict[int, Participant], *, height: int = 12
) -> Image:
    label = f"{Role(p.role).label}（签名）："
    if p.refused:
        witness = by_pk[p.refusal_witness_id] if p.refusal_witness_id else None
        note = f"{p.name}拒绝签名，见证人：{witness.name if witness else ''}"
        return Image(label, "", alt="", note=note, height_mm=height)
    data = cropped(png_of(p)) if p.signature_sha256 else b""
    when = chinese_date(timezone.localdate(p.signed_at)) if p.signed_at else ""
    png = base64.b64encode(data).decode("ascii")
    return Image(label, png, alt=p.name, note=when, height_mm=height)


def main_person(people: Sequence[Participant]) -> Participant | None:
    for role in _MAIN_ROLES:
        for p in people:
            if p.role == role:
                return p
    return None


def compose(
    t: Transcript,
    people: Sequence[Participant],
    *,
    agency_name: str,
    case_number: str,
    case_title: str,
    png_of: PngOf,
    number: str = "",
) -> DocumentContent:
    kind = get_kind(t.kind)
    by_pk = {p.pk: p for p in people}
    persons = [p for p in people if p.role != Role.OFFICER]
    officers = [p for p in people if p.role == Role.OFFICER]
    closing: list[Block] = [Para(CONFIRM, indent=False)]
    closing += [_signed(p, png_of, by_pk) for p in persons]
    closing += [_signed(p, png_of, by_pk) for p in officers]
    footer: list[Block] = []
    main = main_person(people)
    if main is not None:
        footer = [Para(CONFIRM, indent=False), _signed(main, png_of, by_pk, height=8)]
        witness = by_pk.get(main.refusal_witness_id or 0)
        if main.refused and witness is not None:
            footer.append(_signed(witness, png_of, by_pk, height=8))
    return DocumentContent(
        kind=t.kind,
        title=kind.title if kind else t.kind,
        agency_name=agency_name,
        number=number,
        letter=False,
        recipient="",
        blocks=(_header(t, people, case_number, case_title), *_text(t), *closing),
        signature=(),
        date_text="",
        page_footer=tuple(footer),
    )
