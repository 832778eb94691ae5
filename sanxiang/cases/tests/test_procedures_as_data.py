"""A procedure is whole data (issue 10, item 1): stages carry their role, and a new procedure
is one definition with no migration and no code that names its stages."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from sanxiang.cases.models import Case
from sanxiang.cases.queries import had_role
from sanxiang.cases.services import DraftData, save_draft, transition
from sanxiang.cases.testing import make_matter, open_test_case
from sanxiang.directory.models import Officer
from sanxiang.procedures.definitions import (
    DEFINITIONS,
    Definition,
    DefinitionError,
    Stage,
    StageRole,
    Step,
    registered,
    stage_has_role,
)
from sanxiang.procedures.flowchart import render_svg
from sanxiang.testing import WorldTestCase

# 行政确认 (e.g. 宗教教职人员备案): stage codes nobody else uses, so only the roles tell the
# platform which stage is the decision and which one closes the case.
CONFIRMATION = Definition(
    code="confirmation_test",
    label="行政确认（测试）",
    category="confirmation",
    stages=(
        Stage("shenqing", "申请", StageRole.APPLICATION),
        Stage("shencha", "审查", StageRole.REVIEW),
        Stage("queren", "确认", StageRole.DECISION),
        Stage("guidang", "归档", StageRole.ARCHIVED, final=True),
    ),
    steps=(
        Step("shenqing", "shencha", "受理并审查"),
        Step("shencha", "queren", "作出确认"),
        Step("queren", "guidang", "归档"),
    ),
)


class NewProcedureTests(WorldTestCase):
    def test_a_new_procedure_is_one_definition_with_no_migration(self):
        with registered(CONFIRMATION):
            out = StringIO()
            # Exit status 1 would mean the schema depends on the list of procedures.
            call_command("makemigrations", "--check", "--dry-run", stdout=out)
            assert "No changes detected" in out.getvalue()

    def test_a_case_of_the_new_procedure_walks_to_its_end_by_its_roles(self):
        # The team's certificates cover 行政确认 too (test data).
        Officer.objects.filter(agency=self.w.agency).update(
            categories=["licence", "penalty", "coercion", "inspection", "confirmation"]
        )
        with registered(CONFIRMATION):
            matter = make_matter(self.w.agency, "confirmation", code="T-confirmation")
            case = open_test_case(self.w, procedure="confirmation_test", matter=matter)
            assert case.stage == "shenqing"
            transition(actor=self.w.officer, case_id=case.pk, target="shencha")
            save_draft(
                actor=self.w.officer,
                case_id=case.pk,
                data=DraftData(kind="other", legal_basis="《宗教事务条例》", text="予以确认。"),
            )
            for target in ("queren", "guidang"):
                transition(actor=self.w.officer, case_id=case.pk, target=target)
            case = Case.objects.get(pk=case.pk)
            # The decision stage set the decision date, the final one the closing date.
            assert case.decided_on is not None and case.closed_on is not None
            assert had_role(case, StageRole.DECISION)
            assert not had_role(case, StageRole.HEARING)
            assert 'data-stage="queren"' in render_svg(CONFIRMATION)

    def test_the_registry_refuses_a_second_definition_with_the_same_code(self):
        with registered(CONFIRMATION), self.assertRaises(DefinitionError), registered(CONFIRMATION):
            pass
        assert "confirmation_test" not in DEFINITIONS

    def test_two_stages_may_not_play_the_same_role(self):
        doubled = Definition(
            code="doubled",
            label="x",
            category="confirmation",
            stages=(
                Stage("a", "甲", StageRole.DECISION),
                Stage("b", "乙", StageRole.DECISION, final=True),
            ),
            steps=(Step("a", "b", "x"),),
        )
        with self.assertRaisesRegex(DefinitionError, "several stages"), registered(doubled):
            pass


def test_every_procedure_names_its_decision_stage_by_role():
    for definition in DEFINITIONS.values():
        closing = definition.codes_with_role(StageRole.CLOSING, StageRole.ARCHIVED)
        assert closing, definition.code
        assert all(definition.is_closed(code) for code in closing)
    assert stage_has_role("penalty_ordinary", "hearing", StageRole.HEARING)
    assert not stage_has_role("penalty_ordinary", "hearing", StageRole.DECISION)
    assert not stage_has_role("no_such_procedure", "decision", StageRole.DECISION)
