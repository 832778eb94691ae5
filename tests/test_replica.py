"""Portal reads on a read replica (issue 12 item 8): the router, and a real streaming standby.

The second test starts its own PostgreSQL primary with ``initdb`` on a free port, copies it
with ``pg_basebackup -R`` into a hot standby on another port (physical streaming replication),
and runs tests/replica_scenario.py against the pair: the portal reads from the standby, every
write goes to the primary, and while the standby's replay is paused (a lag) the portal shows
the older, consistent list — no error — and the cache is not refilled from it.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import pytest
from django.db import transaction
from django.http import HttpResponse, StreamingHttpResponse
from django.test import RequestFactory

from sanxiang import dbrouting
from sanxiang.disclosure.models import Publication

ROOT = Path(__file__).resolve().parent.parent
ROUTER = dbrouting.PortalReplicaRouter()


@pytest.fixture
def with_replica(settings):
    """A ``replica`` alias in settings (the router's decisions only: no query is sent)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Overriding setting DATABASES can lead to …"
        settings.DATABASES = {**settings.DATABASES, "replica": dict(settings.DATABASES["default"])}
    return settings


def _routed_read_during(request) -> str | None:
    seen: list[str | None] = []

    def view(_request):
        seen.append(ROUTER.db_for_read(Publication))
        return HttpResponse("ok")

    response = dbrouting.PortalReadsMiddleware(view)(request)
    return seen[0], response


def test_without_a_replica_every_read_goes_to_the_primary(settings):
    with dbrouting.portal_reads():
        assert ROUTER.db_for_read(Publication) is None
    assert ROUTER.db_for_write(Publication) == "default"


def test_a_portal_get_reads_the_replica_and_a_staff_page_the_primary(with_replica):
    rf = RequestFactory()
    assert _routed_read_during(rf.get("/gongshi/jueding/"))[0] == "replica"
    assert _routed_read_during(rf.head("/gongshi/jueding/"))[0] == "replica"
    assert _routed_read_during(rf.get("/cases/"))[0] is None
    assert _routed_read_during(rf.get("/disclosure/"))[0] is None
    assert ROUTER.db_for_read(Publication) is None  # after the request, the primary again


def test_a_portal_post_reads_the_primary_and_the_poster_stays_there_a_while(with_replica):
    rf = RequestFactory()
    routed, response = _routed_read_during(rf.post("/gongshi/jiucuo/", {"kind": "other"}))
    assert routed is None
    cookie = response.cookies[dbrouting.STICKY_COOKIE]
    assert cookie.value == "1" and int(cookie["max-age"]) == 30
    follow = rf.get("/gongshi/jiucuo/cha/")
    follow.COOKIES[dbrouting.STICKY_COOKIE] = "1"
    assert _routed_read_during(follow)[0] is None


def test_writes_never_go_to_the_replica(with_replica):
    with dbrouting.portal_reads():
        assert ROUTER.db_for_write(Publication) == "default"
    assert ROUTER.allow_migrate("replica", "disclosure") is False
    assert ROUTER.allow_migrate("default", "disclosure") is True


@pytest.mark.django_db
def test_inside_a_transaction_on_the_primary_the_portal_reads_its_own_writes(with_replica):
    with dbrouting.portal_reads(), transaction.atomic():
        assert ROUTER.db_for_read(Publication) is None


def test_a_streamed_download_reads_the_replica_while_it_is_sent(with_replica):
    def view(_request):
        return StreamingHttpResponse(str(ROUTER.db_for_read(Publication)) for _ in range(2))

    response = dbrouting.PortalReadsMiddleware(view)(RequestFactory().get("/gongshi/jueding.csv"))
    assert ROUTER.db_for_read(Publication) is None
    assert b"".join(response.streaming_content) == b"replicareplica"


# --- a real primary and streaming standby ----------------------------------------------------


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Cluster:
    """PostgreSQL server processes of this test, run as the postgres user when we are root
    (initdb refuses root)."""

    def __init__(self, bindir: Path, base: Path) -> None:
        self.bindir, self.base = bindir, base
        self.as_postgres = os.geteuid() == 0
        self.started: list[Path] = []

    def run(self, tool: str, *args: str) -> None:
        cmd = [str(self.bindir / tool), *args]
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, timeout=180)  # noqa: S603

    def start(self, datadir: Path, port: int) -> None:
        options = (
            f"-p {port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c shared_buffers=32MB -c hot_standby=on"
        )
        log = str(self.base / f"{datadir.name}.log")
        self.run("pg_ctl", "-D", str(datadir), "-o", options, "-l", log, "-w", "start")
        self.started.append(datadir)

    def stop_all(self) -> None:
        for datadir in reversed(self.started):
            with contextlib.suppress(subprocess.CalledProcessError):
                self.run("pg_ctl", "-D", str(datadir), "-m", "immediate", "-w", "stop")


