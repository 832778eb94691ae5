"""案卷评查: score a closed case file on what the data can check, citing the rule of each item.

DOMAIN.md: 20 points for form (卷面) and 80 for content (内容); a failed basic item (主体、资格、
程序、依据、文书完备) makes the file 不合格 whatever the score. The veto items below are those the
issue names (主体合法、执法资格、两人以上、程序顺序、法制审核、告知、听证、期限、必备文书、送达);
each is checked from the case, its team, the ledger's record of its stages, its clocks, its
review and its issued documents. What only a person can judge (facts and evidence, reasoning
and the writing of the documents) is left to the reviewer as manual items.

Everything is loaded set-based for a batch of cases (``load``: a fixed number of queries per
chunk of cases), then each file is scored in pure Python (``score``): the benchmark scores
10,000 files this way.
"""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import OuterRef, Subquery

from sanxiang.cases.models import Case, CaseMember, Deadline, DecisionDraft
from sanxiang.catalog.models import MatterVersion
from sanxiang.directory.models import AgencyKind, AgencyLevel, CertificateStatus
from sanxiang.disclosure.models import Publication, PublicationStatus
from sanxiang.documents.models import IssuedDocument
from sanxiang.ledger import registry
from sanxiang.ledger.models import Entry
from sanxiang.records.models import Record
from sanxiang.review.models import CaseReview, ReviewRound, RoundStatus

from .models import Verdict

CHUNK = 500  # cases per set of queries (SQLite caps the parameters of one statement)
FORM, CONTENT = "form", "content"
PENALTIES = ("penalty_ordinary", "penalty_summary")


def thresholds() -> tuple[Decimal, Decimal]:
    """(优秀, 合格) lower bounds of the total: local practice, e.g. 90 and 70; configurable with
    ``SANXIANG_FILE_REVIEW_THRESHOLDS``."""
    excellent, passed = getattr(settings, "SANXIANG_FILE_REVIEW_THRESHOLDS", (90, 70))
    return Decimal(excellent), Decimal(passed)


# Manual items: what the data cannot check. (code, part, label, rule, points)
MANUAL = (
    (
        "facts",
        CONTENT,
        "事实清楚、证据确凿",
        "行政处罚法 第40条、第46条；行政许可法 第34条",
        Decimal(15),
    ),
    (
        "writing",
        CONTENT,
        "文书制作规范、说理充分",
        "国办发〔2018〕118号；辽宁省行政执法文书格式标准",
        Decimal(15),
    ),
)

# 必备文书 by procedure, once the case reached the stage that needs them (kind codes of
# documents.kinds). A decision of no penalty replaces the penalty decision.
REQUIRED_DOCUMENTS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "penalty_ordinary": (
        ("notice", ("penalty_notice",)),
        ("decision", ("penalty_decision", "no_penalty_decision")),
        ("delivery", ("delivery_receipt",)),
    ),
    "penalty_summary": (("decision", ("penalty_decision",)),),
    "licence": (("decision", ("licence_grant", "licence_refusal")),),
    "coercion": (("decision", ("seizure_decision",)),),
    "inspection": (("investigation", ("inspection_record",)),),
}


@dataclass
class Facts:
    """What one file is scored on, gathered set-based by ``load``."""

    case: Case
    stages: list[tuple[str, str]] = field(default_factory=list)  # (stage, legal day) in order
    members: list[CaseMember] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    documents: set[str] = field(default_factory=set)
    records: int = 0
    major: bool = False
    review_status: str | None = None
    draft: DecisionDraft | None = None
    laws: list[str] = field(default_factory=list)
    publication: str = ""  # on_time / late / excluded / queued / ""
    # Certificate status changes of the team, (day, from, to) in order, from the ledger.
    status_changes: dict[int, list[tuple[date, str, str]]] = field(default_factory=dict)

    def status_on(self, officer: Any, day: date) -> str:
        """An officer's certificate status on ``day``: the "from" of the first change after
        it, else the current one (a suspension after the case does not taint the case)."""
        for changed_on, old, _new in self.status_changes.get(officer.pk, []):
            if changed_on > day:
                return old
        return str(officer.certificate_status)


