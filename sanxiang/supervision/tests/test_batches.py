"""A 评查 batch drawn at random with the 双随机 draw: frozen list, checkpoint seed, certificate
that anyone can redo; bad input refused with nothing written."""

from __future__ import annotations

import copy
import json

from sanxiang.cases.models import Case
from sanxiang.cases.testing import open_test_case
from sanxiang.ledger.models import Entry
from sanxiang.lib import draw
from sanxiang.lib.errors import DomainError
from sanxiang.supervision import batches
from sanxiang.supervision.models import BatchStatus, FileReview, ReviewBatch
from sanxiang.testing import WorldTestCase, a_day, signed_in


class BatchDrawTest(WorldTestCase):
    def setUp(self) -> None:
        # Closed files to draw from (their contents do not matter to the draw).
        self.ids = []
        for n in range(6):
            case = open_test_case(self.w, opened_on=a_day(-60), title=f"已结案件{n}")
            Case.objects.filter(pk=case.pk).update(stage="archived", closed_on=a_day(-5))
            self.ids.append(case.pk)

    def test_the_list_is_frozen_and_ledgered_before_the_seed_exists(self) -> None:
        batch = batches.freeze_batch(actor=self.w.supervisor, name="2026年第四季度", count=3)
        assert batch.status == BatchStatus.PENDING and not batch.seed
        entry = Entry.objects.get(pk=batch.seed_entry_id)
        assert entry.event_type == "supervision.review_batch_frozen"
        assert json.loads(entry.payload)["input_sha256"] == batch.input_sha256
        document = json.loads(batch.frozen_input)
        assert [int(c["id"]) for c in document["candidates"]] == sorted(self.ids)

    def test_the_draw_follows_the_checkpoint_seed_and_scores_the_drawn_files(self) -> None:
        frozen = batches.freeze_batch(actor=self.w.supervisor, name="第一批", count=3)
        batch = batches.draw_batch(actor=self.w.supervisor, batch_id=frozen.pk)
        assert batch.status == BatchStatus.DRAWN and len(batch.drawn) == 3
        assert batch.checkpoint is not None
        entry = Entry.objects.get(pk=batch.seed_entry_id)
        assert entry.seq is not None and batch.checkpoint.tree_size > entry.seq
        # Recomputed here from the lib alone: seed = SHA-256(input hash ‖ root), then sample.
        seed = draw.seed_from(
            input_sha256=batch.input_sha256, checkpoint_root=batch.checkpoint.root_hash
        )
        assert batch.seed == seed.hex()
        ids = sorted((str(i) for i in self.ids), key=int)
        assert batch.drawn == draw.sample(ids, 3, draw.Generator(seed))
        reviewed = set(FileReview.objects.filter(batch="第一批").values_list("case_id", flat=True))
        assert reviewed == {int(i) for i in batch.drawn}
        # Drawing again changes nothing (no second draw, no second score).
        again = batches.draw_batch(actor=self.w.supervisor, batch_id=frozen.pk)
        assert again.drawn == batch.drawn and FileReview.objects.count() == 3

    def test_the_certificate_verifies_and_a_changed_list_or_result_does_not(self) -> None:
        frozen = batches.freeze_batch(actor=self.w.supervisor, name="证书", count=2)
        batch = batches.draw_batch(actor=self.w.supervisor, batch_id=frozen.pk)
        cert = json.loads(json.dumps(batches.certificate(batch)))
        assert batches.verify_certificate(cert) == []
        changed = copy.deepcopy(cert)
        changed["input"]["candidates"].pop()
        assert any("摘要" in p for p in batches.verify_certificate(changed))
        swapped = copy.deepcopy(cert)
        outside = next(str(i) for i in self.ids if str(i) not in cert["drawn"])
        swapped["drawn"][0] = outside
        assert any("结果不同" in p for p in batches.verify_certificate(swapped))
        forged = copy.deepcopy(cert)
        forged["seed_source"]["checkpoint"]["root_hash"] = "00" * 32
        problems = batches.verify_certificate(forged)
        assert any("检查点" in p for p in problems) and any("种子" in p for p in problems)

    def test_the_stored_list_changed_after_the_freeze_is_refused(self) -> None:
        frozen = batches.freeze_batch(actor=self.w.supervisor, name="篡改", count=2)
        document = json.loads(frozen.frozen_input)
        document["candidates"] = document["candidates"][:2]  # steer the draw to two files
        ReviewBatch.objects.filter(pk=frozen.pk).update(frozen_input=json.dumps(document))
        with self.assertRaises(DomainError) as caught:
            batches.draw_batch(actor=self.w.supervisor, batch_id=frozen.pk)
        assert caught.exception.code == "draw_input_changed"
        assert not FileReview.objects.exists()

    def test_bad_batches_are_refused_with_nothing_written(self) -> None:
        for kwargs, code in (
            ({"name": "多", "count": 7}, "validation_error"),
            ({"name": "零", "count": 0}, "validation_error"),
            ({"name": " ", "count": 1}, "validation_error"),
        ):
            with self.assertRaises(DomainError) as caught:
                batches.freeze_batch(actor=self.w.supervisor, **kwargs)  # type: ignore[arg-type]
            assert caught.exception.code == code, kwargs
        with self.assertRaises(DomainError) as caught:
            batches.freeze_batch(actor=self.w.officer, name="越权", count=1)
        assert caught.exception.code == "forbidden"
        assert not ReviewBatch.objects.exists()
        assert not Entry.objects.filter(event_type="supervision.review_batch_frozen").exists()

    def test_another_bureau_cannot_draw_or_read_the_batch(self) -> None:
        from sanxiang.supervision.tests.test_cockpit import second_district

        frozen = batches.freeze_batch(actor=self.w.supervisor, name="他区", count=1)
        _, stranger = second_district()
        with self.assertRaises(DomainError) as caught:
            batches.draw_batch(actor=stranger, batch_id=frozen.pk)
        assert caught.exception.code == "not_found"
        url = f"/supervision/batches/{frozen.pk}/certificate.json"
        assert signed_in(stranger).get(url).status_code == 404

    def test_the_page_draws_a_batch_and_offers_its_certificate(self) -> None:
        client = signed_in(self.w.supervisor)
        response = client.post("/supervision/reviews/", {"count": "2", "batch": "页面批次"})
        assert response.status_code == 302
        batch = ReviewBatch.objects.get(name="页面批次")
        page = client.get("/supervision/reviews/").content.decode()
        assert "抽取证书 JSON" in page and batch.input_sha256[:16] in page
        cert = client.get(f"/supervision/batches/{batch.pk}/certificate.json").json()
        assert batches.verify_certificate(cert) == []
        pending = batches.freeze_batch(actor=self.w.supervisor, name="待抽", count=1)
        assert "抽取</button>" in client.get("/supervision/reviews/").content.decode()
        client.post("/supervision/reviews/", {"action": "draw", "batch_id": str(pending.pk)})
        pending.refresh_from_db()
        assert pending.status == BatchStatus.DRAWN and len(pending.drawn) == 1
        bad = client.post("/supervision/reviews/", {"count": "两份", "batch": "坏"})
        assert bad.status_code == 422 and "正整数" in bad.content.decode()
