"""Run every benchmark (bench/bench_*.py), each in its own process, and pass on its BENCH lines.

Each script prints lines of the form
``BENCH <name> value=<v> unit=<u> ratio=<r> target=<t>`` where ``ratio`` compares with a
baseline measured in the same run, oriented so that higher is better (DESIGN.md).
``python bench/run.py masking ledger`` runs only the scripts whose names contain those words.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    wanted = sys.argv[1:]
    scripts = sorted(HERE.glob("bench_*.py"))
    if wanted:
        scripts = [s for s in scripts if any(w in s.stem for w in wanted)]
    env = {**os.environ, "PYTHONPATH": str(HERE.parent)}
    failed = 0
    for script in scripts:
        result = subprocess.run(  # noqa: S603 - our own scripts
            [sys.executable, str(script)], env=env, capture_output=True, text=True, check=False
        )
        for line in result.stdout.splitlines():
            if line.startswith("BENCH "):
                print(line, flush=True)
        if result.returncode != 0:
            failed += 1
            print(f"# {script.name} failed (exit {result.returncode}):", file=sys.stderr)
            print(result.stderr[-2000:], file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
