"""The 双随机 draw (``sanxiang-draw/1`` and ``/2``): whom to inspect and who inspects, from a seed.

Pure Python, no Django: the platform, ``tools/verify_draw.py`` and anyone re-implementing
docs/draw.md get the same targets and teams from the same input and seed.

* The **input** is the frozen plan with its full candidate lists (``input_document``). Its
  canonical JSON (``sanxiang.lib.canonical``) is hashed with SHA-256: the *plan hash*, written to
  the ledger when the plan is frozen.
* The **seed** is ``SHA-256(plan hash || root hash)`` of the first signed ledger checkpoint that
  contains the freeze entry (``seed_from``), so nobody knows it before the lists are fixed.
* The **generator** is SHA-256 in counter mode: block ``i`` = ``SHA-256(seed || uint64_be(i))``,
  each block read as four big-endian unsigned 64-bit integers (``Generator``). An integer below
  ``n`` is drawn by rejection: values at or above ``2**64 - 2**64 % n`` are skipped, the rest
  taken ``mod n`` (no modulo bias).
* **Targets**: the eligible ones (the yearly cap removes a target already inspected this year for
  one of the plan's matters, unless a complaint or its 重点 rule exempts it) are split into strata
  — one per 重点 rule (a risk grade with its own, higher ratio), in the plan's order, then the
  rest — and each stratum is sampled by a partial Fisher–Yates shuffle of its id-sorted members.
* **Teams**: for each drawn target in draw order, the inspectors without a conflict with it
  (declared target or area, or an earlier inspection of the target), id-sorted, give the team by
  partial Fisher–Yates; in a /1 联合抽查 each team first takes one inspector of every agency, in
  the plan's order.
* ``sanxiang-draw/2`` (input ``sanxiang-draw-input/2``) is the 联合抽查 of several agencies of a
  district: every target names the agency whose 名录库 holds it (it opens the inspection case),
  and the plan's ``team_mix`` says how teams are made: ``own`` (the target's agency alone) or
  ``mixed`` (two of the target's agency, then one of every other agency, then the rest from
  everyone). Version 1 inputs are drawn exactly as before, so old certificates still verify.

``check`` refuses bad input before anything is drawn (``DomainError`` with a stable code and a
Chinese message); ``draw`` then cannot fail for want of inspectors, whatever the seed.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal, InvalidOperation
from typing import Any

from .canonical import canonical_bytes
from .errors import DomainError

ALGORITHM = "sanxiang-draw/1"
INPUT_FORMAT = "sanxiang-draw-input/1"
# 联合抽查 (docs/draw.md §4a): targets carry their agency, the plan its team_mix.
JOINT_ALGORITHM = "sanxiang-draw/2"
JOINT_INPUT_FORMAT = "sanxiang-draw-input/2"
ALGORITHM_OF = {INPUT_FORMAT: ALGORITHM, JOINT_INPUT_FORMAT: JOINT_ALGORITHM}
TEAM_MIXES = ("own", "mixed")
# 行政处罚法 第42条: enforcement by at least two officers; in a mixed team the agency that opens
# the case brings two of its own (the case engine takes one agency's officers).
HOME_MINIMUM = 2
CERTIFICATE_FORMAT = "sanxiang-draw-certificate/1"
BASE_STRATUM = "base"
_TWO_64 = 1 << 64
_NOBODY: frozenset[str] = frozenset()


# --- canonical form and hashes ---------------------------------------------------------------


def sha256_hex(value: Any) -> str:
    return hashlib.sha256(canonical_bytes(value)).hexdigest()


def input_document(
    *,
    plan: Mapping[str, Any],
    targets: Iterable[Mapping[str, Any]],
    inspectors: Iterable[Mapping[str, Any]],
) -> dict[str, Any]:
    """The frozen input in canonical order: both lists sorted by ``id``, every list field sorted.

    A target is ``{"id", "grade", "area", "checked": [matter codes inspected this year],
    "complaint": bool}``; an inspector ``{"id", "agency", "valid_from", "valid_to",
    "conflict_targets": [...], "conflict_areas": [...], "inspected_targets": [...]}``.

    A plan with ``team_mix`` is a 联合抽查 of version 2: each target also carries ``"agency"``.
    """
    joint = plan.get("team_mix") is not None

    def target_row(t: Mapping[str, Any]) -> dict[str, Any]:
        row = {
            "id": str(t["id"]),
            "grade": str(t.get("grade", "")),
            "area": str(t.get("area", "")),
            "checked": sorted({str(m) for m in t.get("checked", ())}),
            "complaint": bool(t.get("complaint", False)),
        }
        if joint:
            row["agency"] = str(t.get("agency", ""))
        return row

    target_rows = sorted((target_row(t) for t in targets), key=lambda t: str(t["id"]))
    inspector_rows: list[dict[str, Any]] = sorted(
        (
            {
                "id": str(i["id"]),
                "agency": str(i.get("agency", "")),
                "valid_from": str(i["valid_from"]),
                "valid_to": str(i["valid_to"]),
                "conflict_targets": sorted({str(x) for x in i.get("conflict_targets", ())}),
                "conflict_areas": sorted({str(x) for x in i.get("conflict_areas", ())}),
                "inspected_targets": sorted({str(x) for x in i.get("inspected_targets", ())}),
            }
            for i in inspectors
        ),
        key=lambda i: str(i["id"]),
    )
    return {
        "format": JOINT_INPUT_FORMAT if joint else INPUT_FORMAT,
        "plan": dict(plan),
        "targets": target_rows,
        "inspectors": inspector_rows,
    }


def hashes(document: Mapping[str, Any]) -> dict[str, str]:
    """The plan hash (the whole input) and the hash of each candidate list.

    The input's canonical bytes are assembled from the lists' own (keys sorted: format,
    inspectors, plan, targets), so a million targets are serialised once, not twice.
    """
    targets = canonical_bytes(document["targets"])
    inspectors = canonical_bytes(document["inspectors"])
    if set(document) == {"format", "inspectors", "plan", "targets"}:
        whole = b"".join(
            (
                b'{"format":',
                canonical_bytes(document["format"]),
                b',"inspectors":',
                inspectors,
                b',"plan":',
                canonical_bytes(document["plan"]),
                b',"targets":',
                targets,
                b"}",
            )
        )
    else:
        whole = canonical_bytes(document)
    return {
        "input_sha256": hashlib.sha256(whole).hexdigest(),
        "targets_sha256": hashlib.sha256(targets).hexdigest(),
        "inspectors_sha256": hashlib.sha256(inspectors).hexdigest(),
    }


def seed_from(*, input_sha256: str, checkpoint_root: str) -> bytes:
    """``SHA-256(plan hash || checkpoint root)``, both as raw 32-byte digests."""
    return hashlib.sha256(bytes.fromhex(input_sha256) + bytes.fromhex(checkpoint_root)).digest()


# --- the generator ---------------------------------------------------------------------------


class Generator:
    """SHA-256 in counter mode with unbiased integers below ``n`` (rejection sampling)."""

    def __init__(self, seed: bytes) -> None:
        if len(seed) != 32:
            raise ValueError("the seed is a 32-byte SHA-256 digest")
        self._seed = seed
        self._counter = 0
        self._pending: list[int] = []
        self.used = 0  # 64-bit values consumed, reported in the result

    def _refill(self) -> None:
        block = hashlib.sha256(self._seed + self._counter.to_bytes(8, "big")).digest()
        self._counter += 1
        # Reversed so that pop() hands them out in block order: bytes 0-7 first.
        self._pending = [int.from_bytes(block[i : i + 8], "big") for i in (24, 16, 8, 0)]

    def next_u64(self) -> int:
        if not self._pending:
            self._refill()
        self.used += 1
        return self._pending.pop()

    def below(self, n: int) -> int:
        """Uniform in ``[0, n)``; always consumes at least one value, also for ``n == 1``."""
        if n < 1:
            raise ValueError("below() needs n >= 1")
        limit = _TWO_64 - _TWO_64 % n
        while True:
            value = self.next_u64()
            if value < limit:
                return value % n


def sample(items: Sequence[str], k: int, rng: Generator) -> list[str]:
    """The first ``k`` of a Fisher–Yates shuffle of ``items``: for ``i`` in ``0..k-1`` swap
    position ``i`` with ``i + below(len - i)``. Returns them in draw order."""
    pool = list(items)
    n = len(pool)
    for i in range(k):
        j = i + rng.below(n - i)
        pool[i], pool[j] = pool[j], pool[i]
    return pool[:k]


# --- the plan's rules ------------------------------------------------------------------------


def _refuse(code: str, message: str, field: str | None = None) -> DomainError:
    return DomainError(code, message, field=field)


def _ratio(value: Any, *, field: str) -> Decimal:
    """A percentage in (0, 100] with at most two decimals."""
    try:
        ratio = Decimal(str(value))
    except InvalidOperation:
        raise _refuse("draw_ratio_invalid", f"抽查比例“{value}”不是数字。", field) from None
    if not ratio.is_finite() or ratio <= 0 or ratio > 100:
        raise _refuse(
            "draw_ratio_invalid", f"抽查比例须大于 0% 且不超过 100%（现为 {value}%）。", field
        )
    if ratio != ratio.quantize(Decimal("0.01")):
        raise _refuse("draw_ratio_invalid", "抽查比例最多保留两位小数。", field)
    return ratio


def quota(eligible: int, ratio: Decimal) -> int:
    """``ceil(eligible * ratio / 100)`` in exact decimal arithmetic (a draw never rounds to 0)."""
    value = (Decimal(eligible) * ratio / 100).to_integral_value(rounding=ROUND_CEILING)
    return min(int(value), eligible)


@dataclass(frozen=True)
class Stratum:
    name: str  # "base", or "key:<grade>" for a 重点 rule
    ratio: Decimal | None
    count: int | None
    members: tuple[str, ...]  # eligible target ids, sorted

    @property
    def size(self) -> int:
        if self.count is not None:
            return min(self.count, len(self.members))
        assert self.ratio is not None  # noqa: S101 - a stratum has a ratio or a count
        return quota(len(self.members), self.ratio)


def _key_rules(plan: Mapping[str, Any]) -> list[dict[str, Any]]:
    rules = list(plan.get("key_rules") or [])
    grades = [str(r["grade"]) for r in rules]
    if len(set(grades)) != len(grades):
        raise _refuse("validation_error", "重点检查规则中同一风险等级出现了两次。", "key_rules")
    return rules


def _capped(target: Mapping[str, Any], matters: set[str], exempt_grades: set[str]) -> bool:
    """DOMAIN.md (双随机): no more than one check of the same target on the same matter in a
    year, unless a complaint or its 重点 rule says so."""
    if target["complaint"] or target["grade"] in exempt_grades:
        return False
    return bool(matters.intersection(target["checked"]))


def strata(document: Mapping[str, Any]) -> tuple[list[Stratum], set[str]]:
    """The strata in draw order, and the targets the yearly cap removed."""
    plan = document["plan"]
    matters = {str(m) for m in plan.get("matters", ())}
    rules = _key_rules(plan)
    exempt = {str(r["grade"]) for r in rules if r.get("exempt_cap")}
    by_grade: dict[str, list[str]] = {str(r["grade"]): [] for r in rules}
    base: list[str] = []
    capped: set[str] = set()
    for target in document["targets"]:
        if target["checked"] and _capped(target, matters, exempt):
            capped.add(target["id"])
            continue
        by_grade.get(target["grade"], base).append(target["id"])
    result = [
        Stratum(
            f"key:{r['grade']}",
            _ratio(r["ratio"], field="key_rules"),
            None,
            tuple(by_grade[str(r["grade"])]),
        )
        for r in rules
    ]
    ratio = plan.get("ratio")
    count = plan.get("count")
    if (ratio is None) == (count is None):
        raise _refuse("draw_ratio_invalid", "抽查计划须且只能填写抽查比例或抽查数量之一。", "ratio")
    if count is not None and (not isinstance(count, int) or count < 1):
        raise _refuse("draw_ratio_invalid", "抽查数量须为正整数。", "count")
    base_ratio = None if ratio is None else _ratio(ratio, field="ratio")
    result.append(Stratum(BASE_STRATUM, base_ratio, count, tuple(base)))
    return result, capped


# --- recusal ---------------------------------------------------------------------------------


class Recusal:
    """Which inspectors may not inspect which target (declared conflicts, earlier inspections)."""

    def __init__(self, inspectors: Sequence[Mapping[str, Any]]) -> None:
        self.by_target: dict[str, set[str]] = {}
        self.by_area: dict[str, set[str]] = {}
        for inspector in inspectors:
            for target in (*inspector["conflict_targets"], *inspector["inspected_targets"]):
                self.by_target.setdefault(target, set()).add(inspector["id"])
            for area in inspector["conflict_areas"]:
                self.by_area.setdefault(area, set()).add(inspector["id"])

    def excluded(self, target: Mapping[str, Any]) -> AbstractSet[str]:
        """Read-only: the shared set of an area or a target is returned as it is."""
        own = self.by_target.get(target["id"])
        area = self.by_area.get(target["area"])
        if own and area:
            return own | area
        return own or area or _NOBODY


class Roster:
    """The id-sorted inspectors, whole and per agency of a 联合抽查, minus those recused."""

    def __init__(self, inspectors: Sequence[Mapping[str, Any]], agencies: Sequence[str]) -> None:
        self.ids = [i["id"] for i in inspectors]
        self.agency_of = {i["id"]: i["agency"] for i in inspectors}
        self.agencies = list(agencies)
        self.agency_sizes = Counter(self.agency_of[i] for i in self.ids)
        self._cache: dict[frozenset[str], tuple[dict[str, list[str]], list[str]]] = {}

    def pools(self, excluded: AbstractSet[str]) -> tuple[dict[str, list[str]], list[str]]:
        """Per agency and in all, the inspectors not excluded, in id order (cached: many targets
        of one area share their recusals)."""
        key = frozenset(excluded)
        found = self._cache.get(key)
        if found is None:
            everyone = [i for i in self.ids if i not in key]
            per_agency = {a: [i for i in everyone if self.agency_of[i] == a] for a in self.agencies}
            found = self._cache[key] = (per_agency, everyone)
            if len(self._cache) > 4096:
                self._cache.clear()
        return found

    def shortfall(self, excluded: AbstractSet[str]) -> tuple[int, list[str]]:
        """How many inspectors remain, and the agencies of a 联合抽查 left with nobody."""
        left = len(self.ids) - len(excluded)
        if len(self.agencies) < 2:
            return left, []
        gone = Counter(self.agency_of[i] for i in excluded)
        return left, [a for a in self.agencies if self.agency_sizes[a] - gone[a] <= 0]


# --- checking and drawing --------------------------------------------------------------------


def _team_size(plan: Mapping[str, Any], agencies: Sequence[str], joint: bool) -> int:
    size = plan.get("team_size", 2)
    if not isinstance(size, int) or size < 2:
        raise _refuse("validation_error", "每个检查对象至少须由两名执法人员检查。", "team_size")
    if joint:
        mix = plan.get("team_mix")
        if mix not in TEAM_MIXES:
            raise _refuse("validation_error", f"不认识的联合抽查编组方式：{mix!r}。", "team_mix")
        if len(agencies) < 2 or len(set(agencies)) != len(agencies):
            raise _refuse(
                "validation_error", "联合抽查须列明两个以上不同的参与部门。", "joint_agencies"
            )
        needed = HOME_MINIMUM + len(agencies) - 1 if mix == "mixed" else 2
        if size < needed:
            raise _refuse(
                "validation_error",
                f"混合编组的联合抽查涉及 {len(agencies)} 个部门：每组须有承办部门 2 名"
                f"和其他部门各 1 名，每组人数不能少于 {needed}（现为 {size}）。",
                "team_size",
            )
        return size
    if size < len(agencies):
        raise _refuse(
            "validation_error",
            f"联合抽查涉及 {len(agencies)} 个部门，每组人数不能少于部门数（现为 {size}）。",
            "team_size",
        )
    return size


def _check_inspectors(document: Mapping[str, Any]) -> None:
    period = document["plan"]["period"]
    seen: set[str] = set()
    for inspector in document["inspectors"]:
        if inspector["id"] in seen:
            raise _refuse("validation_error", f"执法检查人员 {inspector['id']} 重复列入。")
        seen.add(inspector["id"])
        # 行政处罚法 第42条 / 国办发〔2018〕118号: only certified officers enforce.
        if not (
            inspector["valid_from"] <= period["start"] and period["end"] <= inspector["valid_to"]
        ):
            raise _refuse(
                "officer_not_certified",
                f"执法检查人员 {inspector['id']} 的执法证件在检查期间"
                f"（{period['start']} 至 {period['end']}）不全部有效"
                f"（有效期 {inspector['valid_from']} 至 {inspector['valid_to']}），不能列入名录。",
            )


@dataclass(frozen=True)
class Checked:
    strata: list[Stratum]
    capped: set[str]
    team_size: int
    recusal: Recusal
    roster: Roster
    team_mix: str | None = None  # None: version 1


def _joint_shortfall(
    roster: Roster, excluded: AbstractSet[str], home: str, size: int, mix: str
) -> str:
    """What a /2 target lacks after recusal, in Chinese; empty when a team can be made."""
    gone = Counter(roster.agency_of[i] for i in excluded)
    left = {a: roster.agency_sizes[a] - gone[a] for a in roster.agencies}
    if mix == "own":
        if left[home] < size:
            return f"{home}剩 {left[home]} 名，每组须本部门 {size} 名"
        return ""
    problems = []
    if left[home] < HOME_MINIMUM:
        problems.append(f"承办部门{home}剩 {left[home]} 名，须 {HOME_MINIMUM} 名")
    problems += [f"{a}无人可派" for a in roster.agencies if a != home and left[a] < 1]
    total = len(roster.ids) - len(excluded)
    if total < size:
        problems.append(f"共剩 {total} 名，每组须 {size} 名")
    return "，".join(problems)


def _check_joint_targets(document: Mapping[str, Any], agencies: Sequence[str]) -> None:
    for target in document["targets"]:
        if target.get("agency") not in agencies:
            raise _refuse(
                "validation_error",
                f"检查对象 {target['id']} 所属部门“{target.get('agency')}”不是本次联合抽查的部门。",
            )


def check(document: Mapping[str, Any]) -> Checked:
    """Refuse an input that cannot be drawn for every seed; return what the draw needs.

    Every eligible target must have enough inspectors left after recusal, so that the draw that
    follows the seed can never fail half-way.
    """
    if document.get("format") not in ALGORITHM_OF:
        raise _refuse("validation_error", f"不认识的抽查输入格式：{document.get('format')!r}")
    joint = document["format"] == JOINT_INPUT_FORMAT
    plan = document["plan"]
    if not plan.get("matters"):
        raise _refuse("validation_error", "抽查计划须列明随机抽查事项。", "matters")
    if plan["period"]["end"] < plan["period"]["start"]:
        raise _refuse("validation_error", "检查期间的结束日期早于开始日期。", "period")
    ids = [t["id"] for t in document["targets"]]
    if len(set(ids)) != len(ids):
        raise _refuse("validation_error", "检查对象名单中有重复的对象。")
    agencies = [str(a) for a in plan.get("agencies") or []]
    size = _team_size(plan, agencies, joint)
    mix = str(plan["team_mix"]) if joint else None
    if joint:
        _check_joint_targets(document, agencies)
    _check_inspectors(document)
    found, capped = strata(document)
    if sum(s.size for s in found) == 0:
        raise _refuse(
            "draw_no_eligible_target",
            "没有符合条件的检查对象（筛选条件或年度抽查次数上限排除了全部对象），未进行抽取。",
        )
    inspectors = document["inspectors"]
    if len(inspectors) < size:
        raise _refuse(
            "draw_too_few_inspectors",
            f"执法检查人员只有 {len(inspectors)} 名，少于每组 {size} 名，未进行抽取。",
        )
    recusal = Recusal(inspectors)
    roster = Roster(inspectors, agencies)
    empty = [a for a in agencies if roster.agency_sizes[a] == 0] if len(agencies) > 1 else []
    if empty:
        raise _refuse(
            "draw_too_few_inspectors",
            f"联合抽查的{'、'.join(empty)}没有列入执法检查人员，未进行抽取。",
        )
    # A target's recusals are its area's plus its own: check each area (per agency in a /2
    # draw) once, and each target named in a conflict or an earlier inspection with its area.
    areas: dict[tuple[str, str], Mapping[str, Any]] = {}
    named: list[Mapping[str, Any]] = []
    for target in document["targets"]:
        if target["id"] in capped:
            continue
        areas.setdefault((target["area"], target.get("agency", "")), target)
        if target["id"] in recusal.by_target:
            named.append(target)
    for target in (
        *({"id": t["id"], "area": t["area"], "agency": t.get("agency")} for t in areas.values()),
        *named,
    ):
        excluded = recusal.excluded(target)
        if mix is not None:
            lacking = _joint_shortfall(roster, excluded, str(target["agency"]), size, mix)
        else:
            left, short = roster.shortfall(excluded)
            lacking = (
                f"剩 {left} 名，每组须 {size} 名"
                + (f"，且缺少{'、'.join(short)}的人员" if short else "")
                if left < size or short
                else ""
            )
        if lacking:
            raise _refuse(
                "draw_too_few_inspectors",
                f"检查对象 {target['id']} 回避后可派执法检查人员不足（{lacking}），未进行抽取。",
            )
    return Checked(found, capped, size, recusal, roster, mix)


def _team(roster: Roster, size: int, excluded: AbstractSet[str], rng: Generator) -> list[str]:
    per_agency, everyone = roster.pools(excluded)
    team: list[str] = []
    if len(roster.agencies) > 1:
        for agency in roster.agencies:
            pool = [i for i in per_agency[agency] if i not in team]
            team.append(pool[rng.below(len(pool))])
        everyone = [i for i in everyone if i not in team]
    return team + sample(everyone, size - len(team), rng)


def _joint_team(
    roster: Roster, size: int, excluded: AbstractSet[str], home: str, mix: str, rng: Generator
) -> list[str]:
    """/2: ``own``: a Fisher–Yates prefix of the home agency's pool. ``mixed``: two of the home
    agency (prefix), one of every other agency in the plan's order, the rest from everyone."""
    per_agency, everyone = roster.pools(excluded)
    if mix == "own":
        return sample(per_agency[home], size, rng)
    team = sample(per_agency[home], HOME_MINIMUM, rng)
    for agency in roster.agencies:
        if agency != home:
            pool = per_agency[agency]
            team.append(pool[rng.below(len(pool))])
    chosen = set(team)
    return team + sample([i for i in everyone if i not in chosen], size - len(team), rng)


