from __future__ import annotations

import dataclasses

import pytest
from django.test import Client

from sanxiang.procedures.definitions import (
    DEFINITIONS,
    PENALTY_ORDINARY,
    DefinitionError,
    Stage,
    StageRole,
    Step,
    get_definition,
    validate,
)
from sanxiang.procedures.flowchart import render_svg, rows_of


def test_the_five_procedures_are_defined_and_valid():
    assert set(DEFINITIONS) == {
        "penalty_ordinary",
        "penalty_summary",
        "licence",
        "coercion",
        "inspection",
    }
    for definition in DEFINITIONS.values():
        validate(definition)
        assert definition.stages[-1].final


def test_filing_and_decision_need_the_head_in_the_ordinary_penalty_procedure():
    # 行政处罚法 第54条 (立案 approved by the head) and 第57条 (the head decides).
    approval = PENALTY_ORDINARY.step("filing", "investigation")
    assert approval is not None and approval.head_approval
    into_decision = [s for s in PENALTY_ORDINARY.steps if s.target == "decision"]
    assert into_decision and all(s.head_approval for s in into_decision)


def test_an_unreachable_stage_is_refused():
    broken = dataclasses.replace(
        PENALTY_ORDINARY,
        stages=(*PENALTY_ORDINARY.stages, Stage("orphan", "孤立", StageRole.APPLICATION)),
    )
    with pytest.raises(DefinitionError, match="unreachable"):
        validate(broken)


def test_a_dead_end_that_is_not_final_is_refused():
    steps = tuple(s for s in PENALTY_ORDINARY.steps if s.source != "hearing")
    with pytest.raises(DefinitionError, match="dead end"):
        validate(dataclasses.replace(PENALTY_ORDINARY, steps=steps))


def test_a_step_to_an_unknown_stage_is_refused():
    steps = (*PENALTY_ORDINARY.steps, Step("filing", "nowhere", "x"))
    with pytest.raises(DefinitionError, match="unknown"):
        validate(dataclasses.replace(PENALTY_ORDINARY, steps=steps))


def test_unknown_procedure_raises():
    with pytest.raises(KeyError):
        get_definition("nonsense")


@pytest.mark.parametrize("code", sorted(DEFINITIONS))
def test_the_flowchart_shows_every_stage_and_step_of_the_definition(code):
    definition = DEFINITIONS[code]
    svg = render_svg(definition)
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    for stage in definition.stages:
        assert f'data-stage="{stage.code}"' in svg
        assert stage.label in svg
    assert svg.count('class="step"') == len(definition.steps)
    assert "style=" not in svg  # inlined under a 'self'-only CSP


def test_the_current_stage_is_highlighted():
    svg = render_svg(PENALTY_ORDINARY, "hearing")
    assert svg.count('aria-current="step"') == 1
    assert 'data-stage="hearing" aria-current="step"' in svg


def test_changing_the_definition_changes_the_chart():
    renamed = dataclasses.replace(
        PENALTY_ORDINARY,
        stages=tuple(
            dataclasses.replace(s, label="调查核实" if s.code == "investigation" else s.label)
            for s in PENALTY_ORDINARY.stages
        ),
    )
    assert "调查核实" in render_svg(renamed)
    assert "调查核实" not in render_svg(PENALTY_ORDINARY)


def test_rows_follow_the_procedural_order():
    rows = rows_of(PENALTY_ORDINARY)
    assert rows["filing"] == 0
    assert rows["investigation"] < rows["decision"] < rows["archived"]


@pytest.mark.django_db
def test_the_public_flowchart_needs_no_login():
    response = Client().get("/procedures/penalty_ordinary.svg")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert "行政处罚普通程序" in response.content.decode()


@pytest.mark.django_db
def test_an_unknown_flowchart_is_not_found():
    assert Client().get("/procedures/nothing.svg").status_code == 404
