"""The 笔录 form on screen: rows of persons and of 问/答, parsed into ``TranscriptData``.

Plain POST fields (no JavaScript needed): ``person_role_N`` … ``q_N``/``a_N``; empty rows are
ignored, and the page always shows a few empty rows more than are filled.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import QueryDict
from django.utils import timezone

from sanxiang.cases.models import Case, CaseMember
from sanxiang.documents.kinds import get_kind
from sanxiang.lib.errors import ValidationFailed

from . import form, rights
from .models import Role, Transcript
from .services import Person, TranscriptData

EXTRA_ROWS = 3
PERSON_ROLES = [(r.value, r.label) for r in Role if r != Role.OFFICER]


def kind_choices() -> list[tuple[str, str]]:
    return [(code, k.title) for code in form.KINDS if (k := get_kind(code)) is not None]


def _when(value: str, label: str, name: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(f"请填写{label}。", field=name) from None
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def parse(post: QueryDict, *, kind: str) -> TranscriptData:
    persons, questions = [], []
    for i in range(int(post.get("person_rows", "0") or 0)):
        name = post.get(f"person_name_{i}", "").strip()
        party = _int(post.get(f"person_party_{i}"))
        if name or party:
            persons.append(
                Person(
                    role=post.get(f"person_role_{i}", ""),
                    name=name,
                    id_number=post.get(f"person_id_{i}", ""),
                    party_id=party,
                )
            )
    for i in range(int(post.get("qa_rows", "0") or 0)):
        questions.append((post.get(f"q_{i}", ""), post.get(f"a_{i}", "")))
    return TranscriptData(
        kind=kind,
        started_at=_when(post.get("started_at", ""), "开始时间", "started_at"),
        ended_at=_when(post.get("ended_at", ""), "结束时间", "ended_at"),
        place=post.get("place", ""),
        officer_ids=[int(v) for v in post.getlist("officers") if v.isdigit()],
        recorder_id=_int(post.get("recorder")) or 0,
        persons=persons,
        rights=post.getlist("rights"),
        questions=questions,
        findings=post.get("findings", ""),
    )


def _local(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M") if value else ""


def page_context(case: Case, t: Transcript | None, post: QueryDict | None) -> dict[str, Any]:
    """What the edit page shows: the saved 笔录, or what was just posted (after a refusal)."""
    team = list(CaseMember.objects.filter(case=case, recused=False).select_related("officer"))
    if post is not None:
        n_people = int(post.get("person_rows", "0") or 0)
        n_qa = int(post.get("qa_rows", "0") or 0)
        people = [
            {k: post.get(f"person_{k}_{i}", "") for k in ("role", "party", "name", "id")}
            for i in range(n_people)
        ]
        qa = [{"q": post.get(f"q_{i}", ""), "a": post.get(f"a_{i}", "")} for i in range(n_qa)]
        officers = [int(v) for v in post.getlist("officers") if v.isdigit()]
        told = post.getlist("rights")
        head = {
            k: post.get(k, "") for k in ("started_at", "ended_at", "place", "findings", "recorder")
        }
    elif t is not None:
        people_rows = [p for p in t.participants.order_by("position") if p.role != Role.OFFICER]
        people = [
            {"role": p.role, "party": str(p.party_id or ""), "name": p.name, "id": p.id_number}
            for p in people_rows
        ]
        qa = list(t.questions)
        officers = list(
            t.participants.filter(role=Role.OFFICER).values_list("officer_id", flat=True)
        )
        told = list(t.rights)
        head = {
            "started_at": _local(t.started_at),
            "ended_at": _local(t.ended_at),
            "place": t.place,
            "findings": t.findings,
            "recorder": str(t.recorder_id),
        }
    else:
        first = case.parties.first()
        people = [
            {
                "role": Role.INTERVIEWEE.value,
                "party": str(first.pk) if first else "",
                "name": "",
                "id": "",
            }
        ]
        qa = []
        officers = [m.officer_id for m in team][:2]
        told = list(rights.DEFAULT)
        now = timezone.now()
        head = {
            "started_at": _local(now),
            "ended_at": _local(now),
            "place": "",
            "findings": "",
            "recorder": str(officers[0]) if officers else "",
        }
    people += [{"role": "", "party": "", "name": "", "id": ""}] * EXTRA_ROWS
    qa = qa + [{"q": "", "a": ""}] * EXTRA_ROWS
    return {
        "case": case,
        "transcript": t,
        "team": team,
        "parties": list(case.parties.all()),
        "person_roles": PERSON_ROLES,
        "people": list(enumerate(people)),
        "qa": list(enumerate(qa)),
        "officers": officers,
        "told": told,
        "rights": rights.RIGHTS,
        "head": head,
        "kinds": kind_choices(),
        "qa_kinds": form.QA_KINDS,
    }
