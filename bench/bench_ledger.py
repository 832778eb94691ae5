"""Ledger benchmarks on PostgreSQL (own database ``sx_bench_ledger``, created and dropped here).

(a) ``ledger_append_8_writers``: business transactions/s with 8 concurrent writer processes,
    each transaction inserting a plain row plus its ledger entry (``ledger.services.append``,
    integration after commit included), as a ratio to the same transactions inserting the
    same two rows as plain INSERTs (an entry-shaped table without hashing or integrator).
(b) ``ledger_verify``: ``verify_ledger`` entries/s over N entries (two signed checkpoints), as
    a ratio to bare ``hashlib`` over the same leaves from memory: SHA-256 of each payload, of
    each leaf input, and the node hashes folding them into the root. N =
    ``SANXIANG_BENCH_LEDGER_N`` (default 200,000 to keep ``make bench`` short; the issue's
    figure is 1,000,000).
(c) ``ledger_inclusion_proof``: ``ledger.services.prove_inclusion`` for one entry of a log of
    M leaves whose Node table is built synthetically with generate_series (hashes are random:
    the proof is read, not checked), in ms; ratio = one primary-key SELECT of an entry (the
    cheapest read there is) ÷ the proof. M = ``SANXIANG_BENCH_LEDGER_PROOF_N`` (default
    1,000,000; the issue's figure is 10,000,000).
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import best_of, django_setup, emit

DB = "sx_bench_ledger"
PG = os.environ.get("SANXIANG_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
WRITERS = 8
PER_WRITER = int(os.environ.get("SANXIANG_BENCH_LEDGER_TX", "200"))
VERIFY_N = int(os.environ.get("SANXIANG_BENCH_LEDGER_N", "200000"))
PROOF_N = int(os.environ.get("SANXIANG_BENCH_LEDGER_PROOF_N", "1000000"))


def psql(sql: str) -> None:
    subprocess.run(  # noqa: S603 - fixed command, our own SQL
        ["psql", f"{PG}/postgres", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql],  # noqa: S607
        check=True,
        capture_output=True,
    )


def setup_database() -> None:
    psql(f"DROP DATABASE IF EXISTS {DB}")
    psql(f"CREATE DATABASE {DB}")
    os.environ["SANXIANG_VAR_DIR"] = f"/tmp/{DB}"  # noqa: S108 - the bench's throwaway key
    django_setup(database_url=f"{PG}/{DB}")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_plain (id bigserial PRIMARY KEY, note text NOT NULL)")
        # The same columns, indexes and identity as ledger_entry, without triggers.
        cursor.execute("CREATE TABLE bench_entry (LIKE ledger_entry INCLUDING ALL)")


# --- (a) appends with 8 writers ----------------------------------------------------------------


def _writer(kind: str, number: int, start: multiprocessing.synchronize.Barrier) -> None:
    from django.db import connection, transaction

    from sanxiang.ledger import registry, services
    from sanxiang.ledger.encoding import timestamp_text

    registry.register(registry.EventType("bench.append", "基准测试事件"))
    connection.close()
    start.wait()
    for i in range(PER_WRITER):
        payload = {"writer": number, "i": i, "note": f"立案审批 案号(2026)第{i:05d}号"}
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_plain (note) VALUES (%s)", [f"w{number} {i}"])
            if kind == "ledger":
                services.append(event_type="bench.append", payload=payload, agency_id=1)
            else:
                # The same row a ledger entry is, written plainly (hashes as placeholders).
                body = str(payload)
                now = datetime.now(tz=UTC)
                cursor.execute(
                    "INSERT INTO bench_entry (created_at, actor_id, actor_label, agency_id, "
                    "case_id, event_type, payload, payload_hash, leaf_hash) "
                    "VALUES (%s, NULL, 'system', 1, NULL, 'bench.append', %s, %s, %s)",
                    [now, body, timestamp_text(now).ljust(64, "0"), "0" * 64],
                )
    connection.close()


def _run_writers(kind: str) -> float:
    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("fork")
    start = context.Barrier(WRITERS + 1)
    procs = [context.Process(target=_writer, args=(kind, n, start)) for n in range(WRITERS)]
    for proc in procs:
        proc.start()
    start.wait()
    began = time.perf_counter()
    for proc in procs:
        proc.join()
        assert proc.exitcode == 0, f"{kind} writer failed"
    if kind == "ledger":  # whatever the writers' integrator threads left, counted in the time
        from sanxiang.ledger import services

        services.integrate()
    return WRITERS * PER_WRITER / (time.perf_counter() - began)


def bench_appends() -> None:
    from sanxiang.ledger import services
    from sanxiang.ledger.models import Entry

    plain, ledger = [], []
    for _ in range(3):  # interleaved, so both see the same machine load
        plain.append(_run_writers("plain"))
        ledger.append(_run_writers("ledger"))
    services.integrate()
    seqs = list(Entry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(len(seqs))), "positions are not contiguous"
    value, base = statistics.median(ledger), statistics.median(plain)
    emit("ledger_append_8_writers", value=value, unit="tx/s", ratio=value / base, target=">=0.5")


# --- (b) verify_ledger over N entries ------------------------------------------------------


def _synthetic_entries(first: int, count: int, base: datetime):
    from sanxiang.ledger.encoding import fast_leaf_input, timestamp_text
    from sanxiang.lib.canonical import canonical_bytes

    for seq in range(first, first + count):
        created = base + timedelta(microseconds=seq * 7)
        payload = canonical_bytes({"case": seq // 10, "step": "调查取证", "n": seq}).decode()
        payload_hash = hashlib.sha256(payload.encode()).hexdigest()
        t = timestamp_text(created)
        leaf_input = fast_leaf_input(t, 1, "officer", 1, seq // 10, "case.step", payload_hash)
        leaf = hashlib.sha256(b"\x00" + leaf_input).digest()
        yield seq, created, payload, payload_hash, leaf, leaf_input


def _load(first: int, count: int, base: datetime, stack: list[bytes]) -> tuple[list, list]:
    """COPY entries [first, first + count) and the nodes they complete; keep the inputs."""
    from django.db import connection

    from sanxiang.ledger import tree

    payloads, inputs = [], []
    with connection.cursor() as cursor:
        raw = cursor.cursor
        leaves = []
        with raw.copy(
            "COPY ledger_entry (seq, created_at, actor_id, actor_label, agency_id, case_id, "
            "event_type, payload, payload_hash, leaf_hash) FROM STDIN"
        ) as copy:
            for seq, created, payload, payload_hash, leaf, leaf_input in _synthetic_entries(
                first, count, base
            ):
                copy.write_row(
                    (seq, created, 1, "officer", 1, seq // 10, "case.step", payload,
                     payload_hash, leaf.hex())
                )  # fmt: skip
                leaves.append(leaf)
                payloads.append(payload.encode())
                inputs.append(leaf_input)
        nodes = tree.grow(first, stack, leaves)
        with raw.copy("COPY ledger_node (level, index, hash) FROM STDIN") as copy:
            for node in nodes:
                copy.write_row(node)
    return payloads, inputs


def bench_verify() -> None:
    from django.db import connection

    from sanxiang.ledger import services
    from sanxiang.ledger.verify import verify_ledger

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE ledger_entry, ledger_node, ledger_checkpoint CASCADE")
    base = datetime(2026, 1, 1, tzinfo=UTC)
    stack: list[bytes] = []
    half = VERIFY_N // 2
    payloads, inputs = _load(0, half, base, stack)
    services.make_checkpoint()
    more_payloads, more_inputs = _load(half, VERIFY_N - half, base, stack)
    payloads += more_payloads
    inputs += more_inputs
    services.make_checkpoint()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE ledger_entry")

    def bare() -> None:
        # The hashing verify_ledger cannot avoid, from memory: each payload, each leaf, and
        # the tree's node hashes folding the leaves into the root.
        sha256 = hashlib.sha256
        stack: list[bytes] = []
        for count, (payload, leaf_input) in enumerate(zip(payloads, inputs, strict=True), 1):
            sha256(payload).digest()
            value, merges = sha256(b"\x00" + leaf_input).digest(), count
            while not merges & 1:
                value = sha256(b"\x01" + stack.pop() + value).digest()
                merges >>= 1
            stack.append(value)

    def verify() -> None:
        report = verify_ledger()
        assert report.ok and report.entries == VERIFY_N, report.problems[:3]

    t_bare = best_of(3, bare)
    t_verify = best_of(2, verify)
    emit(
        f"ledger_verify_{VERIFY_N}",
        value=VERIFY_N / t_verify,
        unit="entries/s",
        ratio=t_bare / t_verify,
        target=">=0.3",
    )


# --- (c) one inclusion proof in a log of M leaves ------------------------------------------


def bench_proof() -> None:
    from django.db import connection

    from sanxiang.ledger import services, tree
    from sanxiang.ledger.models import Entry

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE ledger_entry, ledger_node, ledger_checkpoint CASCADE")
        cursor.execute("ALTER TABLE ledger_node DROP CONSTRAINT ledger_node_position_uniq")
        for level in range(PROOF_N.bit_length()):
            count = PROOF_N >> level
            if count:
                cursor.execute(
                    "INSERT INTO ledger_node (level, index, hash) SELECT %s, i, "
                    "sha256(int8send(i * 64 + %s)) FROM generate_series(0, %s) AS i",
                    [level, level, count - 1],
                )
        cursor.execute(
            "ALTER TABLE ledger_node ADD CONSTRAINT ledger_node_position_uniq UNIQUE (level, index)"
        )
        cursor.execute("VACUUM ANALYZE ledger_node")
    rng = random.Random(4)
    picks = [rng.randrange(PROOF_N) for _ in range(200)]
    ids = []
    with connection.cursor() as cursor:
        for seq in picks:  # the entries whose proofs are asked for
            cursor.execute(
                "INSERT INTO ledger_entry (seq, created_at, actor_label, event_type, payload, "
                "payload_hash, leaf_hash) VALUES (%s, now(), 'x', 'bench', '{}', %s, %s) "
                "ON CONFLICT DO NOTHING RETURNING id",
                [seq, "0" * 64, "0" * 64],
            )
            row = cursor.fetchone()
            if row:
                ids.append(row[0])
        # A checkpoint of the synthetic tree: signed as usual, root read from the nodes.
        cursor.execute(
            "INSERT INTO ledger_entry (seq, created_at, actor_label, event_type, payload, "
            "payload_hash, leaf_hash) VALUES (%s, now(), 'x', 'bench', '{}', %s, %s) "
            "ON CONFLICT DO NOTHING",
            [PROOF_N - 1, "0" * 64, "0" * 64],
        )
    checkpoint = services.make_checkpoint()
    assert checkpoint.tree_size == PROOF_N
    assert len(tree.inclusion_proof(picks[0], PROOF_N)) == len(
        tree.merkle.subtree_ranges_for_inclusion(picks[0], PROOF_N)
    )

    def proofs() -> None:
        for entry_id in ids:
            services.prove_inclusion(entry_id)

    def lookups() -> None:
        for entry_id in ids:
            Entry.objects.filter(pk=entry_id).first()

    proofs()  # warm the cache as a running server would be
    t_proof = best_of(3, proofs) / len(ids)
    t_lookup = best_of(3, lookups) / len(ids)
    emit(
        f"ledger_inclusion_proof_{PROOF_N}",
        value=t_proof * 1000,
        unit="ms",
        ratio=t_lookup / t_proof,
        target="<5ms",
    )


def main() -> None:
    parts = os.environ.get("SANXIANG_BENCH_LEDGER_PARTS", "append,verify,proof").split(",")
    setup_database()
    try:
        if "append" in parts:
            bench_appends()
        if "verify" in parts:
            bench_verify()
        if "proof" in parts:
            bench_proof()
    finally:
        from django.db import connections

        connections.close_all()
        psql(f"DROP DATABASE IF EXISTS {DB}")


if __name__ == "__main__":
    main()
