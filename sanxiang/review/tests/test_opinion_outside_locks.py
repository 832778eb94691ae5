"""Issue 9, item 7: the 法制审核意见书 is rendered before the transaction that records it."""

from __future__ import annotations

import json
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


def pdf_words(data: bytes) -> str:
    import subprocess

    done = subprocess.run(
        ["/usr/bin/pdftotext", "-", "-"], input=data, capture_output=True, check=True
    )
    return "".join(done.stdout.decode().split())


class TheOpinionAsADocument(ReviewTestCase):
    def test_the_opinion_has_its_own_number_the_seal_line_and_amounts_written_as_elsewhere(self):
        case = case_at_defence(self.w)
        done = give_opinion(self.w, assigned(self.w, case).pk, "同意。")
        assert done.opinion_pdf.name
        with default_storage.open(done.opinion_pdf.name, "rb") as f:
            text = pdf_words(f.read())
        year = done.reviewed_at.astimezone().year if done.reviewed_at else 0
        assert f"测民宗法审字〔{year}〕第1号" in text
        assert "法制审核机构（盖章）" in text
        assert "罚款人民币150,000.00元（大写：壹拾伍万元整）" in text
        assert "罚款，罚款" not in text
        assert "fine" not in text and "review.opinion" not in text
        entry = Entry.objects.get(case_id=case.pk, event_type="review.opinion")
        assert f'"opinion_number":"测民宗法审字〔{year}〕第1号"' in entry.payload

    def test_a_number_taken_while_rendering_goes_to_the_other_and_this_one_is_rendered_again(self):
        first = assigned(self.w, case_at_defence(self.w))
        second = assigned(self.w, case_at_defence(self.w))
        calls = 0

        def render(**kwargs: Any) -> opinion.RenderedOpinion:
            nonlocal calls
            calls += 1
            if calls == 1:
                give_opinion(self.w, first.pk, "同意（先出具）。")
            return real_render(**kwargs)

        with mock.patch.object(opinion, "render", render):
            done = give_opinion(self.w, second.pk, "同意（后出具）。")
        first.refresh_from_db()
        numbers = [
            json.loads(e.payload)["opinion_number"]
            for e in Entry.objects.filter(event_type="review.opinion").order_by("seq")
        ]
        assert [n.rsplit("〕", 1)[1] for n in numbers] == ["第1号", "第2号"]
        assert calls == 3  # ours, the other's, ours again with the next number
        with default_storage.open(done.opinion_pdf.name or "", "rb") as f:
            assert numbers[1] in pdf_words(f.read())
