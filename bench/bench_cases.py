"""Case benchmarks on PostgreSQL (issue 3), in a throwaway database ``sx_bench_cases``.

1. Transitions per second through ``cases.services.transition`` (read, guards, guarded update,
   timeline row, deadline clocks, ledger entry; one transaction each) as a ratio to plain
   single-row UPDATEs, each in its own transaction, in the same run. Goal: ratio ≥ 0.3.
2. The same with the document guard doing its work (issue 10, item 2): penalty cases leaving
   审查 for 告知, which the definition allows only with the 行政处罚事先告知书 issued (one
   issued row per case), as a ratio to plain single-row UPDATEs. Goal: ratio ≥ 0.3.
3. The deadline scan (``cases.queries.deadline_board``) over 100,000 open cases with a running
   clock each, as a ratio to one ``SELECT count(*)`` over the case table.

``SANXIANG_BENCH_PG_URL`` (default ``postgres://postgres@127.0.0.1:5432``) names the server;
``SANXIANG_BENCH_CASES`` the number of open cases for the scan (default 100000);
``SANXIANG_BENCH_TRANSITIONS`` the transitions timed (default 300).
"""

from __future__ import annotations

import os
import time
from datetime import date, timedelta

from common import best_of, emit, throwaway_database

DB = "sx_bench_cases"
OPEN_CASES = int(os.environ.get("SANXIANG_BENCH_CASES", "100000"))
TRANSITIONS = int(os.environ.get("SANXIANG_BENCH_TRANSITIONS", "300"))


def _world():  # type: ignore[no-untyped-def]
    from sanxiang.accounts.models import Role, User
    from sanxiang.catalog.models import Matter, MatterVersion
    from sanxiang.directory.models import Agency, AgencyLevel

    agency = Agency.objects.create(
        name="基准局", level=AgencyLevel.DEPARTMENT, short_name="基准", area="基准区"
    )
    head = User.objects.create(username="bench-head", role=Role.HEAD, agency=agency)
    matter = Matter.objects.create(agency=agency, code="JC-B")
    MatterVersion.objects.create(
        matter=matter,
        number=1,
        valid_from=date(2020, 1, 1),
        category="inspection",
        name="基准检查",
        handling_unit="股",
    )
    return agency, head, matter


def _cases(agency, head, matter, n: int, *, stage: str, opened: date, start: int):  # type: ignore[no-untyped-def]
    from sanxiang.cases.models import Case

    return Case.objects.bulk_create(
        (
            Case(
                agency=agency,
                number=f"基准〔{opened.year}〕第{start + i}号",
                year=opened.year,
                seq=start + i,
                procedure="inspection" if stage == "filing" else "penalty_ordinary",
                stage=stage,
                matter=matter,
                title=f"基准案件{start + i}",
                source="inspection",
                opened_on=opened,
                created_by=head,
            )
            for i in range(n)
        ),
        batch_size=5000,
    )


def bench_transitions(agency, head, matter) -> None:  # type: ignore[no-untyped-def]
    from django.db import transaction

    from sanxiang.cases.models import Case
    from sanxiang.cases.services import transition

    today = date.today()  # noqa: DTZ011 - a benchmark date
    cases = _cases(agency, head, matter, TRANSITIONS + 10, stage="filing", opened=today, start=1)
    pks = [c.pk for c in cases]
    for pk in pks[:10]:  # warm caches and connections
        transition(actor=head, case_id=pk, target="investigation")
    rounds = 3
    size = TRANSITIONS // rounds
    service_best = plain_best = float("inf")
    # Interleaved rounds, best of each: both sides see the same load on a shared machine.
    for r in range(rounds):
        chunk = pks[10 + r * size : 10 + (r + 1) * size]
        started = time.perf_counter()
        for pk in chunk:
            transition(actor=head, case_id=pk, target="investigation", expected_stage="filing")
        service_best = min(service_best, (time.perf_counter() - started) / len(chunk))
        started = time.perf_counter()
        for pk in chunk:
            with transaction.atomic():
                Case.objects.filter(pk=pk, stage="investigation").update(stage="case_review")
        plain_best = min(plain_best, (time.perf_counter() - started) / len(chunk))
    emit(
        "case_transitions_pg",
        value=1 / service_best,
        unit="transitions/s",
        ratio=plain_best / service_best,
        target="0.3",
    )