@dataclass(frozen=True)
class Item:
    code: str
    part: str
    label: str
    rule: str
    points: Decimal
    score: Decimal
    veto: bool = False
    passed: bool = True
    reason: str = ""
    automatic: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "part": self.part,
            "label": self.label,
            "rule": self.rule,
            "points": str(self.points),
            "score": str(self.score),
            "veto": self.veto,
            "passed": self.passed,
            "reason": self.reason,
            "automatic": self.automatic,
        }


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def load(case_ids: Iterable[int]) -> dict[int, Facts]:
    """The facts of many cases in a fixed number of queries per chunk of ``CHUNK`` cases."""
    found: dict[int, Facts] = {}
    for ids in _chunks(list(dict.fromkeys(case_ids))):
        found.update(_load_chunk(ids))
    return found


def _load_chunk(ids: list[int]) -> dict[int, Facts]:
    cases = Case.objects.filter(pk__in=ids).select_related("agency", "matter")
    facts = {c.pk: Facts(case=c) for c in cases}
    stage_codes = registry.codes_of("case.opened", "case.transition")
    opened_codes = set(registry.codes_of("case.opened"))
    for case_id, code, raw in (
        Entry.objects.filter(case_id__in=ids, event_type__in=stage_codes)
        .order_by("id")
        .values_list("case_id", "event_type", "payload")
    ):
        if case_id is None:
            continue
        target = facts[case_id]
        payload = json.loads(raw)
        if code in opened_codes:
            stage = payload.get("stage") or target.case.definition.initial.code
            day = payload.get("opened_on") or target.case.opened_on.isoformat()
        else:
            stage, day = payload.get("target", ""), payload.get("on", "")
        target.stages.append((str(stage), str(day)))
    for member in CaseMember.objects.filter(case_id__in=ids, recused=False).select_related(
        "officer"
    ):
        facts[member.case_id].members.append(member)
    _status_history(facts)
    for deadline in Deadline.objects.filter(case_id__in=ids):
        facts[deadline.case_id].deadlines.append(deadline)
    for case_id, kind in IssuedDocument.objects.filter(case_id__in=ids).values_list(
        "case_id", "kind"
    ):
        facts[case_id].documents.add(kind)
    for case_id in Record.objects.filter(case_id__in=ids).values_list("case_id", flat=True):
        facts[case_id].records += 1
    latest = ReviewRound.objects.filter(review_id=OuterRef("pk")).order_by("-number")
    for case_id, major, status in (
        CaseReview.objects.filter(case_id__in=ids)
        .annotate(last=Subquery(latest.values("status")[:1]))
        .values_list("case_id", "major", "last")
    ):
        facts[case_id].major, facts[case_id].review_status = major, status
    for draft in DecisionDraft.objects.filter(case_id__in=ids):
        facts[draft.case_id].draft = draft
    matters = {f.case.matter_id for f in facts.values()}
    laws: dict[int, list[str]] = defaultdict(list)
    for matter_id, basis in MatterVersion.objects.filter(matter_id__in=matters).values_list(
        "matter_id", "legal_basis"
    ):
        laws[matter_id] += [str(b.get("law", "")) for b in basis or [] if b.get("law")]
    for fact in facts.values():
        fact.laws = laws.get(fact.case.matter_id, [])
    for pub in Publication.objects.filter(case_id__in=ids).only(
        "case_id", "status", "due_on", "published_at"
    ):
        facts[pub.case_id].publication = _publication_state(pub)
    return facts


