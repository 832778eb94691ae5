"""办理进度查询 (issue 16): progress queries per second as a ratio to /healthz.

A throwaway SQLite database (or ``SANXIANG_BENCH_DATABASE_URL``) with 2,000 cases of two
parties each; the in-process test client asks for random cases by case number and the last
six characters of a party's ID, as a party on the portal does. Each answered query counts its
try (the rate limit's row) and writes its ledger entry, so the figure includes both writes.
The rate limit is lifted for the run (one client would otherwise be stopped after five).
"""

from __future__ import annotations

import os
import random
import tempfile
import time
from datetime import date

from common import django_setup, emit

CASES = int(os.environ.get("SANXIANG_BENCH_APPLICANT_CASES", "2000"))
QUERIES = int(os.environ.get("SANXIANG_BENCH_APPLICANT_QUERIES", "300"))
ROUNDS = 3


def _rate(fn, n: int) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return n / (time.perf_counter() - start)


def main() -> None:
    tmp = tempfile.mkdtemp(prefix="sx-bench-applicant-")
    os.environ["SANXIANG_REQUIRE_OTP"] = "0"
    os.environ["SANXIANG_AXES_ENABLED"] = "0"
    os.environ["SANXIANG_PROGRESS_RATE_LIMIT"] = str(10**9)
    django_setup(
        database_url=os.environ.get("SANXIANG_BENCH_DATABASE_URL")
        or f"sqlite:///{tmp}/bench.sqlite3"
    )
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    from sanxiang.cases.models import Case, Party
    from sanxiang.cases.testing import company, make_matter, person
    from sanxiang.testing import World

    world = World.build()
    matter = make_matter(world.agency)
    first = Case.objects.create(
        agency=world.agency,
        number="基准案字〔2026〕第1号",
        year=2026,
        seq=1,
        procedure="penalty_ordinary",
        stage="defence",
        matter=matter,
        title="基准案件",
        source="inspection",
        opened_on=date(2026, 1, 5),
        created_by=world.officer,
    )
    cases = Case.objects.bulk_create(
        Case(
            agency=world.agency,
            number=f"基准案字〔2026〕第{n}号",
            year=2026,
            seq=n,
            procedure="penalty_ordinary",
            stage="defence",
            matter=matter,
            title=f"基准案件{n}",
            source="inspection",
            opened_on=first.opened_on,
            created_by=world.officer,
        )
        for n in range(2, CASES + 1)
    )
    cases.append(first)
    parties = []
    for n, case in enumerate(cases):
        a, b = person(f"当事人{n}"), company(f"某公司{n}", n=n + 10)
        for data in (a, b):
            parties.append(
                Party(
                    case=case,
                    kind=data.kind,
                    name=data.name,
                    id_number=data.id_number,
                    credit_code=data.credit_code,
                )
            )
    Party.objects.bulk_create(parties)
    people = list(Party.objects.filter(kind="natural").select_related("case"))
    rng = random.Random(16)
    client = Client()

    def healthz() -> None:
        assert client.get("/healthz").status_code == 200

    def query() -> None:
        party = rng.choice(people)
        answer = client.post(
            "/gongshi/jindu/",
            {"number": party.case.number, "factor": party.id_number[-6:]},
            REMOTE_ADDR=f"10.{rng.randrange(256)}.{rng.randrange(256)}.1",
        )
        assert answer.status_code == 200, answer.status_code

    query()
    healthz()
    base, ours = [], []
    for _ in range(ROUNDS):  # interleaved: the shared machine's load touches both alike
        base.append(_rate(healthz, QUERIES))
        ours.append(_rate(query, QUERIES))
    value = max(ours)
    emit(
        "applicant_progress",
        value=value,
        unit="q/s",
        ratio=value / max(base),
        target="0.3",
    )


if __name__ == "__main__":
    main()
