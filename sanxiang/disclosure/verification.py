"""验证: check a published item (or an issued document) against the ledger, in plain words.

A published item is genuine when (1) its content hashes to the value recorded in its
``disclosure.published`` ledger entry, (2) that entry's payload and Merkle leaf hash are intact,
and (3) the leaf is included in the latest signed checkpoint (RFC 9162 inclusion proof). A row
edited in the database fails (1) or (2); an edited ledger row fails (3).
"""

from __future__ import annotations

import hashlib
import importlib
import json
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from sanxiang.ledger import queries as ledger_queries
from sanxiang.ledger import services as ledger_services
from sanxiang.ledger import tree
from sanxiang.ledger.encoding import timestamp_text
from sanxiang.ledger.models import Entry
from sanxiang.lib.errors import DomainError
from sanxiang.lib.merkle import leaf_hash

from . import drafting
from .models import Publication, PublicationStatus, RuleCategory, WithdrawalKind


@dataclass
class Verdict:
    ok: bool = True
    steps: list[tuple[bool, str]] = field(default_factory=list)
    proof: dict[str, Any] | None = None
    facts: RegisterFacts | None = None
    file_checked: bool = False

    @property
    def proof_json(self) -> str:
        return json.dumps(self.proof, ensure_ascii=False, indent=1, default=str)

    def check(self, passed: bool, text: str) -> bool:
        self.steps.append((passed, text))
        self.ok = self.ok and passed
        return passed


def leaf_of(record: dict[str, Any]) -> str:
    """The Merkle leaf hash recomputed from an entry's fields (RFC 9162 leaf, hex)."""
    data = ledger_services.leaf_data(
        created_at=record["t"],
        actor_id=record["actor_id"],
        actor_label=record["actor_label"],
        agency_id=record["agency_id"],
        case_id=record["case_id"],
        event_type=record["event_type"],
        payload_hash=hashlib.sha256(record["payload"].encode("utf-8")).hexdigest(),
    )
    return leaf_hash(data, hash_name=tree.hash_name()).hex()


def entry_is_intact(entry: Entry) -> bool:
    """The entry's payload matches its hash and the leaf hash is recomputed from its fields."""
    if hashlib.sha256(entry.payload.encode("utf-8")).hexdigest() != entry.payload_hash:
        return False
    record = {
        "t": timestamp_text(entry.created_at),
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "agency_id": entry.agency_id,
        "case_id": entry.case_id,
        "event_type": entry.event_type,
        "payload": entry.payload,
    }
    return leaf_of(record) == entry.leaf_hash


def inclusion_proof(entry: Entry) -> dict[str, Any] | None:
    """The entry's inclusion proof against the latest signed checkpoint (the ledger signs a new
    checkpoint when the latest does not cover the entry yet)."""
    try:
        return ledger_services.prove_inclusion(entry.pk)
    except DomainError:  # not sequenced yet (its transaction is still open elsewhere)
        return None


def check_proof(proof: dict[str, Any]) -> tuple[bool, str]:
    """Check a proof document: the entry it carries hashes to its leaf, the leaf is in the
    signed tree (``ledger.queries.verify_inclusion_payload``)."""
    record = proof.get("entry")
    if isinstance(record, dict):
        try:
            recomputed = leaf_of(record)
        except (KeyError, TypeError, AttributeError):
            return False, "证明中的条目内容不完整，无法重新计算摘要。"
        if recomputed != record.get("leaf_hash") or recomputed != proof.get("leaf_hash"):
            return False, "证明中的条目内容与其摘要不符：条目内容被改动过。"
    ok, explanation = ledger_queries.verify_inclusion_payload(proof)
    return bool(ok), str(explanation)


def _check_status(verdict: Verdict, facts: RegisterFacts) -> None:
    """A withdrawn (撤销/变更) decision is not valid, however intact its records are."""
    if facts.status == "有效":
        verdict.check(True, "登记状态：有效（未被撤销或变更）。")
        return
    when = f"于{facts.status_on:%Y年%-m月%-d日}" if facts.status_on else ""
    verdict.check(
        False,
        f"登记状态：{facts.status}——该决定{when}{facts.status}，公示已撤回（{facts.status_reason}）。",
    )


def verify_item(item: Publication) -> Verdict:
    facts = facts_of_item(item)
    verdict = Verdict(facts=facts)
    _check_status(verdict, facts)
    entry = item.ledger_entry
    if entry is None:
        verdict.check(False, "该信息没有公示记录（账本中找不到对应条目）。")
        return verdict
    current = drafting.content_sha256(item)
    try:
        recorded = json.loads(entry.payload).get("content_sha256")
    except ValueError:
        recorded = None
    verdict.check(
        recorded == current and entry.event_type == "disclosure.published",
        "页面内容与公示时记入账本的内容摘要一致。"
        if recorded == current
        else "页面内容与公示时记入账本的内容摘要不一致：内容在公示后被改动过。",
    )
    verdict.check(
        entry_is_intact(entry),
        "账本条目本身完整（内容摘要与叶子摘要可重新算出）。"
        if entry_is_intact(entry)
        else "账本条目被改动过：其摘要无法重新算出。",
    )
    _prove(verdict, entry)
    return verdict


def _prove(verdict: Verdict, entry: Entry) -> None:
    proof = inclusion_proof(entry)
    if proof is None:
        verdict.check(
            False,
            "该记录尚未纳入已签名的检查点（账本定期签署检查点），请稍后再验证。",
        )
        return
    verdict.proof = proof
    ok, explanation = check_proof(proof)
    verdict.check(ok, explanation)