@pytest.fixture(scope="module")
def primary_and_standby():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the replica test runs in the PostgreSQL pass of the suite (.ci/run)")
    bindir = _pg_bin()
    if bindir is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_basebackup) are not installed")
    if os.geteuid() == 0:
        try:
            pg_user = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no postgres user to run initdb")
    base = Path(tempfile.mkdtemp(prefix="sx-replica-"))
    if os.geteuid() == 0:
        os.chown(base, pg_user.pw_uid, pg_user.pw_gid)
    cluster = _Cluster(bindir, base)
    primary, standby = base / "primary", base / "standby"
    p_port, s_port = _free_port(), _free_port()
    try:
        cluster.run("initdb", "-D", str(primary), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        cluster.start(primary, p_port)
        url = f"postgres://postgres@127.0.0.1:{p_port}"
        subprocess.run(  # noqa: S603
            [
                str(bindir / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(p_port),
                "-U",
                "postgres",
                "sx",
            ],
            check=True,
        )
        env = _env(base, f"{url}/sx")
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=900,
        )
        cluster.run(
            "pg_basebackup", "-h", "127.0.0.1", "-p", str(p_port), "-U", "postgres",
            "-D", str(standby), "-R", "-X", "stream", "-c", "fast",
        )  # fmt: skip
        cluster.start(standby, s_port)
        yield f"{url}/sx", f"postgres://postgres@127.0.0.1:{s_port}/sx", base
    finally:
        cluster.stop_all()
        shutil.rmtree(base, ignore_errors=True)


def _env(base: Path, primary: str, replica: str = "") -> dict[str, str]:
    env = {
        **os.environ,
        "SANXIANG_DATABASE_URL": primary,
        "SANXIANG_DEBUG": "1",
        "SANXIANG_VAR_DIR": str(base / "var"),
        "SANXIANG_CACHE_URL": "locmem://",
        "SANXIANG_LOG_LEVEL": "ERROR",
        "SANXIANG_ALLOWED_HOSTS": "testserver",
    }
    env.pop("SANXIANG_REPLICA_URL", None)
    if replica:
        env["SANXIANG_REPLICA_URL"] = replica
    return env


def test_the_portal_reads_a_streaming_standby_and_a_lag_shows_an_older_list(
    primary_and_standby,
):
    primary, standby, base = primary_and_standby
    run = subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "tests" / "replica_scenario.py")],
        cwd=ROOT,
        env=_env(base, primary, standby),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    line = next(x for x in run.stdout.splitlines() if x.startswith("RESULT "))
    seen = json.loads(line.removeprefix("RESULT "))
    assert seen["standby_in_recovery"] is True  # a real physical standby, read-only

    caught_up = seen["caught_up"]
    assert caught_up["status"] == 200 and caught_up["shows_first"]
    # the list and the decision page were read on the standby, not on the primary
    assert caught_up["reads"]["replica"] >= 1 and caught_up["reads"]["default"] == 0
    assert seen["detail_status"] == 200, seen
    assert seen["detail_reads"]["replica"] >= 1 and seen["detail_reads"]["default"] == 0

    lagging = seen["lagging"]
    # the staff side (the primary) has the new decision and the withdrawal …
    assert lagging["primary_sees_second"] and lagging["primary_sees_first_withdrawn"]
    # … the portal, on the paused standby, the older list as it was: no error, no half state
    assert lagging["status"] == 200 and lagging["reads"]["default"] == 0
    assert lagging["shows_first"] and not lagging["shows_second"]
    assert lagging["second_detail"] == 404 and lagging["search_status"] == 200
    # the older page is not stored: once the standby replays, the next visitor sees the new one
    assert lagging["cache"] == "replica-behind" and lagging["cache_again"] == "replica-behind"

    correction = seen["correction"]  # a portal write during the lag goes to the primary
    assert correction["status"] == 302 and correction["on_primary"]
    assert correction["sticky_cookie"] and correction["track_status"] == 200

    after = seen["after_catch_up"]
    assert after["status"] == 200 and after["shows_second"] and not after["shows_first"]
    assert after["cache"] == "miss" and after["cache_again"] == "hit"
    assert seen["replica_statements"] > 0 and seen["writes_on_replica"] == []