def _notices(agency, head, cases) -> None:  # type: ignore[no-untyped-def]
    """One issued 事先告知书 per case (benchmark data: rows, not rendered files)."""
    from django.utils import timezone

    from sanxiang.documents.models import IssuedDocument

    now = timezone.now()
    IssuedDocument.objects.bulk_create(
        (
            IssuedDocument(
                case=c,
                agency=agency,
                kind="penalty_notice",
                title="行政处罚事先告知书",
                single=True,
                year=now.year,
                seq=i + 1,
                number=f"基准告字〔{now.year}〕第{i + 1}号",
                issued_at=now,
                issued_by=head,
                content_sha256="0" * 64,
                pdf_name=f"bench/{i}.pdf",
                pdf_sha256="0" * 64,
                pdf_size=1,
                docx_name=f"bench/{i}.docx",
                docx_sha256="0" * 64,
                docx_size=1,
            )
            for i, c in enumerate(cases)
        ),
        batch_size=5000,
    )


def bench_guarded_transitions(agency, head, matter) -> None:  # type: ignore[no-untyped-def]
    from django.db import transaction

    from sanxiang.cases.models import Case
    from sanxiang.cases.services import transition
    from sanxiang.lib.errors import DomainError

    today = date.today()  # noqa: DTZ011 - a benchmark date
    cases = _cases(
        agency, head, matter, TRANSITIONS + 11, stage="case_review", opened=today, start=50000
    )
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(procedure="penalty_ordinary")
    _notices(agency, head, cases[1:])
    pks = [c.pk for c in cases]
    try:  # the guard is really on: the case without its 告知书 is refused
        transition(actor=head, case_id=pks[0], target="notice")
        raise AssertionError("a notice without its 告知书 went through")
    except DomainError as error:
        assert error.code == "document_required", error.code
    for pk in pks[1:11]:
        transition(actor=head, case_id=pk, target="notice")
    rounds = 3
    size = TRANSITIONS // rounds
    service_best = plain_best = float("inf")
    for r in range(rounds):
        chunk = pks[11 + r * size : 11 + (r + 1) * size]
        started = time.perf_counter()
        for pk in chunk:
            transition(actor=head, case_id=pk, target="notice", expected_stage="case_review")
        service_best = min(service_best, (time.perf_counter() - started) / len(chunk))
        started = time.perf_counter()
        for pk in chunk:
            with transaction.atomic():
                Case.objects.filter(pk=pk, stage="notice").update(stage="defence")
        plain_best = min(plain_best, (time.perf_counter() - started) / len(chunk))
    emit(
        "case_transitions_document_guard_pg",
        value=1 / service_best,
        unit="transitions/s",
        ratio=plain_best / service_best,
        target="0.3",
    )


def bench_scan(agency, head, matter) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection

    from sanxiang.cases.models import Case, Deadline
    from sanxiang.cases.queries import deadline_board

    today = date.today()  # noqa: DTZ011 - a benchmark date
    batch = 20000
    made = 0
    while made < OPEN_CASES:
        n = min(batch, OPEN_CASES - made)
        opened = today - timedelta(days=made % 120)
        rows = _cases(
            agency, head, matter, n, stage="investigation", opened=opened, start=100000 + made
        )
        Deadline.objects.bulk_create(
            (
                Deadline(
                    case=c,
                    agency=agency,
                    rule="decide",
                    label="作出处罚决定",
                    days=90,
                    unit="calendar",
                    starts_on=c.opened_on - timedelta(days=i % 120),
                    due_on=c.opened_on - timedelta(days=i % 120) + timedelta(days=90),
                    warn_on=c.opened_on - timedelta(days=i % 120) + timedelta(days=86),
                )
                for i, c in enumerate(rows)
            ),
            batch_size=5000,
        )
        made += n
    with connection.cursor() as cur:
        cur.execute("ANALYZE")

    def count() -> None:
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM cases_case")
            cur.fetchone()

    board = deadline_board({agency.pk}, today)
    assert board.running >= OPEN_CASES, board.running
    scan = best_of(5, lambda: deadline_board({agency.pk}, today))
    baseline = best_of(5, count)
    assert Case.objects.count() >= OPEN_CASES
    emit(
        f"deadline_scan_{OPEN_CASES // 1000}k_open_cases_pg",
        value=scan * 1000,
        unit="ms",
        ratio=baseline / scan,
        target="0.1",
        goal="set-based(handful of queries)",
    )


def main() -> None:
    with throwaway_database(DB, env={"SANXIANG_CONN_MAX_AGE": "0"}) as ready:
        if not ready:
            return

        agency, head, matter = _world()
        bench_transitions(agency, head, matter)
        bench_guarded_transitions(agency, head, matter)
        bench_scan(agency, head, matter)


if __name__ == "__main__":
    main()
