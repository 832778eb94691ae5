"""Supervision benchmarks on PostgreSQL (issue 14), in a throwaway database
``sx_bench_supervision``.

1. The justice bureau's cockpit page (``/supervision/``, every figure of every agency) over
   ``SANXIANG_BENCH_AGENCIES`` agencies (default 50) and ``SANXIANG_BENCH_CASES`` cases (default
   1,000,000; 5 % open, each open case with a running clock and a team of two), as a ratio to a
   trivial page (``/healthz``) served in the same run. Goal: the cockpit under 1 s.
2. Automatic 案卷评查 of ``SANXIANG_BENCH_REVIEWS`` closed cases (default 10,000), each with its
   nine stage entries in the ledger, a team and two met clocks, through
   ``supervision.reviews.review_files`` (load, score, bulk insert, one ledger entry per file):
   files per second.

The rows are generated with ``INSERT … SELECT generate_series`` (the ORM would take many minutes
for a million cases); publications, reviews and documents are not generated, so those figures
scan empty tables.
"""

from __future__ import annotations

import os
import time

from common import best_of, emit, throwaway_database

DB = "sx_bench_supervision"
AGENCIES = int(os.environ.get("SANXIANG_BENCH_AGENCIES", "50"))
CASES = int(os.environ.get("SANXIANG_BENCH_CASES", "1000000"))
REVIEWS = int(os.environ.get("SANXIANG_BENCH_REVIEWS", "10000"))
OFFICERS = 20  # per agency


def _world():  # type: ignore[no-untyped-def]
    from datetime import date

    from sanxiang.accounts.models import Role, User
    from sanxiang.catalog.models import Matter, MatterVersion
    from sanxiang.directory.models import Agency, AgencyLevel, Officer

    gov = Agency.objects.create(name="基准区人民政府", level=AgencyLevel.GOVERNMENT)
    justice = Agency.objects.create(name="基准区司法局", level=AgencyLevel.JUSTICE, parent=gov)
    sun = User.objects.create(username="bench-sun", role=Role.SUPERVISOR, agency=justice)
    rows = []
    for n in range(AGENCIES):
        agency = Agency.objects.create(
            name=f"基准局{n}",
            level=AgencyLevel.DEPARTMENT,
            parent=gov,
            short_name=f"基{n}",
            supervised_by=justice,
            area="基准区",
        )
        unit = Agency.objects.create(name=f"基准局{n}执法股", level=AgencyLevel.UNIT, parent=agency)
        head = User.objects.create(username=f"bench-head-{n}", role=Role.HEAD, agency=agency)
        matter = Matter.objects.create(agency=agency, code="CF-B")
        MatterVersion.objects.create(
            matter=matter,
            number=1,
            valid_from=date(2020, 1, 1),
            category="penalty",
            name="基准处罚",
            handling_unit="股",
            legal_basis=[{"law": "基准条例", "article": "第一条", "text": "……"}],
        )
        officers = Officer.objects.bulk_create(
            Officer(
                agency=unit,
                name=f"人员{n}-{k}",
                certificate_no=f"B{n:03d}{k:03d}",
                categories=["penalty"],
                area="基准区",
                certificate_issued=date(2020, 1, 1),
                certificate_expires=date(2030 if k else 2020, 12, 31),
                is_reviewer=k == 1,
            )
            for k in range(OFFICERS)
        )
        rows.append((agency.pk, matter.pk, head.pk, min(o.pk for o in officers)))
    return sun, rows


def _generate(rows: list[tuple[int, int, int, int]]) -> None:
    """1 case in 20 open (in 调查取证, a running 90-day clock, two officers); the rest archived."""
    from django.db import connection

    per = CASES // len(rows)
    values = ",".join(f"({a},{m},{u},{o})" for a, m, u, o in rows)
    with connection.cursor() as cur:
        cur.execute(
            f"""
            INSERT INTO cases_case (agency_id, number, year, seq, procedure, stage, matter_id,
                title, source, facts, opened_on, decided_on, decided_snapshot, closed_on,
                created_by_id, created_at, is_demo)
            SELECT w.a, 'B' || w.a || '-' || g, 2026, g, 'penalty_ordinary',
                CASE WHEN g % 20 = 0 THEN 'investigation' ELSE 'archived' END, w.m,
                '基准案件' || g, 'inspection', '', CURRENT_DATE - (g % 300) - 40,
                CASE WHEN g % 20 = 0 THEN NULL ELSE CURRENT_DATE - (g % 300) - 30 END, '',
                CASE WHEN g % 20 = 0 THEN NULL ELSE CURRENT_DATE - (g % 300) - 10 END,
                w.u, now(), false
            FROM (VALUES {values}) AS w(a, m, u, o), generate_series(1, {per}) AS g
            """
        )
        cur.execute(
            f"""
            INSERT INTO cases_casemember (case_id, officer_id, is_lead, recused)
            SELECT c.id, w.o + k + (c.seq % 5) * 2, k = 0, false
            FROM cases_case c JOIN (VALUES {values}) AS w(a, m, u, o) ON c.agency_id = w.a,
                 generate_series(0, 1) AS k
            WHERE c.closed_on IS NULL OR c.seq <= {REVIEWS // len(rows) * 11 // 10 + 20}
            """
        )
        cur.execute(
            """
            INSERT INTO cases_deadline (case_id, agency_id, rule, label, basis, days, unit,
                starts_on, due_on, warn_on, status, stopped_on)
            SELECT id, agency_id, 'decide', '作出处罚决定', '行政处罚法 第60条', 90, 'calendar',
                opened_on, opened_on + 90, opened_on + 86, 'running', NULL
            FROM cases_case WHERE closed_on IS NULL
            """
        )
        cur.execute("ANALYZE")


