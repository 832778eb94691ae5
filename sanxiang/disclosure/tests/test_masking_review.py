"""保密审查 before publishing: the preview lists every mask and why; staff add or lift one
with a recorded reason; the published text is what the preview showed (issue 12, item 4)."""

from __future__ import annotations

import json

from sanxiang.cases.testing import company
from sanxiang.disclosure import services
from sanxiang.disclosure.models import MaskOverride, Publication
from sanxiang.ledger.models import Entry
from sanxiang.lib.errors import DomainError, ValidationFailed
from sanxiang.testing import signed_in

from .helpers import DisclosureTestCase, decided_case, queued

TEXT = (
    "当事人张三，男，回族，1980年5月17日出生，住辽宁省盘锦市兴隆台区幸福小区3号楼2单元501室，"
    "微信号zhangsan_88，电话2821234。经查，当事人驾驶辽K·12345号车辆运送非法宗教出版物，"
    "证人王五证实，其子张小明（未成年）在场。陪同人员孙丽到场。罚款人民币5000.00元。"
)


def item_with(world, text=TEXT, parties=None) -> Publication:
    """A queued item whose text is its issued 决定书's (the 保密审查 works on that text)."""
    case = decided_case(world, text=text, parties=parties)
    item = Publication.objects.get(case=case)
    return services.take_issued_text(actor=world.officer, publication_id=item.pk)


class TheMaskingReview(DisclosureTestCase):
    def test_the_queued_text_masks_every_kind_of_personal_data(self):
        masked = item_with(self.w).masked_text
        for secret in (
            "回族",
            "1980",
            "幸福小区",
            "zhangsan",
            "2821234",
            "12345",
            "王五",
            "张小明",
        ):
            assert secret not in masked, secret
        assert "证人王某" in masked and "其子某某" in masked and "5000.00元" in masked

    def test_an_organisations_name_and_the_agencys_phone_stay(self):
        org = company("盘锦王五商贸有限公司")
        type(self.w.agency).objects.filter(pk=self.w.agency.pk).update(phone="0427-2821234")
        self.w.agency.phone = "0427-2821234"
        text = "当事人盘锦王五商贸有限公司，员工王五称，本机关电话0427-2821234。"
        masked = item_with(self.w, text=text, parties=[org]).masked_text
        assert "盘锦王五商贸有限公司" in masked and "员工王某" in masked
        assert "0427-2821234" in masked

    def test_the_preview_lists_each_mask_with_its_reason(self):
        item = item_with(self.w)
        page = signed_in(self.w.officer).get(f"/disclosure/{item.pk}/").content.decode()
        assert 'id="mask-spans"' in page
        for why in (
            "民族（敏感个人信息）",
            "出生日期",
            "住址",
            "机动车号牌",
            "证人姓名（按称谓识别）",
        ):
            assert why in page, why
        assert "未成年人姓名不得解除" in page

    def test_staff_add_a_mask_for_a_person_known_to_the_case_with_a_ledger_entry(self):
        item = item_with(self.w)
        assert "孙丽" in item.masked_text  # 陪同人员 is no role word the rules know
        services.add_mask(
            actor=self.w.officer,
            publication_id=item.pk,
            phrase="孙丽",
            as_name=True,
            reason="当事人的陪同人员",
        )
        item.refresh_from_db()
        assert "孙丽" not in item.masked_text and "陪同人员孙某到场" in item.masked_text
        entry = Entry.objects.filter(event_type="disclosure.mask_added").last()
        assert entry is not None and "孙丽" not in entry.payload
        assert json.loads(entry.payload)["reason"] == "当事人的陪同人员"

    def test_staff_lift_a_plate_with_a_reason_and_the_published_text_shows_it(self):
        item = item_with(self.w)
        start = item.source_text.index("辽K·12345")
        services.lift_mask(
            actor=self.w.officer,
            publication_id=item.pk,
            start=start,
            end=start + len("辽K·12345"),
            reason="单位公务车辆，号牌依法可公开",
        )
        item.refresh_from_db()
        assert "辽K·12345" in item.masked_text
        assert MaskOverride.objects.filter(publication=item, action="lift").count() == 1
        assert Entry.objects.filter(event_type="disclosure.mask_lifted").exists()
        published = services.publish(actor=self.w.head, publication_id=item.pk)
        assert "辽K·12345" in published.masked_text and "王五" not in published.masked_text

    def test_a_minors_name_cannot_be_lifted(self):
        item = item_with(self.w)
        start = item.source_text.index("张小明")
        try:
            services.lift_mask(
                actor=self.w.officer,
                publication_id=item.pk,
                start=start,
                end=start + 3,
                reason="家属同意",
            )
        except DomainError as error:
            assert "未成年人" in error.message
        else:
            raise AssertionError("a minor's name was unmasked")

    def test_a_lift_or_add_without_reason_or_outside_the_text_is_refused(self):
        item = item_with(self.w)
        for call in (
            lambda: services.add_mask(
                actor=self.w.officer, publication_id=item.pk, phrase="到场", reason=" "
            ),
            lambda: services.add_mask(
                actor=self.w.officer, publication_id=item.pk, phrase="不在原文中", reason="x"
            ),
            lambda: services.lift_mask(
                actor=self.w.officer, publication_id=item.pk, start=0, end=2, reason="x"
            ),
        ):
            try:
                call()
            except ValidationFailed:
                continue
            raise AssertionError("accepted")

    def test_masks_cannot_change_after_publication_or_from_another_agency(self):
        item = queued(self.w)
        client = signed_in(self.w.other_officer)
        url = f"/disclosure/{item.pk}/mask/add/"
        assert client.post(url, {"m-phrase": "张三", "m-reason": "x"}).status_code == 404
        services.publish(actor=self.w.head, publication_id=item.pk)
        response = signed_in(self.w.officer).post(url, {"m-phrase": "张三", "m-reason": "x"})
        assert response.status_code == 409

    def test_the_lift_form_posts_through_the_view(self):
        item = item_with(self.w)
        start = item.source_text.index("辽K·12345")
        response = signed_in(self.w.officer).post(
            f"/disclosure/{item.pk}/mask/lift/",
            {"l-start": start, "l-end": start + 8, "l-reason": "单位车辆"},
        )
        assert response.status_code == 302
        assert "辽K·12345" in Publication.objects.get(pk=item.pk).masked_text

    def test_the_preview_shows_the_issued_text_so_a_lift_from_it_is_not_stale(self):
        case = decided_case(self.w, text=TEXT)
        item = Publication.objects.get(case=case)  # queued with the draft's text
        assert "现已调查终结" not in item.source_text
        client = signed_in(self.w.officer)
        page = client.get(f"/disclosure/{item.pk}/").content.decode()
        item.refresh_from_db()
        assert "现已调查终结" in item.source_text  # the issued 决定书's body, as served
        assert "辽K·" in page
        start = item.source_text.index("辽K·12345")
        response = client.post(
            f"/disclosure/{item.pk}/mask/lift/",
            {"l-start": start, "l-end": start + 8, "l-reason": "单位车辆"},
        )
        assert response.status_code == 302
        assert "辽K·12345" in Publication.objects.get(pk=item.pk).masked_text

    def test_a_supervisor_reading_the_preview_changes_nothing(self):
        case = decided_case(self.w, text=TEXT)
        item = Publication.objects.get(case=case)
        before = item.source_text
        assert signed_in(self.w.supervisor).get(f"/disclosure/{item.pk}/").status_code == 200
        assert Publication.objects.get(pk=item.pk).source_text == before
