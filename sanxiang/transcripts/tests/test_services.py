"""A structured 笔录 from draft to seal through the services, and every way it is refused.

Rendering is a stand-in PDF here (``QuickDocumentsTestCase``); ``test_rendering`` renders for
real. Each refusal says why in Chinese with a stable code, and writes nothing.
"""

from __future__ import annotations

from datetime import date

from django.db import connection, transaction
from django.db.utils import DatabaseError

from sanxiang.cases.models import Case
from sanxiang.cases.services import remove_party
from sanxiang.cases.testing import open_test_case, person
from sanxiang.documents.guards import missing
from sanxiang.documents.models import IssuedDocument
from sanxiang.documents.tests.helpers import QuickDocumentsTestCase
from sanxiang.ledger import reconcile
from sanxiang.ledger import services as ledger
from sanxiang.ledger.models import Entry
from sanxiang.ledger.tests.test_tampering import run_verify_ledger
from sanxiang.lib.errors import DomainError
from sanxiang.procedures.definitions import Needs
from sanxiang.transcripts import services, triggers
from sanxiang.transcripts.models import Participant, Role, Status, Transcript
from sanxiang.transcripts.services import Person

from .helpers import inquiry, people, png, sign_all

NEED = (Needs(kinds=("inquiry_record",), basis="行政处罚法 第55条"),)


def raw(sql: str, params: list | None = None) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params or [])


class TranscriptTestCase(QuickDocumentsTestCase):
    case: Case

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.case = open_test_case(cls.w, parties=[person("张某")])

    def draft(self, **changes) -> Transcript:
        return services.create_transcript(
            actor=self.w.officer, case_id=self.case.pk, data=inquiry(self.w, self.case, **changes)
        )

    def sealed(self) -> Transcript:
        t = self.draft()
        sign_all(self.w, t)
        return services.seal(actor=self.w.officer, transcript_id=t.pk)

    def refused(self, code: str, fn, **kwargs) -> DomainError:
        with self.assertRaises(DomainError) as caught:
            fn(**kwargs)
        self.assertEqual(caught.exception.code, code, caught.exception.message)
        return caught.exception


class DraftingAndSealing(TranscriptTestCase):
    def test_an_inquiry_is_drafted_with_the_party_the_officers_and_their_certificates(self):
        t = self.draft()
        found = people(t)
        self.assertEqual(found["interviewee"].name, "张某")
        self.assertEqual(found["interviewee"].party_id, self.case.parties.get().pk)
        self.assertEqual(found["officer"].id_number, "T0001")
        self.assertEqual(found["officer2"].id_number, "T0002")
        self.assertEqual(t.questions[0]["q"], "请介绍你的身份。")
        self.assertEqual(t.status, Status.DRAFT)
        self.assertTrue(
            Entry.objects.filter(event_type="transcript.created", case_id=self.case.pk).exists()
        )

    def test_editing_a_draft_clears_the_signatures_given_to_the_old_text(self):
        t = self.draft()
        services.sign(
            actor=self.w.officer,
            transcript_id=t.pk,
            participant_id=people(t)["interviewee"].pk,
            png=png(),
        )
        data = inquiry(self.w, self.case, questions=[("改过的问题？", "改过的回答。")])
        t = services.update_transcript(actor=self.w.officer, transcript_id=t.pk, data=data)
        self.assertEqual(t.version, 2)
        self.assertFalse(t.participants.exclude(signature_sha256="").exists())
        entry = Entry.objects.filter(event_type="transcript.updated").get()
        self.assertIn('"signatures_cleared":1', entry.payload)

    def test_when_everyone_signed_the_record_is_sealed_and_issued_as_its_document(self):
        self.assertTrue(missing(self.case.pk, NEED))
        t = self.sealed()
        self.assertEqual(t.status, Status.SEALED)
        doc = IssuedDocument.objects.get(transcript=t)
        self.assertEqual((doc.kind, doc.title), ("inquiry_record", "询问笔录"))
        # 3. the step guard counts the sealed 笔录 as the issued document of its kind
        self.assertEqual(missing(self.case.pk, NEED), [])
        sealed = Entry.objects.get(event_type="transcript.sealed")
        self.assertIn(t.sealed_sha256, sealed.payload)
        for p in t.participants.all():
            self.assertIn(p.signature_sha256, sealed.payload)
        code, text = run_verify_ledger_after_checkpoint()
        self.assertEqual(code, 0, text)

    def test_each_signature_is_ledgered_with_its_hash_and_kept_in_the_evidence_store(self):
        t = self.draft()
        p = people(t)["interviewee"]
        services.sign(actor=self.w.officer, transcript_id=t.pk, participant_id=p.pk, png=png())
        p.refresh_from_db()
        self.assertTrue(p.signature_name.startswith(f"sha256/{p.signature_sha256[:2]}/"))
        entry = Entry.objects.get(event_type="transcript.signed")
        self.assertIn(p.signature_sha256, entry.payload)

    def test_a_refusal_before_a_witness_who_signs_lets_the_record_be_sealed(self):
        t = self.draft()
        found = people(t)
        services.refuse(
            actor=self.w.officer,
            transcript_id=t.pk,
            participant_id=found["interviewee"].pk,
            witness_id=found["witness"].pk,
        )
        sign_all(self.w, t, skip=("interviewee",))
        t = services.seal(actor=self.w.officer, transcript_id=t.pk)
        self.assertEqual(t.status, Status.SEALED)
        self.assertIn('"refused":true', Entry.objects.get(event_type="transcript.sealed").payload)


