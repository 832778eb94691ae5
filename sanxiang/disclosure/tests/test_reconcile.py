"""verify_ledger's state check covers the portal (issue 9, item 3): a publication changed in
the database behind the application, its content or its withdrawal, is named (table, row,
field, ledger seq) and the exit code is 1. Run on SQLite and on PostgreSQL."""

from __future__ import annotations

from django.db import connection, transaction

from sanxiang.disclosure import services
from sanxiang.disclosure.models import Publication
from sanxiang.ledger import services as ledger
from sanxiang.ledger.models import Entry
from sanxiang.ledger.tests.test_tampering import run_verify_ledger

from .helpers import DisclosureTestCase, published, queued


def raw(sql: str, params: list | None = None) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params or [])


class PublicationStateCheck(DisclosureTestCase):
    def verify(self) -> tuple[int, str]:
        ledger.make_checkpoint()
        return run_verify_ledger()

    def seq_of(self, event_type: str, item: Publication) -> int:
        entry = Entry.objects.filter(event_type=event_type, case_id=item.case_id).last()
        assert entry is not None and entry.seq is not None
        return entry.seq

    def withdrawn(self) -> Publication:
        item = published(self.w)
        return services.withdraw(
            actor=self.w.head, publication_id=item.pk, reason_kind="revoked", reason="复议撤销"
        )

    def test_publications_handled_through_the_services_reconcile(self):
        queued(self.w, text="待公示的决定。")
        self.withdrawn()
        published(self.w, text="另一份决定。")
        code, text = self.verify()
        assert code == 0, text

    def test_a_published_text_changed_in_the_database_is_named(self):
        item = published(self.w)
        raw(
            "UPDATE disclosure_publication SET masked_text = '被篡改的正文' WHERE id = %s",
            [item.pk],
        )
        code, text = self.verify()
        assert code == 1, text
        seq = self.seq_of("disclosure.published", item)
        assert f"disclosure_publication #{item.pk} 字段 masked_text（账本序号 {seq}）" in text

    def test_a_changed_amount_and_its_recomputed_hash_are_both_named(self):
        item = published(self.w)
        raw(
            "UPDATE disclosure_publication SET amount = 50, content_sha256 = %s WHERE id = %s",
            ["0" * 64, item.pk],
        )
        code, text = self.verify()
        assert code == 1, text
        assert f"#{item.pk} 字段 amount（" in text
        assert f"#{item.pk} 字段 content_sha256（" in text

    def test_a_withdrawn_decision_put_back_on_the_portal_is_named(self):
        item = self.withdrawn()
        raw(
            "UPDATE disclosure_publication SET status = 'published', withdrawn_at = NULL "
            "WHERE id = %s",
            [item.pk],
        )
        code, text = self.verify()
        assert code == 1, text
        seq = self.seq_of("disclosure.withdrawn", item)
        assert f"disclosure_publication #{item.pk} 字段 status（账本序号 {seq}）" in text
        assert f"#{item.pk} 字段 withdrawn_at（账本序号 {seq}）" in text

    def test_a_decision_hidden_without_a_withdrawal_is_named(self):
        item = published(self.w)
        raw(
            "UPDATE disclosure_publication SET status = 'withdrawn', withdrawn_at = %s, "
            "withdrawal_kind = 'revoked' WHERE id = %s",
            [item.published_at, item.pk],
        )
        code, text = self.verify()
        assert code == 1, text
        seq = self.seq_of("disclosure.published", item)
        assert f"#{item.pk} 字段 status（账本序号 {seq}）" in text
        assert f"#{item.pk} 字段 withdrawn_at（账本无对应条目）" in text

    def test_a_publication_without_a_ledger_entry_is_named(self):
        item = published(self.w)
        Publication.objects.filter(pk=item.pk).update(status="excluded", exclusion_kind="minor")
        raw(
            "INSERT INTO disclosure_publication (agency_id, case_id, status, category, "
            "procedure, doc_number, party, party_is_natural, matter_name, outcome, agency_name, "
            "decided_on, masked_text, source_text, search_text, period_days, created_at, "
            "content_sha256, exclusion_kind, exclusion_reason, withdrawal_kind, "
            "withdrawal_reason, is_demo, published_at) "
            "SELECT agency_id, case_id, 'published', category, "
            "procedure, doc_number, party, party_is_natural, matter_name, outcome, agency_name, "
            "decided_on, '伪造的公示', '', '', period_days, created_at, '', '', '', '', '', "
            "is_demo, published_at FROM disclosure_publication WHERE id = %s",
            [item.pk],
        )
        code, text = self.verify()
        assert code == 1, text
        forged = Publication.objects.exclude(pk=item.pk).get(case_id=item.case_id)
        assert f"disclosure_publication #{forged.pk} 字段 id（账本无对应条目）" in text
