"""Upload of a large file through the records service (issue 4).

``records.services.add_record`` reads the file as a request body in 1 MiB chunks, hashes it,
spools it to the temporary directory, checks it, moves it to its content address and writes the
row and ledger entry. Compared with ``sha256sum`` of the same file in the same run (page cache
warm for both). Peak memory growth is the VmHWM of this process during the upload minus its
VmRSS before (VmHWM is reset through /proc/self/clear_refs first).

Size: 1 GiB by default; ``SANXIANG_BENCH_RECORDS_MB`` scales it.

Resumable upload (issue 11, field capture): the same file sent through the web stack (Django's
test client: middleware, session, CSRF, auth) once as one ``PUT`` (records.js) and once in
chunks through the tus endpoints, each chunk with its SHA-256, the whole file verified at the
end. The ratio is the single request's time over the chunked upload's. Two chunk sizes: the
capture page's largest (16 MiB, which it reaches while chunks go through in under 2 s) and its
first (``SANXIANG_UPLOAD_CHUNK_KB``, 2 MiB, where a weak link stays). The client's hashing
(the phone's work: the whole-file SHA-256 it declares and each chunk's) is done before the
clock starts; the network is not in it (in-process for both). Size: 128 MiB,
``SANXIANG_BENCH_RESUMABLE_MB``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import best_of, django_setup, emit

MIB = 1024 * 1024
HEADER = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm"


def status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def reset_peak() -> None:
    # On kernels without it, growth is measured against the process's earlier peak instead.
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def make_file(path: Path, size: int) -> None:
    block = os.urandom(8 * MIB)
    with open(path, "wb") as out:
        out.write(HEADER)
        written = len(HEADER)
        while written < size:
            piece = block[: min(len(block), size - written)]
            out.write(piece)
            written += len(piece)


def vary(path: Path, run: int) -> None:
    """A different file content per run, so deduplication never skips the store."""
    with open(path, "r+b") as f:
        f.seek(len(HEADER))
        f.write(run.to_bytes(8, "big") + os.urandom(8))


def main() -> None:
    size = int(os.environ.get("SANXIANG_BENCH_RECORDS_MB", "1024")) * MIB
    work = Path(tempfile.mkdtemp(prefix="bench-records-"))
    os.environ["SANXIANG_VAR_DIR"] = str(work / "var")
    os.environ["SANXIANG_S3_ENDPOINT"] = ""
    os.environ["SANXIANG_REQUIRE_OTP"] = "0"
    os.environ["SANXIANG_AXES_ENABLED"] = "0"
    django_setup(database_url=f"sqlite:///{work / 'bench.sqlite3'}")
    try:
        world, case = run_bench(work, size)
        run_resumable(world, case, int(os.environ.get("SANXIANG_BENCH_RESUMABLE_MB", "128")) * MIB)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run_bench(work: Path, size: int) -> tuple[Any, Any]:
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from sanxiang.cases.testing import open_test_case
    from sanxiang.records import services
    from sanxiang.testing import World

    world = World.build()
    case = open_test_case(world)
    source = work / "video.webm"
    make_file(source, size)
    sha256sum = shutil.which("sha256sum") or "sha256sum"

    def baseline() -> None:
        subprocess.run([sha256sum, str(source)], check=True, capture_output=True)  # noqa: S603

    runs = iter(range(1, 100))

    def ours() -> None:
        vary(source, next(runs))
        data = services.RecordData(
            case_id=case.pk, evidence_type="audiovisual", media_kind="video", title="录像"
        )
        with open(source, "rb") as stream:
            services.add_record(actor=world.officer, data=data, stream=stream, length=size)

    baseline()  # warm the page cache
    base_s = best_of(2, baseline)
    rss_before = status_kib("VmRSS")
    reset_peak()
    ours_s = best_of(2, ours)
    peak_growth_mib = (status_kib("VmHWM") - rss_before) / 1024
    mb = size / MIB
    emit(
        "records_upload_throughput",
        value=mb / ours_s,
        unit="MiB/s",
        ratio=base_s / ours_s,
        target="0.7",
    )
    emit(
        "records_upload_peak_memory_growth",
        value=peak_growth_mib,
        unit="MiB",
        ratio=64 / max(peak_growth_mib, 0.1),
        target="1",
        goal="<64MiB",
    )
    settings.SANXIANG_HASH = "sm3"
    start = time.perf_counter()
    ours()
    sm3_s = time.perf_counter() - start
    emit(
        "records_upload_throughput_sm3",
        value=mb / sm3_s,
        unit="MiB/s",
        ratio=base_s / sm3_s,
        target="0.7",
    )
    print(f"# size={mb:.0f} MiB sha256sum={base_s:.2f}s upload={ours_s:.2f}s sm3={sm3_s:.2f}s")
    settings.SANXIANG_HASH = "sha256"
    return world, case


def run_resumable(world: Any, case: Any, size: int) -> None:
    from sanxiang.records import resumable

    for chunk, name, target in (
        (resumable.page_chunk_ceiling(), "records_resumable_upload_throughput", "0.5"),
        (resumable.chunk_bytes(), "records_resumable_upload_throughput_small_chunks", "0.3"),
    ):
        resumable_once(world, case, size, chunk=chunk, name=name, target=target)


def resumable_once(world: Any, case: Any, size: int, *, chunk: int, name: str, target: str) -> None:
    import base64
    import hashlib

    from django.test import Client

    from sanxiang.records.tests import tus_client as tus

    client = Client()
    client.force_login(world.officer)
    content = bytearray(HEADER + os.urandom(size - len(HEADER)))
    runs = iter(range(1, 100))

    def fresh() -> bytes:
        content[len(HEADER) : len(HEADER) + 8] = next(runs).to_bytes(8, "big")
        return bytes(content)

    single_url = (
        f"/records/case/{case.pk}/upload/?title=%E5%BD%95%E5%83%8F&evidence_type=audiovisual"
        "&media_kind=video&label=internal&name=v.webm"
    )

    def single() -> float:
        body = fresh()
        start = time.perf_counter()
        response = client.generic(
            "PUT",
            single_url,
            data=body,
            content_type="application/octet-stream",
            headers={"Accept": "application/json"},
        )
        elapsed = time.perf_counter() - start
        assert response.status_code == 201, response.content
        return elapsed

    def chunked() -> float:
        body = fresh()
        # The phone's work, before the clock: the whole file's SHA-256 and each chunk's.
        digest = hashlib.sha256(body).hexdigest()
        pieces = [
            (at, body[at : at + chunk], hashlib.sha256(body[at : at + chunk]).digest())
            for at in range(0, len(body), chunk)
        ]
        start = time.perf_counter()
        created = tus.create(client, case.pk, body, media_kind="video", sha256=digest)
        assert created.status_code == 201, created.content
        url = created["Location"]
        last: Any = None
        for at, piece, piece_digest in pieces:
            last = tus.patch(
                client,
                url,
                at,
                piece,
                digest="sha256 " + base64.b64encode(piece_digest).decode(),
            )
            assert last.status_code == 204, last.content
        elapsed = time.perf_counter() - start
        assert last["X-Record-Id"]
        return elapsed

    single()  # warm
    single_s = min(single() for _ in range(3))
    chunked_s = min(chunked() for _ in range(3))
    mb = size / MIB
    emit(
        name,
        value=mb / chunked_s,
        unit="MiB/s",
        ratio=single_s / chunked_s,
        target=target,
        goal=f"chunks_of_{chunk // 1024}KiB",
    )
    print(
        f"# resumable size={mb:.0f} MiB chunk={chunk // 1024} KiB "
        f"single PUT={single_s:.2f}s ({mb / single_s:.0f} MiB/s) "
        f"chunked={chunked_s:.2f}s ({mb / chunked_s:.0f} MiB/s, {-(-size // chunk)} chunks)"
    )


if __name__ == "__main__":
    main()