def _status_history(facts: dict[int, Facts]) -> None:
    from django.utils import timezone

    officers = {m.officer.pk: m.officer for f in facts.values() for m in f.members}
    changes: dict[int, list[tuple[date, str, str]]] = defaultdict(list)
    for at, raw in (
        Entry.objects.filter(
            event_type__in=registry.codes_of("officer.certificate_status"),
            agency_id__in={o.agency_id for o in officers.values()},
        )
        .order_by("id")
        .values_list("created_at", "payload")
    ):
        payload = json.loads(raw)
        if payload.get("id") in officers:
            day = timezone.localtime(at).date()
            changes[payload["id"]].append((day, str(payload.get("from")), str(payload.get("to"))))
    for fact in facts.values():
        fact.status_changes = {m.officer.pk: changes[m.officer.pk] for m in fact.members}


def _publication_state(pub: Publication) -> str:
    if pub.status == PublicationStatus.EXCLUDED:
        return "excluded"
    if pub.published_at is None:
        return "queued"
    from django.utils import timezone

    day = timezone.localtime(pub.published_at).date()
    return "late" if pub.due_on and day > pub.due_on else "on_time"


# --- the items ------------------------------------------------------------------------------


def _veto(code: str, label: str, rule: str, problem: str) -> Item:
    return Item(
        code, CONTENT, label, rule, Decimal(0), Decimal(0), True, not problem, problem, True
    )


def _entered(f: Facts) -> list[str]:
    return [s for s, _ in f.stages]


def _day_of(f: Facts, stage: str) -> date | None:
    for s, day in f.stages:
        if s == stage and day:
            return date.fromisoformat(day[:10])
    return None


def _subject(f: Facts) -> str:
    agency = f.case.agency
    if agency.level != AgencyLevel.DEPARTMENT:
        return f"“{agency.name}”不是执法部门（执法主体），不能以自己的名义作出决定。"
    if agency.kind == AgencyKind.ENTRUSTED and agency.entrusted_by_id is None:
        return "受委托组织未登记委托机关。"
    if f.case.matter.agency_id != agency.pk:
        return "执法事项不在本机关权责清单内。"
    return ""


def _qualification(f: Facts) -> str:
    days = {f.case.opened_on, f.case.decided_on or f.case.opened_on}
    unfit = [
        m.officer.name
        for m in f.members
        if any(
            f.status_on(m.officer, day) != CertificateStatus.VALID
            or not (m.officer.certificate_issued <= day <= m.officer.certificate_expires)
            for day in days
        )
    ]
    return f"{'、'.join(unfit)}办案期间执法证件无效或已暂扣、注销。" if unfit else ""


def _order(f: Facts) -> str:
    definition = f.case.definition
    stages = _entered(f)
    if not stages or stages[0] != definition.initial.code:
        return "账本未记录立案环节，无法核对程序顺序。"
    for source, target in itertools.pairwise(stages):
        if definition.step(source, target) is None:
            a, b = definition.label_of(source), definition.label_of(target)
            return f"“{a}”之后直接进入“{b}”，不符合执法流程。"
    # A file whose stage moved without a transition in the ledger (changed behind the
    # platform's back, e.g. by SQL) did not follow the procedure as far as anyone can show.
    if stages[-1] != f.case.stage:
        a, b = definition.label_of(stages[-1]), definition.label_of(f.case.stage)
        return f"账本记录的最后环节为“{a}”，案件却处于“{b}”：环节变更没有流程记录。"
    return ""


def _legal_review(f: Facts) -> str:
    if not f.major or f.case.decided_on is None:
        return ""
    if f.review_status != RoundStatus.PASSED:
        return "重大执法决定未经法制审核同意即作出决定。"
    return ""


def _notice(f: Facts) -> str:
    stages = _entered(f)
    if f.case.procedure not in PENALTIES or "decision" not in stages:
        return ""
    if f.draft is not None and f.draft.kind == "no_penalty":
        return ""
    if "notice" not in stages[: stages.index("decision")]:
        return "作出处罚决定前未告知拟作出的处罚内容及事实、理由、依据和陈述申辩、听证权利。"
    return ""


def _hearing(f: Facts) -> str:
    stages = _entered(f)
    if "hearing" not in stages:
        return ""
    if "decision" in stages and stages.index("decision") < stages.index("hearing"):
        return "当事人要求听证，但决定在听证之前作出。"
    if "hearing_record" not in f.documents:
        return "当事人要求听证，案卷中无听证笔录。"
    return ""