class Refusals(TranscriptTestCase):
    def test_a_party_a_draft_names_is_not_removed_and_the_refusal_is_a_sentence(self):
        case = open_test_case(self.w, parties=[person("张某"), person("李某", date(1985, 3, 9))])
        services.create_transcript(
            actor=self.w.officer, case_id=case.pk, data=inquiry(self.w, case)
        )
        named = case.parties.get(name="张某")
        error = self.refused("conflict", remove_party, actor=self.w.officer, party_id=named.pk)
        assert "已被笔录等材料记载" in error.message
        assert case.parties.count() == 2
        assert not Entry.objects.filter(case_id=case.pk, event_type="case.party_removed").exists()

    def test_sealing_with_a_person_unsigned_is_refused_and_nothing_is_issued(self):
        t = self.draft()
        sign_all(self.w, t, skip=("witness",))
        error = self.refused(
            "record_unsigned", services.seal, actor=self.w.officer, transcript_id=t.pk
        )
        self.assertIn("王见证尚未签名", error.message)
        self.assertFalse(IssuedDocument.objects.filter(case=self.case).exists())
        self.assertEqual(Transcript.objects.get(pk=t.pk).status, Status.DRAFT)

    def test_a_refusal_without_a_witness_is_refused(self):
        t = self.draft(witness=False)
        p = people(t)["interviewee"]
        self.refused(
            "refusal_witness_required",
            services.refuse,
            actor=self.w.officer,
            transcript_id=t.pk,
            participant_id=p.pk,
            witness_id=None,
        )
        # naming an officer, or the person themself, as the witness is no witness either
        for other in (people(t)["officer"].pk, p.pk):
            self.refused(
                "refusal_witness_required",
                services.refuse,
                actor=self.w.officer,
                transcript_id=t.pk,
                participant_id=p.pk,
                witness_id=other,
            )
        self.assertFalse(Participant.objects.filter(refused=True).exists())

    def test_a_refused_person_whose_witness_has_not_signed_blocks_the_seal(self):
        t = self.draft()
        found = people(t)
        services.refuse(
            actor=self.w.officer,
            transcript_id=t.pk,
            participant_id=found["interviewee"].pk,
            witness_id=found["witness"].pk,
        )
        sign_all(self.w, t, skip=("interviewee", "witness"))
        error = self.refused(
            "record_unsigned", services.seal, actor=self.w.officer, transcript_id=t.pk
        )
        self.assertIn("见证人尚未签名", error.message)

    def test_a_signature_that_is_not_a_real_non_blank_png_is_refused(self):
        t = self.draft()
        p = people(t)["interviewee"]
        good = png()
        for bad in (
            b"",
            b"GIF89a\x01\x00\x01\x00",
            b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,
            good[: len(good) // 2],
            png(blank=True),
            png(size=(5000, 10)),
            b"\x89PNG\r\n\x1a\n" + b"x" * (600 * 1024),
        ):
            error = self.refused(
                "signature_invalid_image",
                services.sign,
                actor=self.w.officer,
                transcript_id=t.pk,
                participant_id=p.pk,
                png=bad,
            )
            self.assertRegex(error.message, "签名")
        self.assertFalse(Participant.objects.exclude(signature_sha256="").exists())
        self.assertFalse(Entry.objects.filter(event_type="transcript.signed").exists())

    def test_an_officer_of_another_agency_can_neither_see_nor_sign(self):
        t = self.draft()
        p = people(t)["interviewee"]
        self.refused(
            "not_found",
            services.sign,
            actor=self.w.other_officer,
            transcript_id=t.pk,
            participant_id=p.pk,
            png=png(),
        )
        self.refused("not_found", services.seal, actor=self.w.other_officer, transcript_id=t.pk)
        self.refused(
            "forbidden",
            services.sign,
            actor=self.w.supervisor,
            transcript_id=t.pk,
            participant_id=p.pk,
            png=png(),
        )
        self.refused(
            "forbidden",
            services.sign,
            actor=self.w.reviewer,
            transcript_id=t.pk,
            participant_id=p.pk,
            png=png(),
        )

    def test_a_person_of_another_transcript_cannot_be_signed_here(self):
        t, other = self.draft(), self.draft()
        self.refused(
            "not_found",
            services.sign,
            actor=self.w.officer,
            transcript_id=t.pk,
            participant_id=people(other)["interviewee"].pk,
            png=png(),
        )

    def test_the_draft_is_refused_with_too_few_officers_or_people_off_the_team(self):
        self.refused(
            "validation_error",
            self.draft,
            officer_ids=[self.w.officer.officer.pk],
            recorder_id=self.w.officer.officer.pk,
        )
        self.refused(
            "validation_error",
            self.draft,
            officer_ids=[self.w.officer.officer.pk, self.w.head.officer.pk],
        )
        self.refused("validation_error", self.draft, recorder_id=self.w.head.officer.pk)
        self.refused("validation_error", self.draft, questions=[])
        self.refused("validation_error", self.draft, place=" ")
        self.assertFalse(Transcript.objects.exists())

    def test_a_party_of_another_case_or_an_impossible_id_number_is_refused(self):
        other = open_test_case(self.w, parties=[person("李某")])
        self.refused(
            "validation_error",
            self.draft,
            persons=[Person(role=Role.INTERVIEWEE, party_id=other.parties.get().pk)],
        )
        self.refused(
            "validation_error",
            self.draft,
            persons=[Person(role=Role.INTERVIEWEE, name="赵某", id_number="110101199001011230")],
        )
        self.assertFalse(Transcript.objects.exists())


class SealedIsImmutable(TranscriptTestCase):
    def test_a_sealed_record_is_refused_every_change_with_record_signed(self):
        t = self.sealed()
        p = people(t)["interviewee"]
        self.refused(
            "record_signed",
            services.update_transcript,
            actor=self.w.officer,
            transcript_id=t.pk,
            data=inquiry(self.w, self.case),
        )
        self.refused("record_signed", services.seal, actor=self.w.officer, transcript_id=t.pk)
        self.refused(
            "record_signed",
            services.refuse,
            actor=self.w.officer,
            transcript_id=t.pk,
            participant_id=p.pk,
            witness_id=None,
        )
        self.refused(
            "record_signed",
            services.sign,
            actor=self.w.officer,
            transcript_id=t.pk,
            participant_id=p.pk,
            png=png(),
        )
        with self.assertRaises(RuntimeError):
            Transcript.objects.get(pk=t.pk).save()

    def test_the_database_refuses_an_update_or_delete_of_a_sealed_record_and_its_people(self):
        t = self.sealed()
        p = people(t)["interviewee"]
        for sql in (
            f"UPDATE transcripts_transcript SET place = 'x' WHERE id = {t.pk}",  # noqa: S608
            f"DELETE FROM transcripts_transcript WHERE id = {t.pk}",  # noqa: S608
            f"UPDATE transcripts_participant SET name = '李四' WHERE id = {p.pk}",  # noqa: S608
            f"DELETE FROM transcripts_participant WHERE id = {p.pk}",  # noqa: S608
        ):
            with self.subTest(sql=sql), self.assertRaises(DatabaseError):
                raw(sql)
        self.assertEqual(Participant.objects.get(pk=p.pk).name, "张某")

    def test_an_answer_changed_with_the_triggers_dropped_is_named_by_verify_ledger(self):
        t = self.sealed()
        drop_and_run(f"UPDATE transcripts_transcript SET questions = '[]' WHERE id = {t.pk}")  # noqa: S608
        code, text = run_verify_ledger_after_checkpoint()
        self.assertEqual(code, 1, text)
        self.assertIn(f"transcripts_transcript #{t.pk} 字段 sealed_sha256", text)

    def test_a_signature_swapped_with_the_triggers_dropped_is_named_by_verify_ledger(self):
        t = self.sealed()
        found = people(t)
        witness = found["witness"]
        drop_and_run(
            "UPDATE transcripts_participant SET signature_sha256 = %s, signature_name = %s "
            "WHERE id = %s",
            [witness.signature_sha256, witness.signature_name, found["interviewee"].pk],
        )
        code, text = run_verify_ledger_after_checkpoint()
        self.assertEqual(code, 1, text)
        self.assertIn("已封存笔录的内容或签名与账本记载的摘要不符", text)

    def test_a_dropped_trigger_is_named(self):
        self.assertEqual([d for d in reconcile.check_triggers() if "transcript" in d.table], [])
        with connection.cursor() as cursor:
            cursor.execute(triggers.DROP[connection.vendor][0])
        found = [d.line() for d in reconcile.check_triggers()]
        self.assertTrue(any("transcript" in line for line in found), found)


def drop_and_run(sql: str, params: list | None = None) -> None:
    """A careful DBA: drop the guards, edit, put them back."""
    with connection.cursor() as cursor:
        for statement in triggers.DROP[connection.vendor]:
            cursor.execute(statement)
        cursor.execute(sql, params or [])
        for statement in triggers.install(connection.vendor):
            cursor.execute(statement)


def run_verify_ledger_after_checkpoint() -> tuple[int, str]:
    ledger.make_checkpoint()
    return run_verify_ledger()
