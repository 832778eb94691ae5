"""Run by tests/test_replica.py in its own process, against a primary and its streaming standby
(SANXIANG_DATABASE_URL, SANXIANG_REPLICA_URL): prints what the portal and the staff side saw."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanxiang.settings")

import django

django.setup()

import psycopg  # noqa: E402
from django.db import connections  # noqa: E402
from django.test import Client  # noqa: E402

from sanxiang.disclosure import services  # noqa: E402
from sanxiang.disclosure.models import CorrectionReport, Publication  # noqa: E402
from sanxiang.disclosure.tests.helpers import published  # noqa: E402
from sanxiang.testing import World  # noqa: E402

STANDBY = os.environ["SANXIANG_REPLICA_URL"]
LIST = "/gongshi/jueding/"


def standby(sql: str) -> object:
    with psycopg.connect(STANDBY, autocommit=True) as conn:
        row = conn.execute(sql).fetchone()
        return row[0] if row else None


def wait_replayed() -> None:
    with connections["default"].cursor() as cur:
        cur.execute("SELECT pg_current_wal_lsn()::text")
        lsn = cur.fetchone()[0]
    deadline = time.monotonic() + 30
    while not standby(f"SELECT pg_last_wal_replay_lsn() >= '{lsn}'::pg_lsn"):
        if time.monotonic() > deadline:
            raise RuntimeError("the standby did not catch up in 30 s")
        time.sleep(0.05)


for alias in ("default", "replica"):
    connections[alias].force_debug_cursor = True


seen_sql: dict[str, list[str]] = {"default": [], "replica": []}


def reads(fn):  # (result, {alias: number of SELECTs of disclosure_publication while fn ran})
    for alias in ("default", "replica"):
        seen_sql[alias].extend(q["sql"] for q in connections[alias].queries_log)
        connections[alias].queries_log.clear()
    result = fn()
    counts = {
        alias: sum(
            1
            for q in connections[alias].queries_log
            if q["sql"].startswith("SELECT") and "disclosure_publication" in q["sql"]
        )
        for alias in ("default", "replica")
    }
    return result, counts


def main() -> None:
    out: dict[str, object] = {"standby_in_recovery": standby("SELECT pg_is_in_recovery()")}
    world = World.build()
    first = published(world, text="副本测试：第一件决定。")
    wait_replayed()
    page, counts = reads(lambda: Client().get(LIST))
    out["caught_up"] = {
        "status": page.status_code,
        "shows_first": first.doc_number in page.text,
        "reads": counts,
        "cache": page.get("X-Portal-Cache"),
    }
    detail, counts = reads(lambda: Client().get(f"{LIST}{first.pk}/"))
    out["detail_reads"] = counts
    out["detail_status"] = detail.status_code

    # Lag: the standby stops replaying; the primary goes on.
    standby("SELECT pg_wal_replay_pause()")
    deadline = time.monotonic() + 10
    while standby("SELECT pg_get_wal_replay_pause_state()") != "paused":
        if time.monotonic() > deadline:
            raise RuntimeError("replay did not pause")
        time.sleep(0.05)
    second = published(world, text="副本测试：第二件决定。")
    services.withdraw(
        actor=world.head, publication_id=first.pk, reason_kind="void", reason="确认无效"
    )
    page, counts = reads(lambda: Client().get(LIST))
    again = Client().get(LIST)
    out["lagging"] = {
        "status": page.status_code,
        "shows_first": first.doc_number in page.text,
        "shows_second": second.doc_number in page.text,
        "reads": counts,
        "cache": page.get("X-Portal-Cache"),
        "cache_again": again.get("X-Portal-Cache"),
        "second_detail": Client().get(f"{LIST}{second.pk}/").status_code,
        "search_status": Client().get(f"{LIST}?q=副本测试").status_code,
        "primary_sees_second": Publication.objects.filter(
            pk=second.pk, status="published"
        ).exists(),
        "primary_sees_first_withdrawn": Publication.objects.filter(
            pk=first.pk, status="withdrawn"
        ).exists(),
    }
    citizen = Client()
    posted = citizen.post(
        "/gongshi/jiucuo/",
        {
            "kind": "other",
            "agency": world.agency.pk,
            "description": "公示的办公地址有误，应为某路9号。",
        },
    )
    track = citizen.get(posted["Location"]) if posted.status_code == 302 else None
    out["correction"] = {
        "status": posted.status_code,
        "on_primary": CorrectionReport.objects.filter(description__contains="某路9号").exists(),
        "track_status": track.status_code if track else None,
        "sticky_cookie": "sx_primary" in posted.cookies,
    }

    standby("SELECT pg_wal_replay_resume()")
    wait_replayed()
    page = Client().get(LIST)
    out["after_catch_up"] = {
        "status": page.status_code,
        "shows_first": first.doc_number in page.text,
        "shows_second": second.doc_number in page.text,
        "cache": page.get("X-Portal-Cache"),
        "cache_again": Client().get(LIST)["X-Portal-Cache"],
    }
    seen_sql["replica"].extend(q["sql"] for q in connections["replica"].queries_log)
    out["replica_statements"] = len(seen_sql["replica"])
    out["writes_on_replica"] = [
        sql[:80]
        for sql in seen_sql["replica"]
        if not sql.lstrip().upper().startswith(("SELECT", "SET", "SHOW"))
    ]
    print("RESULT " + json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
