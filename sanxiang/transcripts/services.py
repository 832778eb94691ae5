"""Writes of a 笔录: create and update the draft, sign, refuse to sign (拒签), seal.

Each is one function with its ledger entry in the same transaction. A sealed 笔录 is refused
everything with ``record_signed``. Sealing issues the document (``documents.services.
commit_composed``) in the same transaction as the seal, so a 笔录 is sealed if and only if its
document exists, and the step guards (``documents.guards``) count it like any issued document
of its kind.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from sanxiang.accounts.models import User
from sanxiang.cases.models import Case, CaseMember, Party
from sanxiang.documents import queries as document_queries
from sanxiang.documents import services as documents
from sanxiang.documents.content import DocumentContent
from sanxiang.documents.kinds import get_kind
from sanxiang.ledger.services import append
from sanxiang.lib.errors import DomainError, ValidationFailed
from sanxiang.lib.identifiers import is_valid_resident_id
from sanxiang.records import blobs

from . import form, queries, rights
from .models import Participant, Role, Status, Transcript
from .signatures import check_png

SIGNED = "本笔录已签署封存，不能再修改。"
# Read at most this much of an upload: one byte over the limit is enough to refuse it.
MAX_SIGNATURE_READ = 512 * 1024 + 1


@dataclass(frozen=True)
class Person:
    """A person present other than an officer: a party of the case, or typed in."""

    role: str
    name: str = ""
    id_number: str = ""
    party_id: int | None = None


@dataclass(frozen=True)
class TranscriptData:
    kind: str
    started_at: datetime
    ended_at: datetime
    place: str
    officer_ids: list[int]  # directory.Officer pks, of the case team
    recorder_id: int
    persons: list[Person]
    rights: list[str] = field(default_factory=lambda: list(rights.DEFAULT))
    questions: list[tuple[str, str]] = field(default_factory=list)
    findings: str = ""


# --- checks ---------------------------------------------------------------------------------


def _check_text(data: TranscriptData) -> None:
    if data.kind not in form.KINDS:
        raise ValidationFailed(f"未知的笔录种类“{data.kind}”。", field="kind")
    if data.ended_at < data.started_at:
        raise ValidationFailed("结束时间不能早于开始时间。", field="ended_at")
    if not data.place.strip():
        raise ValidationFailed("请填写笔录地点。", field="place")
    unknown = [c for c in data.rights if c not in rights.BY_CODE]
    if unknown:
        raise ValidationFailed(f"未知的告知事项“{unknown[0]}”。", field="rights")
    if data.kind in form.QA_KINDS:
        if not any(q.strip() for q, _ in data.questions):
            kind = get_kind(data.kind)
            title = kind.title if kind else "笔录"
            raise ValidationFailed(f"{title}至少须记录一问一答。", field="questions")
    elif not data.findings.strip():
        raise ValidationFailed("请填写检查（现场、陈述申辩）情况。", field="findings")


def _officers(case: Case, data: TranscriptData) -> list[CaseMember]:
    team = {
        m.officer_id: m
        for m in CaseMember.objects.filter(case=case, recused=False).select_related("officer")
    }
    chosen = list(dict.fromkeys(data.officer_ids))
    if any(pk not in team for pk in chosen):
        raise ValidationFailed("执法人员须为本案办案人员（未回避）。", field="officers")
    # 行政处罚法 第42条、第55条: no fewer than two officers investigate or inspect.
    if len(chosen) < 2:
        raise ValidationFailed(
            "执法人员不得少于两人（《中华人民共和国行政处罚法》第四十二条）。", field="officers"
        )
    if data.recorder_id not in chosen:
        raise ValidationFailed("记录人须为在场的执法人员之一。", field="recorder")
    return [team[pk] for pk in chosen]


def _persons(case: Case, data: TranscriptData) -> list[Participant]:
    if not data.persons:
        raise ValidationFailed("请填写被询问人（被检查人、当事人）等在场人员。", field="persons")
    parties = {p.pk: p for p in Party.objects.filter(case=case)}
    out = []
    for person in data.persons:
        if person.role not in Role.values or person.role == Role.OFFICER:
            raise ValidationFailed(f"未知的在场人员身份“{person.role}”。", field="persons")
        name, id_number = person.name.strip(), person.id_number.strip().upper()
        if person.party_id is not None:
            party = parties.get(person.party_id)
            if party is None:
                raise ValidationFailed("所选当事人不属于本案。", field="persons")
            name = name or party.name
            id_number = id_number or party.id_number
        if not name:
            raise ValidationFailed("在场人员须填写姓名。", field="persons")
        if len(id_number) == 18 and not is_valid_resident_id(id_number):
            raise ValidationFailed(
                f"“{name}”的居民身份证号码无效（GB 11643 校验不通过）。", field="persons"
            )
        out.append(
            Participant(role=person.role, party_id=person.party_id, name=name, id_number=id_number)
        )
    return out


def _write_people(
    t: Transcript, members: list[CaseMember], persons: list[Participant]
) -> list[Participant]:
    people = [
        Participant(
            role=Role.OFFICER,
            officer=m.officer,
            name=m.officer.name,
            id_number=m.officer.certificate_no,
        )
        for m in members
    ]
    people = persons + people  # the persons first, as the form lists them
    for position, p in enumerate(people, start=1):
        p.transcript = t
        p.position = position
    Participant.objects.bulk_create(people)
    return list(t.participants.order_by("position"))


def _questions(data: TranscriptData) -> list[dict[str, str]]:
    return [{"q": q.strip(), "a": a.strip()} for q, a in data.questions if q.strip() or a.strip()]


def _locked_draft(actor: User, transcript_id: int) -> Transcript:
    queries.transcript_for(actor, transcript_id, write=True)
    t = Transcript.objects.select_for_update().get(pk=transcript_id)
    if t.status != Status.DRAFT:
        raise DomainError("record_signed", SIGNED)
    return t


# --- writes ---------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def create_transcript(*, actor: User, case_id: int, data: TranscriptData) -> Transcript:
    case = document_queries.case_for(actor, case_id, issue=True)
    _check_text(data)
    members = _officers(case, data)
    persons = _persons(case, data)
    now = timezone.now()
    t = Transcript.objects.create(
        case=case,
        agency_id=case.agency_id,
        kind=data.kind,
        started_at=data.started_at,
        ended_at=data.ended_at,
        place=data.place.strip(),
        rights=list(dict.fromkeys(data.rights)),
        questions=_questions(data),
        findings=data.findings.strip(),
        recorder_id=data.recorder_id,
        created_by=actor,
        created_at=now,
    )
    people = _write_people(t, members, persons)
    append(
        event_type="transcript.created",
        payload={
            "transcript": t.pk,
            "kind": t.kind,
            "version": 1,
            "content_sha256": form.content_sha256(t, people),
        },
        actor=actor,
        agency_id=t.agency_id,
        case_id=case.pk,
    )
    return t


@transaction.atomic(durable=True)
def update_transcript(*, actor: User, transcript_id: int, data: TranscriptData) -> Transcript:
    """Change a draft. Signatures given to the earlier text no longer hold: they are cleared
    (the ledger entry says how many) and the persons sign the new text again."""
    t = _locked_draft(actor, transcript_id)
    if data.kind != t.kind:
        raise ValidationFailed("笔录种类不能修改，请新建笔录。", field="kind")
    _check_text(data)
    members = _officers(t.case, data)
    persons = _persons(t.case, data)
    cleared = t.participants.exclude(signature_sha256="", refused=False).count()
    t.participants.update(refused=False, refusal_witness=None)  # the self-reference protects
    t.participants.all().delete()
    t.started_at, t.ended_at = data.started_at, data.ended_at
    t.place = data.place.strip()
    t.rights = list(dict.fromkeys(data.rights))
    t.questions = _questions(data)
    t.findings = data.findings.strip()
    t.recorder_id = data.recorder_id
    t.version += 1
    t.save()
    people = _write_people(t, members, persons)
    append(
        event_type="transcript.updated",
        payload={
            "transcript": t.pk,
            "version": t.version,
            "content_sha256": form.content_sha256(t, people),
            "signatures_cleared": cleared,
        },
        actor=actor,
        agency_id=t.agency_id,
        case_id=t.case_id,
    )
    return t


def _participant(t: Transcript, participant_id: int) -> Participant:
    p = Participant.objects.select_for_update().filter(pk=participant_id, transcript=t).first()
    if p is None:
        raise DomainError("not_found", "本笔录中没有该人员。")
    if p.is_done:
        raise DomainError("conflict", f"{p.name}已签名或已记录拒签。")
    return p


def sign(*, actor: User, transcript_id: int, participant_id: int, png: bytes) -> Participant:
    """A person's drawn signature (PNG), kept in the evidence store under its SHA-256."""
    if queries.transcript_for(actor, transcript_id, write=True).status != Status.DRAFT:
        raise DomainError("record_signed", SIGNED)
    checked = check_png(png)
    received = blobs.spool_stream(io.BytesIO(checked.data), length=len(checked.data))
    name = blobs.store(received)  # content-addressed: an unreferenced copy harms nothing
    return _record_signature(
        actor=actor,
        transcript_id=transcript_id,
        participant_id=participant_id,
        sha256=received.sha256,
        name=name,
    )


