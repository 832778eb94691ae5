"""Supervisor access by role (issue 14 item 2): the 司法局 opens any record of the agencies it
supervises without the head's approval, each opening with its purpose in the access log and
the ledger; the head-approval path stays for everyone else."""

from __future__ import annotations

from sanxiang.cases.testing import open_test_case
from sanxiang.ledger.models import Entry
from sanxiang.records.models import Access, AccessRequest
from sanxiang.records.tests.helpers import PDF, upload
from sanxiang.testing import WorldTestCase, signed_in


class SupervisorOpensRecordsTest(WorldTestCase):
    def test_the_page_asks_the_supervisor_for_a_purpose_and_logs_the_opening(self) -> None:
        case = open_test_case(self.w)
        record = upload(self.w.officer, case, PDF, label="personal_privacy", title="病历")
        client = signed_in(self.w.supervisor)
        page = client.get(f"/records/{record.pk}/").content.decode()
        assert "执法监督调阅" in page and "监督目的" in page
        assert not Access.objects.exists()  # looking at the page opened nothing
        opened = client.post(f"/records/{record.pk}/", {"reason": "案卷评查抽查"})
        body = opened.content.decode()
        assert "本次查看已记入全过程记录账本" in body and "病历" in body
        access = Access.objects.get()
        assert (access.actor_id, access.reason) == (self.w.supervisor.pk, "案卷评查抽查")
        entry = Entry.objects.get(pk=access.ledger_entry_id)
        assert entry.event_type == "record.accessed" and '"supervision":true' in entry.payload
        assert not AccessRequest.objects.exists()

    def test_without_a_purpose_nothing_is_opened(self) -> None:
        case = open_test_case(self.w)
        record = upload(self.w.officer, case, PDF)
        response = signed_in(self.w.supervisor).post(f"/records/{record.pk}/", {"reason": ""})
        assert "监督目的" in response.content.decode()
        assert not Access.objects.exists()
