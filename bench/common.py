"""Helpers for benchmark scripts: Django set-up against a throwaway database, timing, output."""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

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
