"""Officer list (2,000 officers) and matters list (1,000 matters) page renders, each as a ratio to
a trivial view (/healthz) served by the same in-process client in the same run (issue 2)."""

from __future__ import annotations

import os
import tempfile
from datetime import date

from common import best_of, django_setup, emit

REPEAT = 30


def main() -> None:
    tmp = tempfile.mkdtemp(prefix="sx-bench-lists-")
    os.environ["SANXIANG_REQUIRE_OTP"] = "0"
    os.environ["SANXIANG_AXES_ENABLED"] = "0"
    django_setup(
        database_url=os.environ.get("SANXIANG_BENCH_DATABASE_URL")
        or f"sqlite:///{tmp}/bench.sqlite3"
    )
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    from sanxiang.accounts.models import Role, User
    from sanxiang.catalog.models import Matter, MatterVersion
    from sanxiang.directory.models import Agency, AgencyLevel, Officer

    agency = Agency.objects.create(name="基准局", level=AgencyLevel.DEPARTMENT)
    Officer.objects.bulk_create(
        Officer(
            agency=agency,
            name=f"人员{n}",
            certificate_no=f"B{n:06d}",
            area="区",
            categories=["penalty"],
            certificate_issued=date(2025, 1, 1),
            certificate_expires=date(2027, 1, 1),
        )
        for n in range(2000)
    )
    matters = Matter.objects.bulk_create(
        Matter(agency=agency, code=f"M{n:05d}") for n in range(1000)
    )
    MatterVersion.objects.bulk_create(
        MatterVersion(
            matter=m,
            number=1,
            valid_from=date(2020, 1, 1),
            category="penalty",
            name=f"事项{m.code}",
            handling_unit="股",
            legal_basis=[{"law": "某条例", "article": "第一条"}],
        )
        for m in matters
    )
    user = User.objects.create(username="bench", role=Role.OFFICER, agency=agency)
    client = Client()
    client.force_login(user)

    def get(url: str) -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    baseline = best_of(REPEAT, lambda: get("/healthz"))
    officers = best_of(REPEAT, lambda: get("/directory/officers/"))
    matters_t = best_of(REPEAT, lambda: get("/catalog/matters/"))
    emit(
        "officer_list_2000",
        value=officers * 1000,
        unit="ms",
        ratio=baseline / officers,
        target="0.05",
        goal="render<50ms",
    )
    emit(
        "matter_list_1000",
        value=matters_t * 1000,
        unit="ms",
        ratio=baseline / matters_t,
        target="0.02",
        goal="render<300ms",
    )


if __name__ == "__main__":
    main()
