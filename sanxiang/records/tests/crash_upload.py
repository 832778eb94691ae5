"""A process that starts a real upload through the records service and never finishes it.

Run by test_crash.py, which kills it with SIGKILL mid-upload. Its own SQLite database and
directories come from the environment (SANXIANG_DATABASE_URL, SANXIANG_VAR_DIR, …).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanxiang.settings")


class SlowStream:
    """A request body arriving slowly: 64 KiB every 10 ms, far more than will ever arrive."""

    def __init__(self) -> None:
        self.sent = 0

    def read(self, size: int = -1) -> bytes:
        time.sleep(0.01)
        chunk = (b"\x1a\x45\xdf\xa3" + b"webm" + bytes(65528)) if self.sent == 0 else bytes(65536)
        self.sent += len(chunk)
        if self.sent == len(chunk):
            print("uploading", flush=True)
        return chunk


def main() -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    # A throwaway database: cheap password hashing for the people of the test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    call_command("migrate", verbosity=0)
    from sanxiang.cases.testing import open_test_case
    from sanxiang.records import services
    from sanxiang.testing import World

    world = World.build()
    case = open_test_case(world)
    data = services.RecordData(
        case_id=case.pk, evidence_type="audiovisual", media_kind="video", title="现场录像"
    )
    services.add_record(actor=world.officer, data=data, stream=SlowStream(), length=1 << 30)
    print("finished", flush=True)  # never reached: the test kills us first


if __name__ == "__main__":
    main()
