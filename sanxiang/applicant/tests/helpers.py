"""A penalty case with two parties (a company and a person) at a chosen stage."""

from __future__ import annotations

from typing import Any

from sanxiang.cases.models import Case, Party
from sanxiang.cases.services import DraftData, save_draft
from sanxiang.cases.testing import company, open_test_case, person

from ..services import create_link


def two_party_case(world: Any, stage: str = "investigation") -> Case:
    case = open_test_case(
        world, parties=[company(), person("王小明")], title="某公司违规组织宗教活动"
    )
    # The intended penalty with the provision violated and the one applied: a 事先告知书 is
    # refused without them (行政处罚法 第44条; documents.services).
    save_draft(
        actor=world.officer,
        case_id=case.pk,
        data=DraftData(
            kind="warning",
            violated_provision="《宗教事务条例》第四十一条",
            legal_basis="《宗教事务条例》第七十一条",
        ),
    )
    Case.objects.filter(pk=case.pk).update(stage=stage)  # test data: placed at a stage
    return Case.objects.get(pk=case.pk)


def company_of(case: Case) -> Party:
    return case.parties.get(kind="organisation")


def person_of(case: Case) -> Party:
    return case.parties.get(kind="natural")


def link_for(world: Any, case: Case, party: Party, **kwargs: Any) -> str:
    return create_link(actor=world.officer, case_id=case.pk, party_id=party.pk, **kwargs).token


# ------------------------------------------------------------------ 网上受理 (intake)

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n" + b"0" * 200
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
MATERIALS = "1. 申请书（原件1份，可下载示范文本）；\n2. 登记证书复印件（1份）；"


def online_matter(world: Any, *, online: bool = True) -> Any:
    """A 许可 matter of the world's agency whose 服务指南 takes online applications."""
    from sanxiang.cases.testing import make_matter
    from sanxiang.catalog.models import MatterVersion

    matter = make_matter(world.agency, "licence", code="XK-T" + ("" if online else "0"))
    MatterVersion.objects.filter(matter=matter).update(
        materials=MATERIALS, online_application=online, acceptance_body="测试区民族和宗教事务局"
    )
    return matter


def organisation_form(**overrides: Any) -> dict[str, str]:
    from sanxiang.cases.testing import org_credit_code

    data = {
        "kind": "organisation",
        "name": "测试区某某寺",
        "credit_code": org_credit_code(31),
        "legal_representative": "释某某",
        "phone": "0427-2800099",
        "address": "测试区某某路1号",
        "request": "申请宗教活动场所登记。",
    }
    return data | overrides


def upload_file(client: Any, token: str, item: str, data: bytes, name: str = "a.pdf") -> Any:
    import io

    from django.urls import reverse

    handle = io.BytesIO(data)
    handle.name = name
    return client.post(
        reverse("applicant_intake:upload", args=[token]), {"item": item, "file": handle}
    )


def start_draft(client: Any, matter: Any, **overrides: Any) -> str:
    """Start a draft from the client's browser; the draft token from the redirect."""
    from django.urls import reverse

    answer = client.post(
        reverse("applicant_intake:start", args=[matter.pk]), organisation_form(**overrides)
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    return str(answer["Location"]).rstrip("/").split("/")[-1]


def submitted(client: Any, matter: Any, **overrides: Any) -> tuple[Any, str]:
    """A complete application submitted: (the answer, the party-link token)."""
    import re

    from django.urls import reverse

    token = start_draft(client, matter, **overrides)
    for item in ("申请书", "登记证书复印件"):
        assert upload_file(client, token, item, PDF).status_code == 302
    answer = client.post(reverse("applicant_intake:submit", args=[token]))
    assert answer.status_code == 201, answer.content.decode()[:3000]
    found = re.search(r"/gongshi/jindu/l/([A-Za-z0-9_\-]+)/", answer.content.decode())
    assert found is not None
    return answer, found.group(1)


def granted(world: Any, case_id: int) -> Any:
    """A licence case taken from 受理 to the decision 准予行政许可, its 决定书 issued."""
    from sanxiang.cases.services import DraftData, save_draft
    from sanxiang.documents.services import issue_document
    from sanxiang.documents.testing import take_step
    from sanxiang.licensing.testing import record_terms

    take_step(world.head, case_id, "examination")
    record_terms(world.head, case_id)
    save_draft(
        actor=world.head,
        case_id=case_id,
        data=DraftData(kind="licence_grant", legal_basis="《宗教事务条例》第二十二条"),
    )
    take_step(world.head, case_id, "decision")
    return issue_document(actor=world.head, case_id=case_id, kind="licence_grant")