@transaction.atomic(durable=True)
def _record_signature(
    *, actor: User, transcript_id: int, participant_id: int, sha256: str, name: str
) -> Participant:
    t = _locked_draft(actor, transcript_id)
    p = _participant(t, participant_id)
    p.signature_sha256, p.signature_name, p.signed_at = sha256, name, timezone.now()
    p.save(update_fields=["signature_sha256", "signature_name", "signed_at"])
    people = list(t.participants.order_by("position"))
    append(
        event_type="transcript.signed",
        payload={
            "transcript": t.pk,
            "participant": p.pk,
            "role": p.role,
            "name": p.name,
            "version": t.version,
            "content_sha256": form.content_sha256(t, people),
            "signature_sha256": sha256,
        },
        actor=actor,
        agency_id=t.agency_id,
        case_id=t.case_id,
    )
    return p


@transaction.atomic(durable=True)
def refuse(
    *, actor: User, transcript_id: int, participant_id: int, witness_id: int | None
) -> Participant:
    """拒签: the person will not sign; a witness present (见证人) signs to attest it."""
    t = _locked_draft(actor, transcript_id)
    p = _participant(t, participant_id)
    if p.role == Role.OFFICER:
        raise ValidationFailed("执法人员须签名，不能记录拒签。", field="participant")
    witness = t.participants.filter(pk=witness_id).first() if witness_id else None
    if witness is None or witness.pk == p.pk or witness.role != Role.WITNESS or witness.refused:
        raise DomainError(
            "refusal_witness_required",
            f"{p.name}拒签的，须由在场的见证人签名证明；请先在笔录中添加见证人并选定。",
        )
    p.refused, p.refusal_witness = True, witness
    p.save(update_fields=["refused", "refusal_witness"])
    append(
        event_type="transcript.refused",
        payload={
            "transcript": t.pk,
            "participant": p.pk,
            "role": p.role,
            "name": p.name,
            "witness": witness.pk,
            "witness_name": witness.name,
            "version": t.version,
        },
        actor=actor,
        agency_id=t.agency_id,
        case_id=t.case_id,
    )
    return p