def _ledger_for(case_ids: list[int]) -> None:
    """The nine stage entries of each file to review (seq left to the integrator, as append
    does; the hashes are placeholders: this database is thrown away)."""
    from django.db import connection

    path = [
        ("filing", "investigation"),
        ("investigation", "case_review"),
        ("case_review", "notice"),
        ("notice", "defence"),
        ("defence", "decision"),
        ("decision", "delivery"),
        ("delivery", "closing"),
        ("closing", "archived"),
    ]
    steps = ",".join(f"({i},'{s}','{t}')" for i, (s, t) in enumerate(path, 1))
    with connection.cursor() as cur:
        cur.execute(
            """
            INSERT INTO ledger_entry (created_at, actor_id, actor_label, agency_id, case_id,
                event_type, payload, payload_hash, leaf_hash)
            SELECT now(), NULL, 'system', agency_id, id, 'case.opened',
                '{"opened_on":"' || opened_on || '","stage":"filing"}', repeat('0', 64),
                repeat('0', 64)
            FROM cases_case WHERE id = ANY(%s)
            """,
            [case_ids],
        )
        cur.execute(
            f"""
            INSERT INTO ledger_entry (created_at, actor_id, actor_label, agency_id, case_id,
                event_type, payload, payload_hash, leaf_hash)
            SELECT now(), NULL, 'system', c.agency_id, c.id, 'case.transition',
                '{{"note":"","on":"' || (c.opened_on + s.i) || '","source":"' || s.src
                || '","target":"' || s.dst || '"}}', repeat('0', 64), repeat('0', 64)
            FROM cases_case c, (VALUES {steps}) AS s(i, src, dst)
            WHERE c.id = ANY(%s) ORDER BY c.id, s.i
            """,
            [case_ids],
        )
        cur.execute(
            """
            INSERT INTO cases_deadline (case_id, agency_id, rule, label, basis, days, unit,
                starts_on, due_on, warn_on, status, stopped_on)
            SELECT id, agency_id, 'decide', '作出处罚决定', '行政处罚法 第60条', 90, 'calendar',
                opened_on, opened_on + 90, opened_on + 86, 'met', decided_on
            FROM cases_case WHERE id = ANY(%s)
            """,
            [case_ids],
        )
        cur.execute("ANALYZE")


def bench_cockpit(sun) -> None:  # type: ignore[no-untyped-def]
    from django.test import Client

    from sanxiang.cases.models import Case

    client = Client()
    client.force_login(sun)
    page = client.get("/supervision/")
    assert page.status_code == 200, page.content[:300]
    assert page.content.decode().count('data-agency="') == AGENCIES
    assert client.get("/healthz").status_code == 200
    cockpit = best_of(5, lambda: client.get("/supervision/"))
    trivial = best_of(5, lambda: client.get("/healthz"))
    cases = Case.objects.count()
    emit(
        f"cockpit_{AGENCIES}_agencies_{cases // 1000}k_cases_pg",
        value=cockpit * 1000,
        unit="ms",
        ratio=trivial / cockpit,
        target="0.002",
        goal="cockpit<1s",
    )


def bench_reviews(sun) -> None:  # type: ignore[no-untyped-def]
    from sanxiang.cases.models import Case, CaseMember
    from sanxiang.supervision.reviews import review_files
    from sanxiang.supervision.scoring import load, score

    with_team = CaseMember.objects.filter(case__closed_on__isnull=False).values("case_id")
    ids = list(
        Case.objects.filter(closed_on__isnull=False, pk__in=with_team)
        .order_by("pk")
        .values_list("pk", flat=True)[:REVIEWS]
    )
    _ledger_for(ids)
    # The baseline: loading and scoring alone (no writes), in the same run.
    started = time.perf_counter()
    for start in range(0, len(ids), 500):
        facts = load(ids[start : start + 500])
        for fact in facts.values():
            score(fact)
    scoring_only = time.perf_counter() - started
    started = time.perf_counter()
    made = review_files(actor=sun, case_ids=ids, batch="基准")
    elapsed = time.perf_counter() - started
    assert len(made) == len(ids)
    emit(
        f"file_review_{len(ids) // 1000}k_closed_cases_pg",
        value=len(ids) / elapsed,
        unit="files/s",
        ratio=scoring_only / elapsed,
        target="0.2",
        goal="scored+stored+ledger",
    )


def main() -> None:
    with throwaway_database(
        DB,
        env={
            "SANXIANG_CONN_MAX_AGE": "0",
            "SANXIANG_REQUIRE_OTP": "0",
            "SANXIANG_AXES_ENABLED": "0",
        },
    ) as ready:
        if not ready:
            return

        sun, rows = _world()
        started = time.perf_counter()
        _generate(rows)
        print(f"# generated {CASES} cases in {time.perf_counter() - started:.1f} s", flush=True)
        bench_cockpit(sun)
        bench_reviews(sun)


if __name__ == "__main__":
    main()
