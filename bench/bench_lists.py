"""Officer list (2,000 officers) and matters list (1,000 matters) page renders, each as a ratio to
a trivial view (/healthz) served by the same in-process client in the same run (issue 2).

The 事项清单 sheet of 10,000 rows (issue 11): re-importing its own export (没有变更) and a copy
with one bad cell in every row (all 10,000 reported, nothing saved), each as a ratio to openpyxl's
bare read-only pass over the same file. ``SANXIANG_BENCH_SHEET_ROWS`` makes it smaller."""

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

    sheet_import(agency_name="表格基准局")


def sheet_import(*, agency_name: str) -> None:
    import io

    from openpyxl import load_workbook

    from sanxiang.accounts.models import Role, User
    from sanxiang.catalog import sheets
    from sanxiang.catalog.models import Matter, MatterVersion
    from sanxiang.directory.models import Agency, AgencyLevel
    from sanxiang.imports.engine import SheetRefused

    rows = int(os.environ.get("SANXIANG_BENCH_SHEET_ROWS", "10000"))
    agency = Agency.objects.create(name=agency_name, level=AgencyLevel.DEPARTMENT)
    admin = User.objects.create(username="bench-admin", role=Role.ADMIN, agency=agency)
    matters = Matter.objects.bulk_create(
        Matter(agency=agency, code=f"S{n:05d}") for n in range(rows)
    )
    MatterVersion.objects.bulk_create(
        MatterVersion(
            matter=m,
            number=1,
            valid_from=date(2020, 1, 1),
            category="penalty",
            name=f"事项{m.code}",
            handling_unit="股",
            legal_basis=[{"law": "某条例", "article": "第一条", "text": "条文" * 20}],
            time_limit=30,
            responsibilities="受理、调查、决定" * 3,
        )
        for m in matters
    )
    versions = MatterVersion.objects.filter(matter__agency=agency).select_related("matter")
    data = sheets.export_matters(list(versions))
    book = load_workbook(io.BytesIO(data))
    for (cell,) in book.worksheets[0].iter_rows(min_row=2, min_col=2, max_col=2):
        cell.value = "行政罚"  # not a category: every row is bad
    out = io.BytesIO()
    book.save(out)
    bad = out.getvalue()

    def bare(sheet: bytes) -> None:
        wb = load_workbook(io.BytesIO(sheet), read_only=True, data_only=False)
        for _ in wb.worksheets[0].iter_rows(values_only=True):
            pass
        wb.close()

    def unchanged() -> None:
        outcome = sheets.import_matters(actor=admin, agency_id=agency.pk, data=data)
        assert outcome.nothing_to_change and outcome.unchanged == rows, outcome

    def refused() -> None:
        try:
            sheets.import_matters(actor=admin, agency_id=agency.pk, data=bad)
        except SheetRefused as err:
            assert len(err.problems) == rows
        else:
            raise AssertionError("a sheet of bad rows was imported")

    # Interleaved, so that a burst of load on the shared machine hits both sides alike.
    times: dict[str, list[float]] = {"bare": [], "same": [], "bare_bad": [], "wrong": []}
    for _ in range(3):
        times["bare"].append(best_of(1, lambda: bare(data)))
        times["same"].append(best_of(1, unchanged))
        times["bare_bad"].append(best_of(1, lambda: bare(bad)))
        times["wrong"].append(best_of(1, refused))
    baseline, same = min(times["bare"]), min(times["same"])
    baseline_bad, wrong = min(times["bare_bad"]), min(times["wrong"])
    assert MatterVersion.objects.filter(matter__agency=agency).count() == rows
    emit(
        f"matter_sheet_reimport_{rows}",
        value=same * 1000,
        unit="ms",
        ratio=baseline / same,
        target="0.3",
        goal="reimport<3.3x_bare_read",
    )
    emit(
        f"matter_sheet_refused_{rows}",
        value=wrong * 1000,
        unit="ms",
        ratio=baseline_bad / wrong,
        target="0.3",
        goal="refusal<3.3x_bare_read",
    )


if __name__ == "__main__":
    main()