def _unsigned(people: list[Participant]) -> list[str]:
    by_pk = {p.pk: p for p in people}
    lacking = []
    for p in people:
        if p.refused:
            witness = by_pk.get(p.refusal_witness_id or 0)
            if witness is None or not witness.signature_sha256:
                lacking.append(f"{p.name}拒签的见证人尚未签名")
        elif not p.signature_sha256:
            lacking.append(f"{Role(p.role).label}{p.name}尚未签名")
    return lacking


def _compose(
    t: Transcript, people: list[Participant], case: Case, number: str = ""
) -> DocumentContent:
    return form.compose(
        t,
        people,
        agency_name=case.agency.name,
        case_number=case.number,
        case_title=case.title,
        png_of=queries.signature_png,
        number=number,
    )


def seal(*, actor: User, transcript_id: int) -> Transcript:
    """Every person signed or refused before a witness who signed: issue the 笔录 as its
    document (rendered before the short transaction) and make it immutable."""
    t = queries.transcript_for(actor, transcript_id, write=True)
    if t.status != Status.DRAFT:
        raise DomainError("record_signed", SIGNED)
    people = list(t.participants.order_by("position"))
    _refuse_unsigned(people)
    kind = get_kind(t.kind)
    if kind is None:
        raise ValidationFailed(f"未知的笔录种类“{t.kind}”。", field="kind")
    rendered = documents.render_composed(
        case=t.case, kind=kind, content=_compose(t, people, t.case)
    )
    return _commit_seal(actor=actor, transcript_id=t.pk, version=t.version, rendered=rendered)


def _refuse_unsigned(people: list[Participant]) -> None:
    lacking = _unsigned(people)
    if lacking:
        raise DomainError("record_unsigned", f"不能签署封存：{'；'.join(lacking)}。")


@transaction.atomic(durable=True)
def _commit_seal(
    *, actor: User, transcript_id: int, version: int, rendered: documents.Rendered
) -> Transcript:
    t = _locked_draft(actor, transcript_id)
    if t.version != version:
        raise DomainError("conflict", "笔录在签署封存时被修改，请核对后重新签署封存。")
    case = Case.objects.select_related("agency").get(pk=t.case_id)
    people = list(t.participants.order_by("position"))
    _refuse_unsigned(people)
    kind = get_kind(t.kind)
    assert kind is not None  # noqa: S101 - checked before rendering
    doc = documents.commit_composed(
        actor=actor,
        case=case,
        kind=kind,
        compose=lambda number, _at: _compose(t, people, case, number),
        rendered=rendered,
    )
    sealed = form.sealed_sha256(t, people)
    now = timezone.now()
    changed = Transcript.objects.filter(pk=t.pk, status=Status.DRAFT, version=version).update(
        status=Status.SEALED, sealed_at=now, sealed_sha256=sealed, document=doc
    )
    if changed != 1:
        raise DomainError("conflict", "笔录状态已变化，请刷新后重试。")
    append(
        event_type="transcript.sealed",
        payload={
            "transcript": t.pk,
            "kind": t.kind,
            "document": doc.pk,
            "version": version,
            "content_sha256": form.content_sha256(t, people),
            "sealed_sha256": sealed,
            "signatures": form.signatures(people),
        },
        actor=actor,
        agency_id=t.agency_id,
        case_id=t.case_id,
    )
    return Transcript.objects.get(pk=t.pk)
