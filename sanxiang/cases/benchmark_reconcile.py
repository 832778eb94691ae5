"""The 裁量基准's side of ``verify_ledger``'s state check (``ledger.reconcile``): every version
written by a ``cases.benchmark_saved`` entry naming its content hash, still hashing to it, and
each line still what its latest version says."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sanxiang.directory import versioning
from sanxiang.ledger.reconcile import Divergence, Fact, Reconciler

from .models import (
    BENCHMARK_FIELDS,
    BENCHMARK_KIND,
    DiscretionBenchmark,
    DiscretionBenchmarkVersion,
)

EVENT_TYPES = ("cases.benchmark_saved",)


def check(facts: Sequence[Fact]) -> Iterable[Divergence]:
    rows = DiscretionBenchmark.objects.filter(version__gt=0)
    caches = versioning.current_hashes(rows, BENCHMARK_KIND, BENCHMARK_FIELDS)
    yield from versioning.reconcile_versions(
        kind=BENCHMARK_KIND,
        table="cases_discretionbenchmarkversion",
        facts=facts,
        versions=DiscretionBenchmarkVersion.objects.order_by("pk"),
        fields=BENCHMARK_FIELDS,
        caches=caches,
        owner="benchmark_id",
    )


RECONCILER = Reconciler("cases.benchmarks", EVENT_TYPES, check)
