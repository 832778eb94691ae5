from __future__ import annotations

import threading
from unittest import mock

import pytest
from django.db import connection, transaction
from django.test import TransactionTestCase

from sanxiang.documents.models import IssuedDocument, NumberSequence
from sanxiang.documents.services import allocate_number, format_number, issue_document
from sanxiang.testing import World, WorldTestCase

from .helpers import case_at, fine_draft


def allocate(agency_id: int, year: int, kind: str) -> int:
    with transaction.atomic():
        return allocate_number(agency_id=agency_id, year=year, kind=kind)


class NumberFormat(WorldTestCase):
    def test_number_reads_short_name_word_year_in_hexagonal_brackets_and_sequence(self):
        assert format_number("兴民宗", "罚决", 2026, 1) == "兴民宗罚决字〔2026〕第1号"

    def test_numbers_run_on_per_agency_year_and_kind(self):
        a = self.w.agency.pk
        assert [allocate(a, 2026, "penalty_decision") for _ in range(3)] == [1, 2, 3]

    def test_a_new_year_starts_again_at_one(self):
        a = self.w.agency.pk
        allocate(a, 2026, "penalty_decision")
        allocate(a, 2026, "penalty_decision")
        assert allocate(a, 2027, "penalty_decision") == 1

    def test_each_kind_has_its_own_sequence(self):
        a = self.w.agency.pk
        allocate(a, 2026, "penalty_decision")
        assert allocate(a, 2026, "penalty_notice") == 1

    def test_each_agency_has_its_own_sequence(self):
        allocate(self.w.agency.pk, 2026, "penalty_decision")
        assert allocate(self.w.other_agency.pk, 2026, "penalty_decision") == 1

    def test_an_issued_decision_carries_its_formatted_number(self):
        case = case_at(self.w, "case_review", **fine_draft())
        doc = issue_document(actor=self.w.officer, case_id=case.pk, kind="penalty_notice")
        assert doc.number == format_number("测民宗", "告", doc.year, 1)
        assert doc.seq == 1

    def test_unnumbered_kinds_get_no_number(self):
        case = case_at(self.w, "filing")
        doc = issue_document(actor=self.w.head, case_id=case.pk, kind="filing_approval")
        assert doc.number == "" and doc.seq is None
        assert not NumberSequence.objects.filter(kind="filing_approval").exists()

    def test_a_kind_can_be_configured_to_be_numbered(self):
        case = case_at(self.w, "investigation")
        custom = {"inspection_record": {"numbered": True}}
        with self.settings(SANXIANG_DOCUMENT_KINDS=custom):
            doc = issue_document(actor=self.w.officer, case_id=case.pk, kind="inspection_record")
        assert doc.number.startswith("测民宗检字〔") and doc.number.endswith("第1号")

    def test_a_failed_issue_gives_its_number_back(self):
        case = case_at(self.w, "case_review", **fine_draft())
        with (
            mock.patch("sanxiang.documents.services.render_pdf", side_effect=RuntimeError),
            pytest.raises(RuntimeError),
        ):
            issue_document(actor=self.w.officer, case_id=case.pk, kind="penalty_notice")
        assert not IssuedDocument.objects.exists()
        assert NumberSequence.objects.filter(last__gt=0).count() == 0
        doc = issue_document(actor=self.w.officer, case_id=case.pk, kind="penalty_notice")
        assert doc.seq == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
class ConcurrentIssues(TransactionTestCase):
    def test_eight_simultaneous_first_issues_get_one_to_eight_without_gap_or_duplicate(self):
        world = World.build()
        cases = [case_at(world, "investigation") for _ in range(8)]
        start = threading.Barrier(8)
        numbers: list[int] = []
        errors: list[BaseException] = []

        def issue(case_id: int) -> None:
            try:
                start.wait()
                doc = issue_document(
                    actor=world.officer, case_id=case_id, kind="evidence_preservation"
                )
                numbers.append(doc.seq or 0)
            except BaseException as exc:
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=issue, args=(c.pk,)) for c in cases]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert sorted(numbers) == list(range(1, 9))
        assert NumberSequence.objects.get(kind="evidence_preservation").last == 8
