"""A 裁量基准 line names the penalty kinds its circumstance allows (the matter's 罚则), and a
draft's kinds — its kind and what it imposes together (并处) — are checked against it."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from openpyxl import load_workbook

from sanxiang.cases.benchmark_sheet import export_benchmarks, import_benchmarks
from sanxiang.cases.models import DecisionDraft, DiscretionBenchmark, DiscretionBenchmarkVersion
from sanxiang.cases.services import BenchmarkData, DraftData, save_benchmark, save_draft
from sanxiang.cases.testing import company, make_matter, open_test_case
from sanxiang.directory import versioning
from sanxiang.documents.testing import take_step
from sanxiang.ledger.reconcile import reconcile
from sanxiang.lib.canonical import canonical_json
from sanxiang.lib.errors import DomainError
from sanxiang.testing import WorldTestCase, signed_in

TODAY = timezone.localdate()
BASIS = "《宗教事务条例》第七十一条"


def line(circumstance: str, low: str, high: str, *kinds: str) -> BenchmarkData:
    return BenchmarkData(circumstance, f"{circumstance}情节", low, high, penalty_kinds=kinds)


def refused(code: str, fn, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as caught:
        fn(**kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value


class BenchmarkKindsTestCase(WorldTestCase):
    def setUp(self) -> None:
        self.matter = make_matter(self.w.agency, "penalty")
        # 《宗教事务条例》第71条: 警告; 情节严重的, 并处罚款.
        for data in (
            line("ordinary", "0", "0", "warning"),
            line("serious", "20000", "100000", "warning", "fine"),
        ):
            save_benchmark(actor=self.w.head, matter_id=self.matter.pk, data=data)
        self.case = open_test_case(
            self.w, parties=[company()], matter=self.matter, opened_on=TODAY - timedelta(days=5)
        )
        take_step(self.w.head, self.case.pk, "investigation", on=self.case.opened_on)

    def draft(self, **fields):
        violated = "《宗教事务条例》第四十一条"
        data = DraftData(legal_basis=BASIS, violated_provision=violated, **fields)
        return save_draft(actor=self.w.officer, case_id=self.case.pk, data=data)


class DraftsWithinTheirBand(BenchmarkKindsTestCase):
    def test_a_warning_with_a_fine_under_the_serious_circumstance_is_saved(self):
        self.draft(
            kind="fine",
            fine_amount="50000",
            additional_kinds=("warning",),
            circumstance="serious",
        )
        saved = DecisionDraft.objects.get(case_id=self.case.pk)
        assert saved.kind == "fine" and saved.additional_kinds == ["warning"]

    def test_a_fine_under_a_circumstance_that_allows_only_a_warning_is_refused(self):
        error = refused(
            "penalty_kind_outside_benchmark",
            self.draft,
            kind="warning",
            additional_kinds=("fine",),
            fine_amount="5000",
            circumstance="ordinary",
        )
        assert "只规定了警告" in error.message and "不能给予罚款" in error.message
        assert "第三十四条" in error.message and error.field == "additional_kinds"
        assert not DecisionDraft.objects.filter(case_id=self.case.pk).exists()

    def test_a_kind_the_matter_does_not_provide_for_is_refused_as_the_drafts_kind(self):
        error = refused(
            "penalty_kind_outside_benchmark",
            self.draft,
            kind="licence_revocation",
            circumstance="serious",
        )
        assert "不能给予吊销许可证件" in error.message and error.field == "kind"

    def test_a_warning_must_name_its_circumstance_once_the_lines_name_kinds(self):
        error = refused("validation_error", self.draft, kind="warning")
        assert error.field == "circumstance"
        self.draft(kind="warning", circumstance="ordinary")

    def test_revoking_and_suspending_the_same_licence_together_is_refused(self):
        DiscretionBenchmark.objects.filter(matter=self.matter).update(penalty_kinds="")
        error = refused(
            "penalty_kinds_conflict",
            self.draft,
            kind="licence_suspension",
            additional_kinds=("licence_revocation",),
            circumstance="serious",
        )
        assert "暂扣许可证件" in error.message and "吊销许可证件" in error.message

    def test_a_line_naming_a_kind_outside_article_9_is_refused(self):
        error = refused(
            "validation_error",
            save_benchmark,
            actor=self.w.head,
            matter_id=self.matter.pk,
            data=line("grave", "100000", "200000", "licence_grant"),
        )
        assert error.field == "penalty_kinds"
        assert not DiscretionBenchmark.objects.filter(circumstance="grave").exists()


class TheKindsAreVersionedAndVerified(BenchmarkKindsTestCase):
    def test_changing_the_kinds_makes_a_new_version_whose_hash_covers_them(self):
        save_benchmark(
            actor=self.w.head,
            matter_id=self.matter.pk,
            data=line("ordinary", "0", "0", "warning", "criticism"),
            valid_from=TODAY,
        )
        versions = DiscretionBenchmarkVersion.objects.filter(
            benchmark__matter=self.matter, benchmark__circumstance="ordinary"
        ).order_by("number")
        assert [v.penalty_kinds for v in versions] == [",warning,", ",warning,criticism,"]
        assert [d.line() for d in reconcile() if d.table.startswith("cases_discretion")] == []

    def test_kinds_changed_by_sql_are_named_by_the_state_check(self):
        version = DiscretionBenchmarkVersion.objects.get(
            benchmark__matter=self.matter, benchmark__circumstance="ordinary"
        )
        with connection.cursor() as cur:
            cur.execute(
                "UPDATE cases_discretionbenchmarkversion SET penalty_kinds = %s WHERE id = %s",
                [",warning,fine,", version.pk],
            )
        lines = [d.line() for d in reconcile() if d.table == "cases_discretionbenchmarkversion"]
        assert any(f"#{version.pk} 字段 content_sha256" in x for x in lines)

    def test_a_version_hashed_before_kinds_existed_still_verifies(self):
        """A line saved with no kinds hashes exactly as before the field was added."""
        save_benchmark(actor=self.w.head, matter_id=self.matter.pk, data=line("minor", "0", "0"))
        version = DiscretionBenchmarkVersion.objects.get(
            benchmark__matter=self.matter, benchmark__circumstance="minor"
        )
        old_fields = (
            "matter_id",
            "circumstance",
            "description",
            "fine_min",
            "fine_max",
            "first_offence_exempt",
            "lighter_factors",
            "reduced_factors",
        )
        body = {
            "kind": "cases.benchmark",
            "number": version.number,
            "valid_from": version.valid_from,
            "content": {f: getattr(version, f) for f in old_fields},
        }
        assert version.content_sha256 == hashlib.sha256(canonical_json(body).encode()).hexdigest()
        assert versioning.content_of(version, ("penalty_kinds?",)) == {}


class TheSheetCarriesTheKinds(BenchmarkKindsTestCase):
    def sheet(self, kinds: str) -> bytes:
        book = load_workbook(io.BytesIO(export_benchmarks(self.w.agency.pk)))
        sheet = book.active
        headers = [c.value for c in sheet[1]]
        rows = {sheet.cell(row=r, column=3).value: r for r in range(2, sheet.max_row + 1)}
        row = rows["一般"]
        sheet.cell(row=row, column=headers.index("可给予的处罚种类") + 1, value=kinds)
        sheet.cell(row=row, column=headers.index("生效日期") + 1, value=TODAY + timedelta(days=1))
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    def load(self, data: bytes):
        return import_benchmarks(actor=self.w.head, agency_id=self.w.agency.pk, data=data)

    def test_the_export_shows_the_kinds_by_name_and_reimports_as_nothing_to_change(self):
        book = load_workbook(io.BytesIO(export_benchmarks(self.w.agency.pk)))
        values = {
            tuple(c.value for c in r)[2]: r
            for r in book.active.iter_rows(min_row=2)  # 违法情节 is the third column
        }
        headers = [c.value for c in book.active[1]]
        at = headers.index("可给予的处罚种类")
        assert values["较重"][at].value == "警告、罚款"
        out = io.BytesIO()
        book.save(out)
        assert self.load(out.getvalue()).nothing_to_change

    def test_an_unknown_kind_in_the_sheet_is_named_by_row_and_column(self):
        with pytest.raises(DomainError) as caught:
            self.load(self.sheet("警告、记过"))
        assert "“可给予的处罚种类”列" in caught.value.message
        assert "记过" in caught.value.message

    def test_a_sheet_widening_a_line_saves_a_new_version(self):
        outcome = self.load(self.sheet("警告、通报批评"))
        assert outcome.changed == 1
        current = DiscretionBenchmark.objects.get(matter=self.matter, circumstance="ordinary")
        assert current.penalty_kinds == ",warning,criticism," and current.version == 2


class ThePagesShowTheKinds(BenchmarkKindsTestCase):
    def test_the_head_ticks_the_kinds_on_the_configuration_page_and_the_draft_shows_them(self):
        client = signed_in(self.w.head)
        response = client.post(
            "/cases/configuration/",
            {
                "matter": self.matter.pk,
                "circumstance": "grave",
                "description": "以营利为目的长期提供条件",
                "fine_min": "100000",
                "fine_max": "200000",
                "penalty_kinds": ["warning", "fine", "confiscation"],
            },
        )
        assert response.status_code == 302
        grave = DiscretionBenchmark.objects.get(matter=self.matter, circumstance="grave")
        assert grave.penalty_kinds == ",warning,fine,confiscation,"
        page = client.get("/cases/configuration/").content.decode()
        assert "<td>警告、罚款、没收违法所得、没收非法财物</td>" in page
        draft = signed_in(self.w.officer).get(f"/cases/{self.case.pk}/draft/").content.decode()
        assert "可给予：警告、罚款（行政处罚法第三十四条）" in draft
