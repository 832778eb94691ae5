"""Upload of a large file through the records service (issue 4).

``records.services.add_record`` reads the file as a request body in 1 MiB chunks, hashes it,
spools it to the temporary directory, checks it, moves it to its content address and writes the
row and ledger entry. Compared with ``sha256sum`` of the same file in the same run (page cache
warm for both). Peak memory growth is the VmHWM of this process during the upload minus its
VmRSS before (VmHWM is reset through /proc/self/clear_refs first).

Size: 1 GiB by default; ``SANXIANG_BENCH_RECORDS_MB`` scales it.
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
    django_setup(database_url=f"sqlite:///{work / 'bench.sqlite3'}")
    try:
        run_bench(work, size)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run_bench(work: Path, size: int) -> None:
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


if __name__ == "__main__":
    main()
