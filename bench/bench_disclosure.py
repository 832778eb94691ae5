"""公示 at scale on PostgreSQL (issues 6 and 12): the portal's cached decision list and its
search under 50 concurrent clients through the production server (gunicorn, as ``make
serve`` starts it, with the shared cache), the 年报's tables over N cases, and mask_text.

The issue asks for 1,000,000 published decisions; the default is 200,000 so the script stays
within a few minutes on two cores. ``SANXIANG_BENCH_DISCLOSURE_N=1000000`` runs the full size
(about three minutes to generate on two quiet cores). Rows are generated in the database
(INSERT … SELECT generate_series), the pg_trgm index is built after the load, as a deployment
importing history would do. ``SANXIANG_BENCH_KEEP=1`` keeps the database afterwards and
``SANXIANG_BENCH_REUSE=1`` measures again on a kept one of the same N without regenerating.

Lines (DESIGN.md: ratio higher is better, target the lowest acceptable ratio):
- ``disclosure_list_p95_50clients``: p95 of the decision list pages (cached, invalidated on
  publish/withdraw); ratio = /healthz p95 ÷ list p95, both through the same server by the same
  clients in the same run; target 0.5. ``disclosure_search_p95_50clients``: the same for a
  fixed set of 68 searches that every client repeats (names, companies, 文号, with and without
  dates): result pages are cached by normalised query, so after the first of each this is
  the cache; target 0.2. ``disclosure_search_uncached_p95_50clients``: every request a search
  never asked before (a random 文号, company number, name with a random month, or a deep page
  of a two-character name), so every one is answered by PostgreSQL; target 0.2. All restate
  the issue's goal p95<150ms.
- ``disclosure_*_throughput``: requests/s, ratio to /healthz requests/s (no target: 0).
- ``disclosure_annual_report_N_cases``: seconds; ratio = one plain count of the cases ÷ the
  tables.
- ``disclosure_mask_text_throughput``: MB/s of mask_text over bench_masking's synthetic
  decisions; ratio to a one-regex pass over the same text (as bench_masking).
"""

from __future__ import annotations

import http.client
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from urllib.parse import quote

from common import ROOT, best_of, django_setup, emit