def _time(f: Facts) -> str:
    late = []
    for d in f.deadlines:
        if d.rule == "deliver":
            continue  # the 送达 item judges it
        stopped = d.stopped_on or f.case.closed_on
        if stopped is not None and stopped > d.due_on:
            late.append(f"{d.label}（届满{d.due_on:%Y-%m-%d}，{stopped:%Y-%m-%d}完成；{d.basis}）")
    return f"超过法定期限：{'；'.join(late)}。" if late else ""


def _documents(f: Facts) -> tuple[str, int, int]:
    """(problem, required, present) of the 必备文书."""
    stages = set(_entered(f))
    missing, required = [], 0
    from sanxiang.documents.kinds import get_kind

    wanted = list(REQUIRED_DOCUMENTS.get(f.case.procedure, ()))
    if "hearing" in stages:
        wanted.append(("hearing", ("hearing_record",)))
    for stage, kinds in wanted:
        if stage not in stages:
            continue
        required += 1
        if not f.documents.intersection(kinds):
            kind = get_kind(kinds[0])
            missing.append(kind.title if kind else kinds[0])
    problem = f"缺少必备文书：{'、'.join(missing)}。" if missing else ""
    return problem, required, required - len(missing)


def _delivery(f: Facts) -> str:
    if f.case.decided_on is None or f.case.procedure not in (*PENALTIES, "licence"):
        return ""
    stages = _entered(f)
    if "delivery" not in stages:
        return "决定作出后未记录送达。"
    delivered = _day_of(f, "delivery")
    for d in f.deadlines:
        if d.rule == "deliver" and delivered is not None and delivered > d.due_on:
            when = f"{delivered:%Y-%m-%d}送达，超过{d.due_on:%Y-%m-%d}的送达期限"
            return f"决定书于{when}（{d.basis}）。"
    return ""


def score(f: Facts) -> list[Item]:
    """Every item of one file: the veto items, the automatic scores, the manual placeholders."""
    doc_problem, required, present = _documents(f)
    vetoes = [
        _veto("subject", "主体合法", "行政处罚法 第17条、第18条、第20条", _subject(f)),
        _veto(
            "qualification", "执法资格", "行政处罚法 第42条；国办发〔2018〕118号", _qualification(f)
        ),
        _veto(
            "two_officers",
            "两名以上执法人员",
            "行政处罚法 第42条第一款",
            "" if len(f.members) >= 2 else f"办案人员仅{len(f.members)}名，应当不少于两人。",
        ),
        _veto("order", "程序顺序", "本机关执法流程图（程序定义）；行政处罚法 第五章", _order(f)),
        _veto("legal_review", "法制审核", "行政处罚法 第58条", _legal_review(f)),
        _veto("notice", "告知", "行政处罚法 第44条、第62条", _notice(f)),
        _veto("hearing", "听证", "行政处罚法 第63条—第65条", _hearing(f)),
        _veto("time", "办案期限", "行政处罚法 第60条；行政许可法 第42条", _time(f)),
        _veto("documents", "必备文书", "辽宁省行政执法案卷标准；行政处罚法 第59条", doc_problem),
        _veto("delivery", "送达", "行政处罚法 第61条", _delivery(f)),
    ]
    return vetoes + _form_items(f, required, present) + _content_items(f, vetoes)


def _points(
    code: str, part: str, label: str, rule: str, points: int, got: Decimal, why: str
) -> Item:
    total = Decimal(points)
    got = max(Decimal(0), min(total, got))
    return Item(
        code, part, label, rule, total, got, False, got == total, why if got < total else ""
    )


