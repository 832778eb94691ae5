from datetime import timedelta

import pytest
from django.utils import timezone

from sanxiang.cases.models import Case
from sanxiang.cases.services import transition
from sanxiang.cases.testing import make_matter, open_test_case
from sanxiang.lib.errors import DomainError
from sanxiang.records import queries, services
from sanxiang.records.services import AvRequirementData
from sanxiang.testing import WorldTestCase

from .helpers import PDF, WEBM, staff_client, upload

SCENE = "现场检查全程音像记录"


def line(
    category: str = "inspection",
    stage: str = "investigation",
    level: str = "required",
    matter_id: int | None = None,
) -> AvRequirementData:
    return AvRequirementData(
        category=category,
        stage=stage,
        level=level,
        scene=SCENE,
        valid_from=timezone.localdate() - timedelta(days=30),
        matter_id=matter_id,
    )


class AvGuardTests(WorldTestCase):
    case: Case

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.case = open_test_case(cls.w, procedure="inspection")
        transition(actor=cls.w.officer, case_id=cls.case.pk, target="investigation")

    def leave_inspection(self) -> Case:
        return transition(actor=self.w.officer, case_id=self.case.pk, target="case_review")

    def test_leaving_a_stage_whose_recording_is_required_is_refused_without_one(self):
        services.add_av_requirement(actor=self.w.admin, agency_id=self.w.agency.pk, data=line())
        with pytest.raises(DomainError) as err:
            self.leave_inspection()
        assert err.value.code == "av_record_required"
        assert "现场检查" in err.value.message
        assert SCENE in err.value.message

    def test_a_document_is_not_an_audio_video_record(self):
        services.add_av_requirement(actor=self.w.admin, agency_id=self.w.agency.pk, data=line())
        upload(self.w.officer, self.case, PDF)
        with pytest.raises(DomainError):
            self.leave_inspection()

    def test_a_video_of_that_stage_lets_the_case_move_on(self):
        services.add_av_requirement(actor=self.w.admin, agency_id=self.w.agency.pk, data=line())
        upload(self.w.officer, self.case, WEBM, media_kind="video", evidence_type="audiovisual")
        assert self.leave_inspection().stage == "case_review"

    def test_an_optional_line_does_not_block(self):
        services.add_av_requirement(
            actor=self.w.admin, agency_id=self.w.agency.pk, data=line(level="optional")
        )
        assert self.leave_inspection().stage == "case_review"

    def test_a_retired_line_no_longer_blocks(self):
        added = services.add_av_requirement(
            actor=self.w.admin, agency_id=self.w.agency.pk, data=line()
        )
        services.retire_av_requirement(
            actor=self.w.admin, line_id=added.pk, valid_to=timezone.localdate()
        )
        assert self.leave_inspection().stage == "case_review"

    def test_a_line_for_another_matter_does_not_apply(self):
        other = make_matter(self.w.agency, "inspection", code="T-other")
        services.add_av_requirement(
            actor=self.w.admin, agency_id=self.w.agency.pk, data=line(matter_id=other.pk)
        )
        assert self.leave_inspection().stage == "case_review"

    def test_a_line_for_this_matter_applies(self):
        services.add_av_requirement(
            actor=self.w.admin,
            agency_id=self.w.agency.pk,
            data=line(category="penalty", matter_id=self.case.matter_id),
        )
        with pytest.raises(DomainError):
            self.leave_inspection()

    def test_another_agencys_list_does_not_apply(self):
        services.add_av_requirement(actor=None, agency_id=self.w.other_agency.pk, data=line())
        assert self.leave_inspection().stage == "case_review"


class AvListTests(WorldTestCase):
    def test_only_an_administrator_edits_the_list(self):
        with pytest.raises(DomainError) as err:
            services.add_av_requirement(
                actor=self.w.officer, agency_id=self.w.agency.pk, data=line()
            )
        assert err.value.code == "forbidden"

    def test_an_administrator_cannot_edit_another_agencys_list(self):
        with pytest.raises(DomainError) as err:
            services.add_av_requirement(
                actor=self.w.admin, agency_id=self.w.other_agency.pk, data=line()
            )
        assert err.value.code == "not_found"

    def test_a_line_needs_its_scene_and_a_known_level(self):
        bad = AvRequirementData(
            category="inspection",
            stage="investigation",
            level="must",
            scene="x",
            valid_from=timezone.localdate(),
        )
        with pytest.raises(DomainError):
            services.add_av_requirement(actor=self.w.admin, agency_id=self.w.agency.pk, data=bad)

    def test_the_portal_query_lists_lines_in_force(self):
        services.add_av_requirement(actor=self.w.admin, agency_id=self.w.agency.pk, data=line())
        assert [x.scene for x in queries.av_list(self.w.agency)] == [SCENE]
        assert list(queries.av_list(self.w.other_agency)) == []

    def test_the_edit_page_adds_a_line_for_the_administrator(self):
        client = staff_client(self.w.admin)
        response = client.post(
            "/records/av-list/",
            {
                "category": "penalty",
                "stage": "hearing",
                "level": "required",
                "scene": "听证会全过程录音录像",
                "valid_from": timezone.localdate().isoformat(),
            },
        )
        assert response.status_code == 302
        page = client.get("/records/av-list/").content.decode()
        assert "听证会全过程录音录像" in page
        assert '听证 <code class="small">hearing</code>' in page

    def test_an_officer_reads_the_list_but_cannot_post_to_it(self):
        client = staff_client(self.w.officer)
        assert client.get("/records/av-list/").status_code == 200
        response = client.post("/records/av-list/", {"category": "penalty"})
        assert response.status_code == 403


class CasePanelTests(WorldTestCase):
    def test_the_case_page_shows_the_records_panel_and_the_required_recording(self):
        case = open_test_case(self.w, procedure="inspection")
        transition(actor=self.w.officer, case_id=case.pk, target="investigation")
        services.add_av_requirement(actor=self.w.admin, agency_id=self.w.agency.pk, data=line())
        page = staff_client(self.w.officer).get(f"/cases/{case.pk}/").content.decode()
        assert "证据与音像记录" in page
        assert SCENE in page
        assert f"/records/case/{case.pk}/" in page
