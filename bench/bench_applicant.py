"""办理进度查询 (issue 16): progress queries per second as a ratio to /healthz.

A throwaway SQLite database (or ``SANXIANG_BENCH_DATABASE_URL``) with 2,000 cases of two
parties each; the in-process test client asks for random cases by case number and the last
six characters of a party's ID, as a party on the portal does. Each answered query counts its
try (the rate limit's row) and writes its ledger entry, so the figure includes both writes.
The rate limit is lifted for the run (one client would otherwise be stopped after five).

Its target stays 0.3, set before this figure was first measured and not met: measured
0.017-0.056 on this shared machine (the ten-statement version and the six-statement one scatter
over the same range). A progress query is not free work like ``/healthz``: one serialised
transaction with the limit's count, the parties' look-up, the try's row and the ledger entry,
then the running clocks and the documents, and a page (six SQL statements, held by
``applicant/tests/test_progress.py::ProgressQueryCost``). The target is kept rather than
lowered to what the code does; reaching it needs the page rendered without the ORM's per-query
compilation (cached statements) or the try and the entry written after the answer.

网上受理 (``applicant_intake_throughput``): an application with 20 MiB of materials (two files
of 10 MiB) started, uploaded through the portal's multipart form and submitted, as MiB/s; the
baseline is the plain upload path of the evidence store for the same bytes (``records.blobs``
spool-and-hash, then store). The receipt PDF is rendered after the submission has committed
(a fixed cost, about a second with WeasyPrint) and is reported on its own ``#`` line.
"""

from __future__ import annotations

import os
import random
import shutil
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
    from django.test import override_settings

    storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    staticfiles = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    stored = {"default": storage | {"OPTIONS": {"location": f"{tmp}/media"}}}
    with override_settings(STORAGES=stored | {"staticfiles": staticfiles}):
        intake(world)
    shutil.rmtree(tmp, ignore_errors=True)


def intake(world) -> None:  # type: ignore[no-untyped-def]
    import io
    import re

    from django.test import Client
    from django.test.client import BOUNDARY, encode_multipart

    from sanxiang.applicant import intake as intake_service
    from sanxiang.applicant.intake_views import COOKIE
    from sanxiang.applicant.tests.helpers import organisation_form
    from sanxiang.cases.testing import make_matter
    from sanxiang.catalog.models import MatterVersion
    from sanxiang.records import blobs

    # A string of its own: the test client re-encodes a body posted as MULTIPART_CONTENT itself.
    multipart = f"multipart/form-data; boundary={BOUNDARY}"

    size_mib = int(os.environ.get("SANXIANG_BENCH_APPLICANT_MIB", "20"))
    os.environ["SANXIANG_APPLICATION_MAX_MB"] = str(size_mib)
    from django.conf import settings

    settings.SANXIANG_APPLICATION_MAX_MB = size_mib
    matter = make_matter(world.agency, "licence", code="XK-BENCH")
    MatterVersion.objects.filter(matter=matter).update(
        materials="1. 申请书；\n2. 登记证书复印件；", online_application=True
    )
    half = size_mib * 1024 * 1024 // 2
    rng = random.Random(20)

    def payload() -> bytes:
        return b"%PDF-1.7\n" + rng.randbytes(half - 9)

    def plain_timed() -> float:
        total = 0.0
        for _ in range(2):
            data = payload()
            t = time.perf_counter()
            blobs.store(blobs.spool_stream(io.BytesIO(data), length=len(data)))
            total += time.perf_counter() - t
        return total

    def application() -> tuple[float, float]:
        client = Client()
        total = 0.0
        t = time.perf_counter()
        answer = client.post(
            f"/gongshi/shenqing/{matter.pk}/",
            organisation_form(),
            REMOTE_ADDR=f"10.9.{rng.randrange(256)}.1",
        )
        token = str(answer["Location"]).rstrip("/").split("/")[-1]
        total += time.perf_counter() - t
        for item in ("申请书", "登记证书复印件"):
            handle = io.BytesIO(payload())
            handle.name = "scan.pdf"
            # Encoded before the clock starts: the browser builds the multipart body, the
            # server's work is to receive it (the baseline has no encoding either).
            body = encode_multipart(BOUNDARY, {"item": item, "file": handle})
            t = time.perf_counter()
            done = client.post(
                f"/gongshi/shenqing/tianxie/{token}/cailiao/", body, content_type=multipart
            )
            total += time.perf_counter() - t
            assert done.status_code == 302, done.status_code
        # The submit view's service, called as the view does; the view then renders the
        # receipt, timed apart below.
        browser = client.cookies[COOKIE + token[:8]].value
        t = time.perf_counter()
        made = intake_service.submit_application(token=token, browser=browser)
        total += time.perf_counter() - t
        t = time.perf_counter()
        intake_service.render_receipt(application_id=made.application.pk)
        render = time.perf_counter() - t
        assert re.match(r"^[A-Z0-9]{8}$", made.query_code)
        return total, render

    application()
    base, ours, renders = [], [], []
    for _ in range(ROUNDS):
        base.append(plain_timed())
        spent, render = application()
        ours.append(spent)
        renders.append(render)
    value = size_mib / min(ours)
    emit(
        "applicant_intake_throughput",
        value=value,
        unit="MiB/s",
        ratio=min(base) / min(ours),
        target="0.3",
        goal=f"{size_mib}MiB_application",
    )
    print(
        f"# intake {size_mib} MiB: plain={min(base):.2f}s application={min(ours):.2f}s "
        f"receipt_pdf={min(renders):.2f}s"
    )


if __name__ == "__main__":
    main()
