"""Helpers for benchmark scripts: Django set-up against a throwaway database, timing, output."""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def django_setup(*, database_url: str | None = None) -> None:
    """Configure Django for a benchmark. ``database_url`` overrides SANXIANG_DATABASE_URL."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanxiang.settings")
    # Production-like settings (DEBUG off) so template and query overheads are the real ones.
    os.environ.setdefault("SANXIANG_DEBUG", "0")
    os.environ.setdefault("SANXIANG_INSECURE_DEV_KEY", "1")
    os.environ.setdefault("SANXIANG_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    if database_url:
        os.environ["SANXIANG_DATABASE_URL"] = database_url
    import django

    django.setup()


PG_SERVER = os.environ.get("SANXIANG_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")


def pg_admin(sql: str) -> None:
    """Run ``sql`` on the server's ``postgres`` database (CREATE/DROP DATABASE)."""
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]  # our own constant SQL


@contextmanager
def throwaway_database(name: str, *, env: dict[str, str] | None = None) -> Iterator[bool]:
    """A fresh PostgreSQL database ``name``, Django set up on it and migrated; dropped after.

    Yields False (and prints why) when no server answers: these figures are about PostgreSQL,
    so without one there is nothing to measure. ``env`` is set before Django starts.
    """
    import psycopg

    assert not urlparse(PG_SERVER).path.strip("/"), "SANXIANG_BENCH_PG_URL names the server only"
    try:
        pg_admin(f"DROP DATABASE IF EXISTS {name}")
    except psycopg.OperationalError as error:
        print(f"# {name} skipped: PostgreSQL not reachable at {PG_SERVER}: {error}")
        yield False
        return
    pg_admin(f"CREATE DATABASE {name}")
    try:
        os.environ.update(env or {})
        django_setup(database_url=f"{PG_SERVER}/{name}")
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        yield True
    finally:
        close_connections()
        pg_admin(f"DROP DATABASE IF EXISTS {name}")


def close_connections() -> None:
    """Stop the ledger's after-commit integrator thread, then close every connection: a
    database dropped under a live integrator leaves it failing (and logging) on its next pass."""
    from django.db import connections

    from sanxiang.ledger.background import integrator

    integrator.stop()
    connections.close_all()


def best_of(repeat: int, fn: Callable[[], object]) -> float:
    """The fastest of ``repeat`` runs of ``fn``, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def median_of(repeat: int, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def emit(name: str, *, value: float, unit: str, ratio: float, target: str, goal: str = "") -> None:
    """Print one line in the format DESIGN.md fixes."""
    line = f"BENCH {name} value={value:.4g} unit={unit} ratio={ratio:.3f} target={target}"
    if goal:
        line += f" goal={goal}"
    print(line, flush=True)
