"""The OpenAPI is complete: schemathesis fuzzes the running server (a live server on a test
database, signed in as an administrator) and finds no server error and no answer outside the
documented statuses, content types and schemas. Seeded and with few examples per operation, so
the run is deterministic and takes a minute or two."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from sanxiang.disclosure.tests.helpers import published
from sanxiang.testing import World, signed_in

pytestmark = [pytest.mark.xdist_group("schemathesis")]
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "response_headers_conformance",
    ]
)
CSRF = "schemathesisCsrfToken0123456789a"  # 32 characters: a valid unmasked CSRF secret


@pytest.mark.django_db(transaction=True)
def test_schemathesis_finds_no_server_error_and_no_schema_violation(live_server, tmp_path):
    world = World.build()
    published(world)
    session = signed_in(world.admin).cookies["sessionid"].value
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "run",
        f"{live_server.url}/api/v1/openapi.json",
        "--checks",
        CHECKS,
        "--max-examples",
        os.environ.get("SANXIANG_SCHEMATHESIS_EXAMPLES", "5"),
        "--seed",
        "20261202",
        "--workers",
        "1",
        "--header",
        f"Cookie: sessionid={session}; csrftoken={CSRF}",
        "--header",
        f"X-CSRFToken: {CSRF}",
        "--no-color",
    ]
    result = subprocess.run(  # noqa: S603 - our own fixed command line
        command, capture_output=True, text=True, timeout=600, cwd=tmp_path, check=False
    )
    report = result.stdout[-12000:] + result.stderr[-3000:]
    assert result.returncode == 0, report
    tested = re.search(r"Tested: (\d+)", result.stdout)
    assert tested is not None and int(tested.group(1)) >= 35, report  # every operation was run