def _form_items(f: Facts, required: int, present: int) -> list[Item]:
    share = Decimal(8) * present / required if required else Decimal(8)
    archived = "archived" in _entered(f)
    return [
        _points(
            "complete",
            FORM,
            "案卷材料齐全",
            "辽宁省行政执法案卷立卷标准",
            8,
            share.quantize(Decimal("0.1")),
            f"必备文书{required}种，已制发{present}种。",
        ),
        _points(
            "evidence",
            FORM,
            "证据材料入卷",
            "行政处罚法 第46条；国办发〔2018〕118号（全过程记录）",
            6,
            Decimal(6 if f.records else 0),
            "证据库中没有本案的证据或音像记录。",
        ),
        _points(
            "archived",
            FORM,
            "立卷归档",
            "辽宁省行政执法案卷立卷标准（结案后及时立卷归档）",
            6,
            Decimal(6 if archived else 3),
            "已结案但尚未归档。",
        ),
    ]


def _content_items(f: Facts, vetoes: list[Item]) -> list[Item]:
    procedural = [
        v for v in vetoes if v.code in {"order", "notice", "hearing", "delivery", "legal_review"}
    ]
    failed = [v.label for v in procedural if not v.passed]
    basis = (f.draft.legal_basis if f.draft else "").strip()
    cites_law = any(law and law in basis for law in f.laws)
    basis_score = Decimal((5 if basis else 0) + (5 if cites_law else 0))
    discretion, why = Decimal(10), ""
    if (
        f.draft is not None
        and f.draft.fine_amount is not None
        and f.draft.benchmark_max is not None
    ):
        low, high = f.draft.benchmark_min or Decimal(0), f.draft.benchmark_max
        outside = not (low <= f.draft.fine_amount <= high)
        if outside and not f.draft.outside_reason.strip():
            discretion, why = Decimal(0), "罚款超出裁量基准且未说明理由。"
    late = not vetoes[7].passed
    publication = {"on_time": 5, "excluded": 5, "late": 2}.get(f.publication, 0)
    needs_publication = f.case.decided_on is not None and f.case.procedure in (
        *PENALTIES,
        "licence",
    )
    items = [
        _points(
            "procedure",
            CONTENT,
            "程序合法",
            "行政处罚法 第五章；本机关执法流程图",
            20,
            Decimal(20 - 5 * len(failed)),
            f"程序问题：{'、'.join(failed)}。",
        ),
        _points(
            "basis",
            CONTENT,
            "适用依据准确",
            "行政处罚法 第59条第一款第（三）项",
            10,
            basis_score,
            "决定未写明法律依据。" if not basis else "决定所引依据与执法事项的设定依据不一致。",
        ),
        _points(
            "discretion", CONTENT, "裁量适当", "行政处罚法 第34条（裁量基准）", 10, discretion, why
        ),
        _points(
            "deadlines",
            CONTENT,
            "办案时限",
            "行政处罚法 第60条",
            5,
            Decimal(0 if late else 5),
            "超过办案期限。",
        ),
        _points(
            "publication",
            CONTENT,
            "结果公示",
            "国办发〔2018〕118号（7个工作日内公示）",
            5,
            Decimal(publication if needs_publication else 5),
            {"late": "超过公示期限才公示。"}.get(f.publication, "决定未公示。"),
        ),
    ]
    items += [
        Item(code, part, label, rule, points, Decimal(0), False, True, "", False)
        for code, part, label, rule, points in MANUAL
    ]
    return items


def totals(items: list[dict[str, Any]], *, manual_done: bool) -> tuple[Decimal, Decimal, str, bool]:
    """(卷面, 内容, 结论, 否决项不通过) of scored items (stored as dicts)."""
    form = sum((Decimal(i["score"]) for i in items if i["part"] == FORM), Decimal(0))
    content = sum((Decimal(i["score"]) for i in items if i["part"] == CONTENT), Decimal(0))
    vetoed = any(i["veto"] and not i["passed"] for i in items)
    excellent, passed = thresholds()
    total = form + content
    if vetoed:
        verdict = Verdict.FAILED
    elif not manual_done:
        verdict = Verdict.PENDING
    elif total >= excellent:
        verdict = Verdict.EXCELLENT
    elif total >= passed:
        verdict = Verdict.PASSED
    else:
        verdict = Verdict.FAILED
    return form, content, str(verdict), vetoed