def draw(document: Mapping[str, Any], seed: bytes) -> dict[str, Any]:
    """Run ``sanxiang-draw/1`` (or ``/2``) on a checked input; the result is plain JSON data."""
    checked = check(document)
    found, recusal, roster, size = (
        checked.strata,
        checked.recusal,
        checked.roster,
        checked.team_size,
    )
    rng = Generator(seed)
    # First stage: the targets of every stratum, in stratum order.
    chosen = [(s.name, t) for s in found for t in sample(s.members, s.size, rng)]
    wanted = {t for _, t in chosen}
    by_id = {t["id"]: t for t in document["targets"] if t["id"] in wanted}

    def team_of(target: Mapping[str, Any]) -> list[str]:
        excluded = recusal.excluded(target)
        if checked.team_mix is None:
            return _team(roster, size, excluded, rng)
        return _joint_team(roster, size, excluded, target["agency"], checked.team_mix, rng)

    # Second stage: a team for each drawn target, in draw order.
    selected = [
        {"target": target_id, "stratum": name, "team": team_of(by_id[target_id])}
        for name, target_id in chosen
    ]
    return {
        "algorithm": ALGORITHM_OF[document["format"]],
        "strata": [{"name": s.name, "eligible": len(s.members), "drawn": s.size} for s in found],
        "capped": len(checked.capped),
        "selected": selected,
        "values_used": rng.used,
    }