N = int(os.environ.get("SANXIANG_BENCH_DISCLOSURE_N", "200000"))
CLIENTS = int(os.environ.get("SANXIANG_BENCH_DISCLOSURE_CLIENTS", "50"))
SECONDS = float(os.environ.get("SANXIANG_BENCH_DISCLOSURE_SECONDS", "12"))
SERVER = os.environ.get("SANXIANG_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB = "sx_bench_disclosure"
PORT = int(os.environ.get("SANXIANG_BENCH_DISCLOSURE_PORT", "8765"))
WORKERS = os.environ.get("SANXIANG_BENCH_DISCLOSURE_WORKERS", "3")
SURNAMES = "张王李赵刘陈杨黄周吴徐孙胡朱高林何郭马罗"
TRADES = ["商贸", "文化传播", "旅游", "建材", "餐饮", "物流", "科技", "印刷"]


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


_t0 = time.monotonic()


def _note(what: str) -> None:
    print(f"# {time.monotonic() - _t0:.0f} s: {what}", file=sys.stderr)


def _load(agency_id: int, matter_id: int, user_id: int) -> None:
    """N cases decided in 2025, their drafts, and N published decisions, generated in SQL."""
    from django.db import connection

    surnames = "{" + ",".join(SURNAMES) + "}"
    trades = "{" + ",".join(TRADES) + "}"
    with connection.cursor() as cur:
        cur.execute("SET maintenance_work_mem = '256MB'")
        # Generated rows are consistent by construction: skip FK triggers and WAL flushes.
        cur.execute("SET session_replication_role = replica")
        cur.execute("SET synchronous_commit = off")
        cur.execute("DROP INDEX IF EXISTS publication_search_trgm")
        cur.execute("DROP INDEX IF EXISTS publication_search_pairs_trgm")
        cur.execute(
            """
            INSERT INTO cases_case (agency_id, number, year, seq, procedure, stage, matter_id,
                title, source, facts, opened_on, decided_on, closed_on, created_by_id,
                created_at, is_demo, decided_snapshot)
            SELECT %s, '基罚字〔2025〕第' || g || '号', 2025, g,
                CASE WHEN g %% 20 < 15 THEN 'penalty_ordinary' WHEN g %% 20 < 17 THEN 'licence'
                     WHEN g %% 20 < 18 THEN 'coercion' ELSE 'penalty_summary' END,
                'decision', %s, '案件' || g, 'inspection', '', d - 20, d, NULL, %s, now(), false,
                ''
            FROM (SELECT g, date '2025-01-21' + (g %% 340) AS d
                  FROM generate_series(1, %s) g) s
            """,
            [agency_id, matter_id, user_id, N],
        )
        cur.execute(
            """
            INSERT INTO cases_decisiondraft (case_id, kind, fine_amount, confiscation_value,
                legal_basis, circumstance, benchmark_min, benchmark_max, outside_benchmark,
                outside_reason, text, revision, fingerprint, updated_at, penalty_kinds)
            SELECT id,
                CASE WHEN procedure = 'licence' THEN
                        CASE WHEN seq %% 3 = 0 THEN 'licence_refusal' ELSE 'licence_grant' END
                     WHEN procedure = 'coercion' THEN 'seizure'
                     WHEN seq %% 7 = 0 THEN 'warning' WHEN seq %% 11 = 0 THEN 'suspension'
                     ELSE 'fine' END,
                CASE WHEN procedure LIKE 'penalty%%' AND seq %% 7 <> 0
                     THEN (seq %% 50 + 1) * 100 END,
                CASE WHEN procedure = 'penalty_ordinary' AND seq %% 5 = 0 THEN 1000 END,
                '', '', NULL, NULL, false, '', '', 1, '', now(), ''
            FROM cases_case WHERE agency_id = %s
            """,
            [agency_id],
        )
        cur.execute(
            """
            INSERT INTO disclosure_publication (agency_id, case_id, status, category, procedure,
                doc_number, party, party_is_natural, matter_name, outcome, agency_name,
                decided_on, amount, masked_text, source_text, search_text, due_on,
                calendar_gap_year, period_days, created_at, published_at, published_by_id,
                ends_on, content_sha256, ledger_entry_id, exclusion_kind, exclusion_reason,
                revoked_on, withdraw_due_on, withdrawal_kind, withdrawal_reason, withdrawn_at,
                expired_at, is_demo)
            SELECT agency_id, id, 'published', 'penalty', procedure, doc, party, is_natural,
                '为违法宗教活动提供条件', outcome, '基准区民族和宗教事务局', decided_on, amount,
                body, '', lower(doc || ' ' || party || ' 为违法宗教活动提供条件 ' || outcome
                                || ' ' || body),
                decided_on + 9, NULL, 365, now(), now(), %s, date '2026-12-31', '', NULL, '',
                '', NULL, NULL, '', '', NULL, NULL, false
            FROM (
                SELECT c.agency_id, c.id, c.procedure, c.decided_on, c.number AS doc,
                    c.seq %% 2 = 0 AS is_natural,
                    -- names and trades hashed from seq, not taken modulo: the decision
                    -- date is seq modulo 340, and a name drawn modulo 20 came only on some
                    -- dates (no real surname keeps to a calendar)
                    CASE WHEN c.seq %% 2 = 0
                         THEN (%s::text[])[1 + abs(hashint4(c.seq)::bigint) %% 20] || '某'
                         ELSE '盘锦' || (%s::text[])[1 + abs(hashint4(c.seq + 1)::bigint) %% 8]
                              || '有限公司' || (c.seq %% 5000) END AS party,
                    '罚款人民币' || coalesce(d.fine_amount, 0) || '元' AS outcome,
                    d.fine_amount AS amount,
                    '经查，当事人于2025年在辖区内为未经批准的聚会活动提供场所，编号' || c.seq
                    || '。依据《宗教事务条例》第七十一条，决定给予警告，并处罚款人民币'
                    || coalesce(d.fine_amount, 0) || '元。当事人如不服本决定，可依法申请行政'
                    || '复议或者提起行政诉讼。' AS body
                FROM cases_case c JOIN cases_decisiondraft d ON d.case_id = c.id
                WHERE c.agency_id = %s
            ) s
            """,
            [user_id, surnames, trades, agency_id],
        )
        _note("rows inserted")
        cur.execute(
            "CREATE INDEX publication_search_trgm ON disclosure_publication "
            "USING gin (search_text gin_trgm_ops) WHERE status = 'published'"
        )
        _note("trigram index built")
        # the pairs of migration 0008 (search_pairs is generated by PostgreSQL on INSERT)
        cur.execute(
            "CREATE INDEX publication_search_pairs_trgm ON disclosure_publication "
            "USING gin (search_pairs gin_trgm_ops) WHERE status = 'published'"
        )
        _note("pairs index built")
        cur.execute("SET session_replication_role = DEFAULT")
        cur.execute("VACUUM ANALYZE disclosure_publication")
        cur.execute("ANALYZE")


def _server_env(tmp: str) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "SANXIANG_DATABASE_URL": f"{SERVER}/{DB}",
        "SANXIANG_DEBUG": "0",
        "SANXIANG_SECRET_KEY": "bench-only-secret-key-0123456789abcdef",
        "SANXIANG_ALLOWED_HOSTS": "127.0.0.1",
        "SANXIANG_VAR_DIR": tmp,
        "SANXIANG_LOG_LEVEL": "ERROR",
        # the workers share the rendered lists, as with `make serve`
        "SANXIANG_CACHE_URL": os.environ.get("SANXIANG_BENCH_CACHE_URL", f"file://{tmp}/cache"),
    }


