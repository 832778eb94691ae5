"""Issue 9, item 7: the 法制审核意见书 is rendered before the transaction that records it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.core.files.storage import default_storage
from django.db import connection

from sanxiang.ledger.models import Entry
from sanxiang.lib import orphans
from sanxiang.lib.errors import DomainError
from sanxiang.review import opinion, services
from sanxiang.review.models import ReviewRound, RoundStatus

from .helpers import ReviewTestCase, all_passed, assigned, case_at_defence

real_render = opinion.render


def give_opinion(world: Any, round_id: int, text: str) -> ReviewRound:
    return services.review(
        actor=world.reviewer, round_id=round_id, marks=all_passed(), agree=True, opinion_text=text
    )


class OpinionRenderedOutsideTheLocks(ReviewTestCase):
    def test_the_opinion_pdf_is_rendered_while_no_transaction_of_ours_is_open(self):
        round_ = assigned(self.w, case_at_defence(self.w))
        outside = len(connection.atomic_blocks)
        depths: list[int] = []

        def render(**kwargs: Any) -> opinion.RenderedOpinion:
            depths.append(len(connection.atomic_blocks))
            return real_render(**kwargs)

        with mock.patch.object(opinion, "render", render):
            done = give_opinion(self.w, round_.pk, "同意。")
        assert depths == [outside]
        assert done.status == RoundStatus.PASSED
        assert done.opinion_pdf.name and default_storage.exists(done.opinion_pdf.name)

    def test_an_opinion_answered_meanwhile_is_refused_and_its_pdf_is_swept(self):
        case = case_at_defence(self.w)
        round_ = assigned(self.w, case)
        before = set(orphans._walk(default_storage, opinion.OBJECT_PREFIX))
        calls = 0

        def render(**kwargs: Any) -> opinion.RenderedOpinion:
            nonlocal calls
            calls += 1
            if calls == 1:  # the same reviewer, in another tab, answers first
                give_opinion(self.w, round_.pk, "同意（另一窗口）。")
            return real_render(**kwargs)

        with mock.patch.object(opinion, "render", render), pytest.raises(DomainError) as caught:
            give_opinion(self.w, round_.pk, "同意（本窗口）。")
        assert caught.value.code == "conflict"
        round_.refresh_from_db()
        assert round_.opinion == "同意（另一窗口）。"
        assert Entry.objects.filter(case_id=case.pk, event_type="review.opinion").count() == 1
        new = set(orphans._walk(default_storage, opinion.OBJECT_PREFIX)) - before
        assert len(new) == 2 and round_.opinion_pdf.name in new
        [orphan] = new - {round_.opinion_pdf.name}
        assert orphans.sweep_all(grace=timedelta(0)) == [orphan]
        assert round_.opinion_pdf.name and default_storage.exists(round_.opinion_pdf.name)
