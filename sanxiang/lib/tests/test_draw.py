"""The 双随机 draw (sanxiang-draw/1, docs/draw.md): fixed vectors any machine reproduces, the
plan's rules, refusals, and the standalone verifier run in another process."""

from __future__ import annotations

import copy
import hashlib
import json
import subprocess
import sys
from collections import Counter
from decimal import Decimal

import pytest

from sanxiang.lib import draw
from sanxiang.lib.canonical import canonical_json
from sanxiang.lib.errors import DomainError

from .draw_fixtures import ROOT, certificate, joint_input, public_key_b64, small_input

SEED = hashlib.sha256(b"sanxiang").digest()


class TestFixedVectors:
    """Written down once from the specification; a re-implementation must give the same."""

    def test_the_generator_is_sha256_in_counter_mode_read_as_big_endian_u64(self):
        rng = draw.Generator(SEED)
        first_block = hashlib.sha256(SEED + (0).to_bytes(8, "big")).digest()
        expected = [int.from_bytes(first_block[i : i + 8], "big") for i in range(0, 32, 8)]
        assert [rng.next_u64() for _ in range(4)] == expected
        assert expected[:2] == [0xC1283EB129A6F3D5, 0x47E0F2B4A4D0D056]
        assert rng.next_u64() == 0x1D6EEE55C29ADCEE  # the first value of block 1

    def test_integers_below_ten_and_a_partial_shuffle_are_fixed(self):
        rng = draw.Generator(SEED)
        assert [rng.below(10) for _ in range(10)] == [5, 8, 1, 2, 8, 4, 1, 7, 2, 7]
        items = [str(i) for i in range(10)]
        assert draw.sample(items, 4, draw.Generator(SEED)) == ["5", "7", "0", "2"]

    def test_the_small_plan_hashes_and_draws_the_same_everywhere(self):
        cert = certificate(small_input())
        assert cert["input_sha256"] == (
            "33d4791943fb4bc4f912601d23f6fb209b70eea19b9d77c95beae492aa089fd1"
        )
        assert cert["targets_sha256"] == (
            "60cca09954b8251a9f3914c8ea284489d9fbcfef698900ef8e641dfad640a6cc"
        )
        assert cert["seed"] == "47534663bebc350cf6e04428df191992d79d01231bee6eb3f692efe216fee7c0"
        assert [(s["target"], s["team"]) for s in cert["result"]["selected"]] == [
            ("91210000MA009", ["211000", "211001"]),
            ("91210000MA002", ["211000", "211001"]),
            ("91210000MA000", ["211000", "211002"]),
            ("91210000MA005", ["211002", "211000"]),
        ]
        assert cert["result"]["values_used"] == 12

    def test_a_plain_re_implementation_of_docs_draw_md_agrees(self):
        """The steps of docs/draw.md written out naively, without any of the module's code."""
        document = small_input(ratio="50", agencies=[])
        seed = hashlib.sha256(b"any seed").digest()
        blocks = (hashlib.sha256(seed + i.to_bytes(8, "big")).digest() for i in range(1_000))
        values = (int.from_bytes(b[k : k + 8], "big") for b in blocks for k in (0, 8, 16, 24))

        def below(n):
            while (v := next(values)) >= 2**64 - 2**64 % n:
                pass
            return v % n

        def shuffle_prefix(items, k):
            items = list(items)
            for i in range(k):
                j = i + below(len(items) - i)
                items[i], items[j] = items[j], items[i]
            return items[:k]

        eligible = [t for t in document["targets"] if not t["checked"] or t["complaint"]]
        high = [t["id"] for t in eligible if t["grade"] == "high"]
        rest = [t["id"] for t in eligible if t["grade"] != "high"]
        picks = shuffle_prefix(high, -(-len(high) * 50 // 100))
        picks += shuffle_prefix(rest, -(-len(rest) * 50 // 100))
        area = {t["id"]: t["area"] for t in document["targets"]}
        teams = []
        for target in picks:
            pool = [
                i["id"]
                for i in document["inspectors"]
                if target not in i["conflict_targets"] + i["inspected_targets"]
                and area[target] not in i["conflict_areas"]
            ]
            teams.append((target, shuffle_prefix(pool, 2)))
        ours = draw.draw(document, seed)["selected"]
        assert [(s["target"], s["team"]) for s in ours] == teams


class TestGenerator:
    def test_a_value_in_the_biased_tail_is_rejected_not_folded(self):
        class Scripted(draw.Generator):
            def __init__(self, values):
                super().__init__(SEED)
                self.values = list(values)

            def next_u64(self):
                self.used += 1
                return self.values.pop(0)

        # 2**64 % 3 == 1, so 2**64 - 1 is the one value that would favour 0: it is skipped.
        rng = Scripted([2**64 - 1, 7])
        assert rng.below(3) == 1
        assert rng.used == 2

    def test_small_ranges_come_out_uniform(self):
        rng = draw.Generator(SEED)
        counts = Counter(rng.below(6) for _ in range(60_000))
        assert set(counts) == set(range(6))
        assert all(abs(c - 10_000) < 400 for c in counts.values())  # > 4 sigma

    def test_a_seed_must_be_a_digest(self):
        with pytest.raises(ValueError):
            draw.Generator(b"short")


class TestPlanRules:
    def test_canonical_input_does_not_depend_on_the_order_given(self):
        document = small_input()
        shuffled = draw.input_document(
            plan=document["plan"],
            targets=list(reversed(document["targets"])),
            inspectors=list(reversed(document["inspectors"])),
        )
        assert draw.hashes(shuffled) == draw.hashes(document)

    def test_a_target_inspected_this_year_for_the_matter_is_left_out_unless_complained_of(self):
        result = certificate(small_input(ratio="100", key_rules=[]))["result"]
        drawn = {s["target"] for s in result["selected"]}
        assert "91210000MA007" not in drawn  # checked this year
        assert "91210000MA011" in drawn  # checked, but a complaint came in
        assert result["capped"] == 1
        assert len(drawn) == 11

    def test_a_key_rule_may_lift_the_yearly_cap_for_its_grade(self):
        document = small_input(key_rules=[{"grade": "low", "ratio": "100", "exempt_cap": True}])
        document["targets"][6]["checked"] = ["MZ-JC-01"]  # a "low" target checked this year
        result = draw.draw(document, SEED)
        assert "91210000MA006" in {s["target"] for s in result["selected"]}

    def test_key_targets_are_drawn_at_their_own_higher_ratio(self):
        result = draw.draw(
            small_input(ratio="10", key_rules=[{"grade": "high", "ratio": "100"}]), SEED
        )
        high = [s["target"] for s in result["selected"] if s["stratum"] == "key:high"]
        assert sorted(high) == ["91210000MA003", "91210000MA009"]
        assert result["strata"][1] == {"name": "base", "eligible": 9, "drawn": 1}

    def test_a_count_draws_that_many_from_the_rest(self):
        result = draw.draw(small_input(ratio=None, count=5, key_rules=[]), SEED)
        assert len(result["selected"]) == 5

    def test_a_ratio_is_rounded_up_so_a_small_list_still_gets_one_check(self):
        assert draw.quota(9, Decimal("5")) == 1
        assert draw.quota(1_000_000, Decimal("5")) == 50_000
        assert draw.quota(3, Decimal("100")) == 3

    def test_no_inspector_is_sent_to_a_target_they_declared_or_inspected_before(self):
        for trial in range(40):
            seed = hashlib.sha256(f"trial {trial}".encode()).digest()
            for pick in draw.draw(small_input(ratio="100", key_rules=[]), seed)["selected"]:
                assert len(set(pick["team"])) == 2
                if pick["target"] == "91210000MA003":
                    assert "211000" not in pick["team"]  # declared a conflict
                if pick["target"] == "91210000MA005":
                    assert "211001" not in pick["team"]  # inspected it before
                if pick["target"] in {"91210000MA002", "91210000MA008"}:  # 渤海街道
                    assert "211004" not in pick["team"]  # declared the area

    def test_a_joint_inspection_puts_one_inspector_of_each_agency_in_every_team(self):
        document = small_input(ratio="100", key_rules=[], agencies=["民宗局", "市场监管局"])
        agency = {i["id"]: i["agency"] for i in document["inspectors"]}
        for pick in draw.draw(document, SEED)["selected"]:
            assert {agency[i] for i in pick["team"]} == {"民宗局", "市场监管局"}


class TestJointDraw:
    """sanxiang-draw/2: a 联合抽查 of the district's agencies (docs/draw.md §4a)."""

    def test_a_mixed_joint_draw_is_fixed_for_every_machine(self):
        cert = certificate(joint_input("mixed"))
        assert cert["algorithm"] == cert["result"]["algorithm"] == "sanxiang-draw/2"
        assert cert["input"]["format"] == "sanxiang-draw-input/2"
        assert cert["input_sha256"] == (
            "35215a77798233c9f692e8e14849ae6497c859caca667230aae4e8c0a83d2468"
        )
        assert cert["seed"] == "63bc2bfaf43f3bd96064b8c97b5167c246c4998949ed0d55c026740785e899df"
        picks = [(s["target"], s["team"]) for s in cert["result"]["selected"]]
        assert picks[:3] == [
            ("91210000MB013", ["212004", "212006", "212003"]),
            ("91210000MB001", ["212001", "212003", "212007"]),
            ("91210000MB012", ["212007", "212004", "212001"]),
        ]
        assert len(picks) == 7
        assert cert["result"]["values_used"] == 28

    def test_an_own_agency_joint_draw_is_fixed_for_every_machine(self):
        cert = certificate(joint_input("own"))
        assert cert["seed"] == "f8ab003877a9ff3e8f0c2765e6f0b41502ebb127dac50eb75cc896b267b3c265"
        picks = [(s["target"], s["team"]) for s in cert["result"]["selected"]]
        assert picks[:2] == [
            ("91210000MB001", ["212001", "212003"]),
            ("91210000MB012", ["212007", "212005"]),
        ]
        assert cert["result"]["values_used"] == 21

    def test_a_mixed_team_has_two_of_the_targets_agency_and_one_of_every_other(self):
        document = joint_input("mixed", ratio="100")
        agency = {i["id"]: i["agency"] for i in document["inspectors"]}
        home = {t["id"]: t["agency"] for t in document["targets"]}
        for trial in range(20):
            seed = hashlib.sha256(f"joint {trial}".encode()).digest()
            for pick in draw.draw(document, seed)["selected"]:
                team = [agency[i] for i in pick["team"]]
                assert len(set(pick["team"])) == 3
                assert team[:2] == [home[pick["target"]]] * 2
                assert set(team) == {"民宗局", "市场监管局"}
                if pick["target"] == "91210000MB001":
                    assert "212000" not in pick["team"]  # declared a conflict
                if int(pick["target"][-2:]) % 2:  # odd ones are in 振兴街道
                    assert "212005" not in pick["team"]  # declared the area

    def test_an_own_team_comes_from_the_agency_whose_library_holds_the_target(self):
        document = joint_input("own", ratio="100")
        agency = {i["id"]: i["agency"] for i in document["inspectors"]}
        home = {t["id"]: t["agency"] for t in document["targets"]}
        for pick in draw.draw(document, SEED)["selected"]:
            assert {agency[i] for i in pick["team"]} == {home[pick["target"]]}

    def test_a_joint_target_of_an_agency_outside_the_plan_is_refused(self):
        document = joint_input()
        document["targets"][0]["agency"] = "文旅局"
        with pytest.raises(DomainError) as refused:
            draw.check(document)
        assert "不是本次联合抽查的部门" in refused.value.message

    def test_a_mixed_team_too_small_for_its_agencies_is_refused(self):
        with pytest.raises(DomainError) as refused:
            draw.check(joint_input("mixed", team_size=2))
        assert "每组人数不能少于 3" in refused.value.message

    def test_a_joint_target_whose_agency_is_left_without_two_after_recusal_is_refused(self):
        document = joint_input("mixed")
        for inspector in document["inspectors"][1:4]:
            inspector["conflict_areas"] = ["兴隆台街道"]
        with pytest.raises(DomainError) as refused:
            draw.check(document)
        assert refused.value.code == "draw_too_few_inspectors"
        assert "承办部门民宗局剩 1 名" in refused.value.message

    def test_a_version_one_certificate_still_verifies_beside_version_two(self):
        old = certificate(small_input(agencies=["民宗局", "市场监管局"]))
        assert old["algorithm"] == "sanxiang-draw/1"
        assert draw.rerun(old)[0] == []
        assert draw.rerun(certificate(joint_input()))[0] == []

    def test_a_version_two_input_claimed_as_version_one_is_refused(self):
        cert = certificate(joint_input())
        cert["algorithm"] = "sanxiang-draw/1"
        problems, result = draw.rerun(cert)
        assert result is None
        assert "与输入格式不符" in problems[0]


class TestRefusals:
    @pytest.mark.parametrize("ratio", ["0", "100.01", "-5", "abc", "5.001"])
    def test_a_ratio_outside_zero_to_a_hundred_percent_is_refused(self, ratio):
        with pytest.raises(DomainError) as refused:
            draw.check(small_input(ratio=ratio))
        assert refused.value.code == "draw_ratio_invalid"
        assert "抽查比例" in refused.value.message

    def test_a_plan_with_no_eligible_target_is_refused(self):
        document = small_input()
        for target in document["targets"]:
            target["checked"], target["complaint"] = ["MZ-JC-01"], False
        with pytest.raises(DomainError) as refused:
            draw.check(document)
        assert refused.value.code == "draw_no_eligible_target"

    def test_too_few_inspectors_after_recusal_is_refused_before_any_seed(self):
        document = small_input()
        for inspector in document["inspectors"][1:]:
            inspector["conflict_areas"] = ["振兴街道"]
        with pytest.raises(DomainError) as refused:
            draw.check(document)
        assert refused.value.code == "draw_too_few_inspectors"
        assert "回避后" in refused.value.message

    def test_a_team_of_one_is_refused(self):
        with pytest.raises(DomainError) as refused:
            draw.check(small_input(team_size=1))
        assert "至少须由两名" in refused.value.message

    def test_an_inspector_whose_certificate_expires_during_the_period_is_refused(self):
        document = small_input()
        document["inspectors"][2]["valid_to"] = "2026-03-15"
        with pytest.raises(DomainError) as refused:
            draw.check(document)
        assert refused.value.code == "officer_not_certified"
        assert "211002" in refused.value.message


def _run_verifier(path, *args):
    return subprocess.run(  # noqa: S603 - our own script, fixed arguments
        [sys.executable, str(ROOT / "tools" / "verify_draw.py"), str(path), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd="/",
    )


class TestStandaloneVerifier:
    def test_another_process_re_draws_the_same_targets_and_teams(self, tmp_path):
        cert = certificate(small_input(agencies=["民宗局", "市场监管局"]))
        path = tmp_path / "cert.json"
        path.write_text(json.dumps(cert, ensure_ascii=False), encoding="utf-8")
        done = _run_verifier(path, "--public-key", public_key_b64(), "--json")
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == canonical_json(
            {"seed": cert["seed"], "result": cert["result"]}
        )
        assert "核验通过" in done.stderr

    def test_another_process_re_draws_a_joint_plan_of_two_agencies(self, tmp_path):
        cert = certificate(joint_input("mixed"))
        path = tmp_path / "cert.json"
        path.write_text(json.dumps(cert, ensure_ascii=False), encoding="utf-8")
        done = _run_verifier(path, "--public-key", public_key_b64(), "--json")
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["result"]["selected"] == cert["result"]["selected"]
        assert "sanxiang-draw/2" in done.stderr

    def test_a_joint_target_moved_to_another_agency_after_the_freeze_is_caught(self, tmp_path):
        cert = certificate(joint_input("mixed"))
        cert["input"]["targets"][0]["agency"] = "市场监管局"
        path = tmp_path / "cert.json"
        path.write_text(json.dumps(cert, ensure_ascii=False), encoding="utf-8")
        done = _run_verifier(path, "--public-key", public_key_b64())
        assert done.returncode == 1
        assert "冻结后被改动" in done.stderr

    def test_without_a_pinned_key_it_reruns_but_does_not_pass(self, tmp_path):
        path = tmp_path / "cert.json"
        path.write_text(json.dumps(certificate(small_input())), encoding="utf-8")
        done = _run_verifier(path)
        assert done.returncode == 2
        assert "核验通过" not in done.stdout + done.stderr

    @pytest.mark.parametrize(
        ("tamper", "says"),
        [
            (lambda c: c["input"]["targets"].pop(0), "冻结后被改动"),
            (lambda c: c["input"]["inspectors"][0]["conflict_targets"].clear(), "冻结后被改动"),
            (lambda c: c["result"]["selected"][0]["team"].reverse(), "结果不同"),
            (lambda c: c["result"]["selected"].pop(), "结果不同"),
            (lambda c: c.update(seed="00" * 32), "随机种子"),
            (lambda c: c["seed_source"]["checkpoint"].update(root_hash="11" * 32), "签名无效"),
            (lambda c: c["seed_source"]["entry"].update(seq=2), "存在性证明不成立"),
            (lambda c: c.update(round=2), "事件类型"),
        ],
    )
    @pytest.mark.parametrize("joint", [False, True])
    def test_every_tampering_is_caught(self, tmp_path, tamper, says, joint):
        cert = copy.deepcopy(certificate(joint_input() if joint else small_input()))
        tamper(cert)
        path = tmp_path / "cert.json"
        path.write_text(json.dumps(cert, ensure_ascii=False), encoding="utf-8")
        done = _run_verifier(path, "--public-key", public_key_b64())
        assert done.returncode == 1
        assert says in done.stderr

    def test_a_draw_re_run_from_the_input_with_a_different_key_is_not_accepted(self, tmp_path):
        path = tmp_path / "cert.json"
        path.write_text(json.dumps(certificate(small_input())), encoding="utf-8")
        other = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
        done = _run_verifier(path, "--public-key", other)
        assert done.returncode == 1
        assert "不是由所给公钥签署" in done.stderr

    def test_a_damaged_file_is_reported_not_crashed_on(self, tmp_path):
        path = tmp_path / "cert.json"
        path.write_text('{"format": "sanxiang-draw-certificate/1"', encoding="utf-8")
        done = _run_verifier(path)
        assert done.returncode == 1
        assert "核验失败" in done.stderr