def _start_server(tmp: str) -> subprocess.Popen[bytes]:
    gunicorn = str(ROOT / ".venv" / "bin" / "gunicorn")
    proc = subprocess.Popen(  # noqa: S603 - our own server with fixed arguments
        [
            gunicorn if os.path.exists(gunicorn) else "gunicorn",
            "sanxiang.wsgi:application",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            WORKERS,
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "--backlog",
            "256",
            "--log-level",
            "warning",
        ],
        cwd=str(ROOT),
        env=_server_env(tmp),
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("gunicorn did not start")


def _hammer(urls: list[str] | Callable[[random.Random], str]) -> tuple[float, float, int]:
    """CLIENTS threads in a closed loop for SECONDS; (p95 ms, requests/s, errors). ``urls`` is
    a list to choose from or a function of the client's random generator making a URL."""
    pick = urls if callable(urls) else (lambda rnd: rnd.choice(urls))
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + SECONDS

    def client(seed: int) -> None:
        rnd = random.Random(seed)
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        mine: list[float] = []
        while time.monotonic() < stop:
            url = pick(rnd)
            start = time.perf_counter()
            try:
                conn.request("GET", url)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
            mine.append(time.perf_counter() - start)
            if not ok:
                with lock:
                    errors[0] += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    p95 = statistics.quantiles(latencies, n=20)[18] * 1000
    return p95, len(latencies) / elapsed, errors[0]


def _search_urls() -> list[str]:
    rnd = random.Random(7)
    words = [f"{s}某" for s in SURNAMES] + [f"{t}有限公司{n}" for t in TRADES for n in (1, 77)]
    words += [f"第{rnd.randint(1, N)}号" for _ in range(20)] + ["为违法宗教活动", "商贸 罚款"]
    return [f"/gongshi/jueding/?q={quote(w)}" for w in words] + [
        f"/gongshi/jueding/?q={quote(w)}&from=2025-06-01&to=2025-06-30" for w in words[:10]
    ]


_fresh_counter = iter(range(10**9))


def _fresh_search(rnd: random.Random) -> str:
    """A search nobody asked before in this run (so the cache cannot answer it): the n-th
    call of the run makes the n-th URL of four families, none repeating for thousands of
    requests."""
    n = next(_fresh_counter)
    kind, i = n % 4, n // 4
    if kind == 0:  # a 文号 (7919 is prime to N's factors 2 and 5: no repeat before N)
        return f"/gongshi/jueding/?q={quote(f'第{(i * 7919) % N + 1}号')}"
    name = f"{SURNAMES[i % 20]}某"
    if kind == 1:
        q = f"{TRADES[i % 8]}有限公司{i // 8 % 4999 + 1}"
        return f"/gongshi/jueding/?q={quote(q)}"
    if kind == 2:  # a name within one month of decisions
        month, day = 1 + i // 20 % 11, 1 + i // 220 % 28
        dates = f"&from=2025-{month:02d}-{day:02d}&to=2025-{month + 1:02d}-{day:02d}"
        return f"/gongshi/jueding/?q={quote(name)}{dates}"
    # a two-character word has no trigram: a walk of the list index, here to a deep page
    return f"/gongshi/jueding/?q={quote(name)}&page={2 + i // 20 % 20}"


def _web(tmp: str) -> None:
    server = _start_server(tmp)
    try:
        list_urls = ["/gongshi/jueding/"] + [f"/gongshi/jueding/?page={p}" for p in range(2, 60)]
        _hammer(["/healthz"])  # warm up connections and workers
        base_p95, base_rps, _ = _hammer(["/healthz"])
        list_p95, list_rps, list_err = _hammer(list_urls)
        search_p95, search_rps, search_err = _hammer(_search_urls())
        fresh_p95, fresh_rps, fresh_err = _hammer(_fresh_search)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    assert list_err == 0 and search_err == 0, (list_err, search_err)
    if fresh_err:
        # counted with their latency (a failed request is at least as slow as it took)
        print(f"# uncached search: {fresh_err} requests failed or timed out", file=sys.stderr)
    print(
        f"# {N} published decisions, {CLIENTS} clients, {WORKERS} gunicorn workers; "
        f"/healthz p95 {base_p95:.1f} ms at {base_rps:.0f} req/s",
        file=sys.stderr,
    )
    targets = {"list": 0.5, "search": 0.2, "search_uncached": 0.2}
    for name, p95, rps in (
        ("list", list_p95, list_rps),
        ("search", search_p95, search_rps),
        ("search_uncached", fresh_p95, fresh_rps),
    ):
        emit(
            f"disclosure_{name}_p95_{CLIENTS}clients",
            value=p95,
            unit="ms",
            ratio=base_p95 / p95,
            target=f"{targets[name]:g}",
            goal="p95<150ms",
        )
        emit(
            f"disclosure_{name}_throughput",
            value=rps,
            unit="req/s",
            ratio=rps / base_rps,
            target="0",
        )


def _report(agency_id: int) -> None:
    from sanxiang.cases.models import Case
    from sanxiang.disclosure.report import tables_for

    baseline = best_of(3, lambda: Case.objects.filter(agency_id=agency_id, year=2025).count())
    took = best_of(3, lambda: tables_for(agency_id=agency_id, year=2025))
    emit(
        f"disclosure_annual_report_{N}_cases",
        value=took,
        unit="s",
        ratio=baseline / took,
        target="0.01",
        goal="<3s",
    )


def _masking() -> None:
    import re

    import bench_masking

    from sanxiang.lib.masking import mask_text

    text, names = bench_masking.build_text()
    megabytes = len(text.encode("utf-8")) / 1e6
    naive = re.compile(r"\d{17}[\dXx]")
    ours = best_of(3, lambda: mask_text(text, names=names))
    baseline = best_of(3, lambda: naive.sub("*" * 18, text))
    emit(
        "disclosure_mask_text_throughput",
        value=megabytes / ours,
        unit="MB/s",
        ratio=baseline / ours,
        target=f"{bench_masking.TARGET_RATIO:g}",
        goal=f">={bench_masking.TARGET_MB_S:g}MB/s",
    )


def _kept_size() -> int:
    """Published decisions in a kept benchmark database (0 when there is none)."""
    import psycopg

    try:
        with psycopg.connect(f"{SERVER}/{DB}") as conn:
            row = conn.execute(
                "SELECT count(*) FROM disclosure_publication WHERE status = 'published'"
            ).fetchone()
    except psycopg.Error:
        return 0
    return int(row[0]) if row else 0


def _reuse(tmp: str) -> None:
    os.environ["SANXIANG_VAR_DIR"] = tmp
    django_setup(database_url=f"{SERVER}/{DB}")
    from sanxiang.directory.models import Agency

    print(f"# reusing the kept database of {N} decisions", file=sys.stderr)
    _report(Agency.objects.get(name="基准区民族和宗教事务局").pk)
    from django.db import connections

    connections.close_all()
    if not os.environ.get("SANXIANG_BENCH_SKIP_WEB"):
        _web(tmp)
    _masking()


def main() -> None:
    tmp = tempfile.mkdtemp(prefix="sx-bench-disclosure-")
    if os.environ.get("SANXIANG_BENCH_REUSE") and _kept_size() == N:
        _reuse(tmp)
        return
    _admin(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    _admin(f"CREATE DATABASE {DB}")
    try:
        os.environ["SANXIANG_VAR_DIR"] = tmp
        django_setup(database_url=f"{SERVER}/{DB}")
        from datetime import date

        from django.core.management import call_command
        from django.db import connections

        from sanxiang.accounts.models import Role, User
        from sanxiang.catalog.models import Matter, MatterVersion
        from sanxiang.directory.models import Agency, AgencyLevel

        call_command("migrate", verbosity=0)
        agency = Agency.objects.create(
            name="基准区民族和宗教事务局", level=AgencyLevel.DEPARTMENT, short_name="基"
        )
        matter = Matter.objects.create(agency=agency, code="CF-1")
        MatterVersion.objects.create(
            matter=matter,
            number=1,
            valid_from=date(2020, 1, 1),
            category="penalty",
            name="为违法宗教活动提供条件",
            handling_unit="股",
        )
        user = User.objects.create(username="bench", role=Role.HEAD, agency=agency)
        started = time.monotonic()
        _load(agency.pk, matter.pk, user.pk)
        print(f"# loaded {N} cases in {time.monotonic() - started:.0f} s", file=sys.stderr)
        _report(agency.pk)
        connections.close_all()
        if not os.environ.get("SANXIANG_BENCH_SKIP_WEB"):
            _web(tmp)
        _masking()
    finally:
        from django.db import connections

        connections.close_all()
        if not os.environ.get("SANXIANG_BENCH_KEEP"):
            _admin(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")


if __name__ == "__main__":
    main()