# --- certificates ----------------------------------------------------------------------------


def seed_entry_event(round_no: int) -> str:
    """The ledger event whose first covering checkpoint gives the seed of a round."""
    return "inspection.plan_frozen" if round_no == 1 else "inspection.redraw_requested"


def rerun(certificate: Mapping[str, Any]) -> tuple[list[str], dict[str, Any] | None]:
    """Recompute a certificate's hashes, seed and draw; the problems found and the new result.

    The ledger half (the seed entry's inclusion in a checkpoint signed by the agency's key) is
    checked by ``tools/verify_draw.py``, which has the signature code.
    """
    problems: list[str] = []
    if certificate.get("format") != CERTIFICATE_FORMAT:
        return [f"不认识的抽取证书格式：{certificate.get('format')!r}"], None
    document = certificate["input"]
    expected = ALGORITHM_OF.get(document.get("format", ""))
    if certificate.get("algorithm") not in ALGORITHM_OF.values():
        return [f"不支持的抽取算法：{certificate.get('algorithm')!r}"], None
    if certificate.get("algorithm") != expected:
        return [f"证书的算法 {certificate.get('algorithm')!r} 与输入格式不符"], None
    recomputed = hashes(document)
    for name, value in recomputed.items():
        if certificate.get(name) != value:
            problems.append(f"{name} 与证书内名单重算结果不符（名单或计划在冻结后被改动）")
    source = certificate["seed_source"]
    payload = _json_object(source["entry"]["payload"])
    round_no = int(certificate.get("round", 1))
    if source["entry"]["event_type"] != seed_entry_event(round_no):
        problems.append(f"种子来源条目的事件类型不是 {seed_entry_event(round_no)}")
    if payload.get("input_sha256") != recomputed["input_sha256"]:
        problems.append("账本中冻结记录的计划摘要与证书内计划不符")
    if int(payload.get("round", 1)) != round_no:
        problems.append("账本中记录的抽取轮次与证书不符")
    seed = seed_from(
        input_sha256=recomputed["input_sha256"],
        checkpoint_root=source["checkpoint"]["root_hash"],
    )
    if certificate.get("seed") != seed.hex():
        problems.append("随机种子与“计划摘要 ‖ 检查点根摘要”的重算结果不符")
    try:
        result = draw(document, seed)
    except DomainError as err:
        return [*problems, f"按证书输入无法抽取：{err.message}（{err.code}）"], None
    if canonical_bytes(result) != canonical_bytes(certificate.get("result")):
        problems.append("重新抽取的对象或检查组与证书公布的结果不同")
    return problems, result


def _json_object(text: str) -> dict[str, Any]:
    value = json.loads(text)
    return value if isinstance(value, dict) else {}
