"""Issue 9, item 7: a document is rendered before the short transaction that commits it.

Rendering a PDF takes a good part of a second; holding the case's row lock and the 文号
counter's lock meanwhile would queue every other issue of the agency behind it. These tests
show that the render runs outside any transaction, that what is committed is exactly what was
rendered (a number or a case that changed meanwhile is rendered again), that numbers stay
gap-free, and that a render whose commit never happened leaves only an object that the
orphan sweep removes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.core.files.storage import default_storage
from django.db import connection

from sanxiang.cases.models import Case
from sanxiang.documents import services
from sanxiang.documents.kinds import get_kind
from sanxiang.documents.models import IssuedDocument, NumberSequence
from sanxiang.documents.services import issue_document
from sanxiang.lib import orphans
from sanxiang.lib.errors import DomainError

from .helpers import QuickDocumentsTestCase, case_at, fine_draft, quick_pdf


def at_review(world: Any) -> Case:
    """A case at 审查 with its drafted fine (the 事先告知书 states it, 第44条)."""
    return case_at(world, "case_review", **fine_draft())


def stored_objects() -> set[str]:
    return set(orphans._walk(default_storage, services.OBJECT_PREFIX))


class Renders:
    """A stand-in renderer that notes the transaction depth of each call and may act once
    (as another officer would) while the first render is under way."""

    def __init__(self, during_render: Callable[[int], None] | None = None) -> None:
        self.depths: list[int] = []  # of our renders, not of those done by ``during_render``
        self.during_render = during_render
        self.acting = False

    def __call__(self, content: Any) -> bytes:
        if self.acting:
            return quick_pdf(content)
        self.depths.append(len(connection.atomic_blocks))
        if self.during_render is not None:
            self.acting = True
            try:
                self.during_render(len(self.depths))
            finally:
                self.acting = False
        return quick_pdf(content)


class RenderingOutsideTheLocks(QuickDocumentsTestCase):
    def issue(self, case: Case, renders: Renders, kind: str = "penalty_notice") -> IssuedDocument:
        with mock.patch.object(services, "render_pdf", renders):
            return issue_document(actor=self.w.officer, case_id=case.pk, kind=kind)

    def test_the_pdf_is_rendered_while_no_transaction_of_ours_is_open(self):
        case = at_review(self.w)
        outside = len(connection.atomic_blocks)
        renders = Renders()
        doc = self.issue(case, renders)
        assert renders.depths == [outside]
        assert doc.seq == 1

    def test_a_number_taken_while_rendering_goes_to_the_other_and_this_one_is_rendered_again(self):
        first, second = at_review(self.w), at_review(self.w)

        def meanwhile(call: int) -> None:
            if call == 1:
                issue_document(actor=self.w.officer, case_id=first.pk, kind="penalty_notice")

        doc = self.issue(second, Renders(meanwhile))
        other = IssuedDocument.objects.get(case=first)
        assert (other.seq, doc.seq) == (1, 2)
        assert doc.number.endswith("第2号")
        with default_storage.open(doc.pdf_name, "rb") as f:
            assert f.read() == b"%PDF-1.7\n% test stand-in\n" + doc.content_sha256.encode()
        assert NumberSequence.objects.get(kind="penalty_notice").last == 2

    def test_a_case_changed_while_rendering_is_issued_from_what_it_now_says(self):
        case = at_review(self.w)

        def meanwhile(call: int) -> None:
            if call == 1:
                Case.objects.filter(pk=case.pk).update(facts="调查后查明的新事实")

        renders = Renders(meanwhile)
        doc = self.issue(case, renders)
        assert len(renders.depths) == 2
        now = Case.objects.select_related("agency", "matter").get(pk=case.pk)
        kind = get_kind("penalty_notice")
        assert kind is not None
        rebuilt = services._content(now, kind, doc.seq, doc.issued_at)
        assert rebuilt.sha256() == doc.content_sha256

    def test_a_commit_refused_after_rendering_takes_no_number_and_leaves_one_orphan(self):
        case = at_review(self.w)
        before = stored_objects()

        def meanwhile(call: int) -> None:
            Case.objects.filter(pk=case.pk).update(stage="filing")

        with pytest.raises(DomainError) as caught:
            self.issue(case, Renders(meanwhile))
        assert caught.value.code == "conflict"
        assert not IssuedDocument.objects.filter(case=case).exists()
        assert not NumberSequence.objects.filter(kind="penalty_notice", last__gt=0).exists()
        left = stored_objects() - before
        assert len(left) == 2  # the PDF and the DOCX of the render nobody committed
        assert orphans.sweep_all() == []  # younger than the grace period: kept for now
        assert sorted(orphans.sweep_all(grace=timedelta(0))) == sorted(left)
        assert stored_objects() == before

    def test_the_sweep_keeps_every_object_an_issued_document_points_at(self):
        docs = [self.issue(at_review(self.w), Renders()) for _ in range(3)]
        assert orphans.sweep_all(grace=timedelta(0)) == []
        for doc in docs:
            assert default_storage.exists(doc.pdf_name) and default_storage.exists(doc.docx_name)

    def test_after_losing_every_optimistic_race_the_last_render_happens_under_the_locks(self):
        others = [at_review(self.w) for _ in range(services.OPTIMISTIC_ATTEMPTS)]
        case = at_review(self.w)
        outside = len(connection.atomic_blocks)

        def meanwhile(call: int) -> None:
            if call <= len(others):
                issue_document(
                    actor=self.w.officer, case_id=others[call - 1].pk, kind="penalty_notice"
                )

        renders = Renders(meanwhile)
        with mock.patch.object(services, "render_pdf", renders):
            doc = issue_document(actor=self.w.officer, case_id=case.pk, kind="penalty_notice")
        mine = renders.depths
        assert len(mine) == services.OPTIMISTIC_ATTEMPTS + 1
        assert mine[:-1] == [outside] * services.OPTIMISTIC_ATTEMPTS
        assert mine[-1] > outside
        assert doc.seq == services.OPTIMISTIC_ATTEMPTS + 1
        issued = IssuedDocument.objects.filter(kind="penalty_notice")
        seqs = sorted(seq or 0 for seq in issued.values_list("seq", flat=True))
        assert seqs == list(range(1, services.OPTIMISTIC_ATTEMPTS + 2))
