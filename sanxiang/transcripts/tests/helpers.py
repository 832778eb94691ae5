"""Signatures and 笔录 for the tests: PNGs drawn with Pillow, a draft with two officers, the
party interviewed and a witness."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from django.utils import timezone
from PIL import Image, ImageDraw

from sanxiang.cases.models import Case
from sanxiang.transcripts import services
from sanxiang.transcripts.models import Participant, Role, Transcript
from sanxiang.transcripts.services import Person, TranscriptData

ANSWER = "我叫张某，是该场所的负责人，当天组织了活动。"


def png(*, blank: bool = False, size: tuple[int, int] = (600, 200), shift: int = 0) -> bytes:
    """A stroke on a transparent canvas, as the browser's canvas.toBlob gives it (``shift``
    moves it: each person's signature differs)."""
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    if not blank:
        draw = ImageDraw.Draw(image)
        draw.line(
            [(20 + shift, 150), (120, 40 + shift), (220, 160), (320, 50), (420 + shift, 140)],
            fill="black",
            width=4,
        )
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def inquiry(world: Any, case: Case, *, witness: bool = True, **changes: Any) -> TranscriptData:
    start = timezone.now().replace(microsecond=0) - timedelta(hours=1)
    party = case.parties.first()
    persons = [Person(role=Role.INTERVIEWEE, party_id=party.pk if party else None)]
    if witness:
        persons.append(Person(role=Role.WITNESS, name="王见证"))
    values: dict[str, Any] = {
        "kind": "inquiry_record",
        "started_at": start,
        "ended_at": start + timedelta(minutes=40),
        "place": "测试区民族和宗教事务局询问室",
        "officer_ids": [world.officer.officer.pk, world.officer2.officer.pk],
        "recorder_id": world.officer2.officer.pk,
        "persons": persons,
        "questions": [("请介绍你的身份。", ANSWER), ("当天活动有多少人参加？", "大约三十人。")],
    }
    values.update(changes)
    return TranscriptData(**values)


def people(t: Transcript) -> dict[str, Participant]:
    """The persons of a 笔录 by role (the second officer as ``officer2``)."""
    found: dict[str, Participant] = {}
    for p in t.participants.order_by("position"):
        key = p.role if p.role not in found else f"{p.role}2"
        found[key] = p
    return found


def sign_all(world: Any, t: Transcript, *, skip: tuple[str, ...] = ()) -> None:
    for i, (key, p) in enumerate(people(t).items()):
        if key not in skip:
            signature = png(shift=3 * i)
            services.sign(
                actor=world.officer, transcript_id=t.pk, participant_id=p.pk, png=signature
            )