def _documents(module: str) -> Any:
    try:
        return importlib.import_module(f"sanxiang.documents.{module}")
    except ImportError:
        return None


def _issued_entry(doc: Any) -> Entry | None:
    """The ``document.issued`` ledger entry of an issued document (documents app)."""
    return (
        Entry.objects.filter(event_type="document.issued", case_id=doc.case_id)
        .filter(payload__contains=f'"document":{doc.pk},')
        .first()
    )


def verify_document(number: str, sha256: str, *, file_sha256: str = "") -> Verdict:
    """Look up an issued document by its 文号 and the hash its QR code carries, prove its
    ledger entry, and show the register's facts. The QR's hash only shows that the link came
    from this register (a forged printout can copy it): the file itself matches only when
    ``file_sha256`` — computed from a file in the browser or from an upload — is given."""
    verdict = Verdict()
    queries, models = _documents("queries"), _documents("models")
    find = getattr(queries, "document_for_verification", None)
    if find is None or models is None:
        verdict.check(False, "本系统尚未提供文书查验服务。")
        return verdict
    file_sha256 = file_sha256.strip().lower()
    doc = find(number, (sha256 or file_sha256).strip().lower())
    if doc is None:
        known = models.IssuedDocument.objects.filter(number=number).exists()
        verdict.check(
            False,
            "文件摘要与签发时登记的摘要不一致：手中的文件不是签发的版本，或已被改动。"
            if known
            else f"未找到文号为“{number}”的已签发文书。",
        )
        return verdict
    verdict.facts = facts_of_document(doc)
    if file_sha256:
        verdict.file_checked = True
        same = find(number, file_sha256) is not None
        verdict.check(
            same,
            f"您选择的文件与签发的{doc.title}一致（SHA-256 相同）。"
            if same
            else "您选择的文件与签发的文件不一致：不是签发的版本，或已被改动。",
        )
    else:
        verdict.check(
            True,
            f"找到已签发的{doc.title}；链接中的摘要与签发登记一致。这只说明二维码来自本系统，"
            "未核对文件本身：请对照下方登记信息核对纸质文书，或选择文件核对。",
        )
    _check_status(verdict, verdict.facts)
    entry = _issued_entry(doc)
    if entry is None:
        verdict.check(False, "账本中找不到该文书的签发记录。")
        return verdict
    recorded = json.loads(entry.payload).get("content_sha256")
    verdict.check(
        entry_is_intact(entry) and recorded == doc.content_sha256,
        "签发记录的账本条目完整，记录的摘要与文书一致。"
        if recorded == doc.content_sha256
        else "账本中的签发记录与文书登记的摘要不一致。",
    )
    _prove(verdict, entry)
    return verdict


# --- what the register says (shown next to the verdict, so paper can be compared) ---------


@dataclass(frozen=True)
class RegisterFacts:
    """What the register records of a decision: the holder of a printout compares these."""

    doc_number: str
    kind: str
    party: str
    matter: str
    outcome: str
    amount: Decimal | None
    decided_on: date | None
    agency: str
    status: str  # 有效 / 已撤销 / 已变更
    status_on: date | None = None
    status_reason: str = ""


def status_of(item: Publication) -> tuple[str, date | None, str]:
    """(有效 | 已撤销 | 已变更, since when, why) of a published or withdrawn decision."""
    if item.status != PublicationStatus.WITHDRAWN:
        return "有效", None, ""
    label = "已变更" if item.withdrawal_kind == WithdrawalKind.CHANGED else "已撤销"
    when = item.revoked_on or (timezone.localdate(item.withdrawn_at) if item.withdrawn_at else None)
    kind = WithdrawalKind(item.withdrawal_kind).label if item.withdrawal_kind else ""
    reason = "：".join(part for part in (kind, item.withdrawal_reason) if part)
    return label, when, reason


def facts_of_item(item: Publication) -> RegisterFacts:
    status, since, reason = status_of(item)
    return RegisterFacts(
        doc_number=item.doc_number,
        kind=RuleCategory(item.category).label if item.category in RuleCategory.values else "",
        party=item.party,
        matter=item.matter_name,
        outcome=item.outcome,
        amount=item.amount,
        decided_on=item.decided_on,
        agency=item.agency_name,
        status=status,
        status_on=since,
        status_reason=reason,
    )


def _publication_of_case(case_id: int) -> Publication | None:
    return (
        Publication.objects.filter(
            case_id=case_id,
            status__in=[PublicationStatus.PUBLISHED, PublicationStatus.WITHDRAWN],
        )
        .defer("source_text", "search_text", "masked_text")
        .order_by("-published_at")
        .first()
    )


def facts_of_document(doc: Any) -> RegisterFacts:
    """The register's facts of an issued document: its publication's summary when the decision
    was published (masked party), else what the document register itself holds."""
    item = _publication_of_case(doc.case_id)
    if item is not None:
        facts = facts_of_item(item)
        return replace(facts, doc_number=doc.number, kind=str(doc.title))
    issued_at = getattr(doc, "issued_at", None)
    agency = getattr(doc, "agency", None)
    return RegisterFacts(
        doc_number=doc.number,
        kind=str(doc.title),
        party="（该决定未在平台公示，当事人信息不予显示）",
        matter="",
        outcome="",
        amount=None,
        decided_on=timezone.localdate(issued_at) if issued_at else None,
        agency=str(getattr(agency, "name", "")),
        status="有效",
    )
