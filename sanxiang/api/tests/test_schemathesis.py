"""The OpenAPI is complete and precise: schemathesis fuzzes the running server (a live server on
a test database, signed in as an administrator; the exchange operations with signed requests)
and finds no server error, no answer outside the documented statuses, content types and
schemas, and no schema-valid request refused (``positive_data_acceptance``, on every
operation). Seeded and with few examples per operation (``SANXIANG_SCHEMATHESIS_EXAMPLES``,
default 5; ``SANXIANG_SCHEMATHESIS_SEED`` to explore), so the run is deterministic and takes a
minute or two."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from sanxiang.disclosure.tests.helpers import published
from sanxiang.exchange import services
from sanxiang.exchange.models import ClientUse, Scope
from sanxiang.testing import World, signed_in

pytestmark = [pytest.mark.xdist_group("schemathesis")]
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "response_headers_conformance",
        "positive_data_acceptance",
    ]
)
CSRF = "schemathesisCsrfToken0123456789a"  # 32 characters: a valid unmasked CSRF secret


@pytest.mark.django_db(transaction=True)
def test_schemathesis_finds_no_server_error_and_no_schema_violation(live_server, tmp_path):
    world = World.build()
    published(world)
    session = signed_in(world.admin).cookies["sessionid"].value
    # The exchange operations are called with signed requests (schemathesis_hooks.py) by a
    # key with every scope on the world's agency.
    key = services.create_client(
        actor=world.admin,
        data=services.ClientData(
            name="schemathesis",
            system="provincial",
            scopes=list(Scope.values),
            agency_ids=[world.agency.pk],
        ),
    )
    root = Path(__file__).resolve().parents[3]
    env = {
        **os.environ,
        "PYTHONPATH": str(root),
        "SCHEMATHESIS_HOOKS": "sanxiang.api.tests.schemathesis_hooks",
        "SANXIANG_SCHEMATHESIS_KEY": key.client.key_id,
        "SANXIANG_SCHEMATHESIS_SECRET": key.secret,
        "SANXIANG_SCHEMATHESIS_HASH": settings.SANXIANG_HASH,
    }
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "run",
        f"{live_server.url}/api/v1/openapi.json",
        "--checks",
        CHECKS,
        "--max-examples",
        os.environ.get("SANXIANG_SCHEMATHESIS_EXAMPLES", "5"),
        "--seed",
        os.environ.get("SANXIANG_SCHEMATHESIS_SEED", "20261202"),
        "--workers",
        "1",
        "--header",
        f"Cookie: sessionid={session}; csrftoken={CSRF}",
        "--header",
        f"X-CSRFToken: {CSRF}",
        "--no-color",
    ]
    result = subprocess.run(  # noqa: S603 - our own fixed command line
        command, capture_output=True, text=True, timeout=600, cwd=tmp_path, env=env, check=False
    )
    (tmp_path / "schemathesis.txt").write_text(result.stdout + result.stderr)
    report = result.stdout[-12000:] + result.stderr[-3000:]
    assert result.returncode == 0, f"{tmp_path}/schemathesis.txt\n{report}"
    assert "Authentication failed" not in result.stdout, report  # the signatures were accepted
    exchange = ClientUse.objects.filter(client=key.client)
    assert exchange.filter(outcome="accepted").count() >= 6, report  # each exchange operation
    assert not exchange.exclude(outcome__in=["accepted", "refused_after_auth"]).exists()
    tested = re.search(r"Tested: (\d+)", result.stdout)
    assert tested is not None and int(tested.group(1)) >= 35, report  # every operation was run
