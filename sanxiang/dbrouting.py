"""The public portal's reads go to a read replica; everything else to the primary.

With ``SANXIANG_REPLICA_URL`` set, settings adds a ``replica`` database (a PostgreSQL streaming
standby). ``PortalReadsMiddleware`` marks a GET or HEAD request under ``/gongshi/`` as a
portal read; while it runs, the router sends reads to ``replica``. Writes always go to the
primary (a standby refuses them anyway), and so do the reads of staff pages, of any POST, and
of anything inside an open transaction on the primary (read-your-writes), and for
``SANXIANG_REPLICA_STICKY_SECONDS`` those of a visitor who just posted on the portal (a 纠错
report: the page they are sent to must show it). A lagging replica shows the portal a slightly
older, consistent snapshot — never an error; the cached lists are not refilled from it until it
has replayed the change that emptied them (disclosure/portal_cache.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

REPLICA = "replica"
PORTAL_PREFIX = "/gongshi/"
STICKY_COOKIE = "sx_primary"

_portal_read: ContextVar[bool] = ContextVar("sanxiang_portal_read", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def is_portal_read(request: HttpRequest) -> bool:
    return request.method in {"GET", "HEAD"} and request.path.startswith(PORTAL_PREFIX)


@contextmanager
def portal_reads() -> Iterator[None]:
    """Route this block's reads to the replica, as a portal GET does."""
    token = _portal_read.set(True)
    try:
        yield
    finally:
        _portal_read.reset(token)


class PortalReadsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not replica_configured():
            return self.get_response(request)
        if not is_portal_read(request) or request.COOKIES.get(STICKY_COOKIE) == "1":
            response = self.get_response(request)
            if request.method == "POST" and request.path.startswith(PORTAL_PREFIX):
                # The citizen who just wrote (a 纠错 report) reads the primary for a while:
                # the page they are sent to must show what they wrote, lag or not.
                response.set_cookie(
                    STICKY_COOKIE,
                    "1",
                    max_age=settings.SANXIANG_REPLICA_STICKY_SECONDS,
                    httponly=True,
                    samesite="Lax",
                )
            return response
        with portal_reads():
            response = self.get_response(request)
        # A streamed download (open data) reads while it is sent, after this returns.
        if isinstance(response, StreamingHttpResponse):
            response.streaming_content = _routed(response.streaming_content)
        return response


def _routed(chunks: Any) -> Any:
    _portal_read.set(True)
    try:
        yield from chunks
    finally:
        _portal_read.set(False)


def reading_from_replica() -> bool:
    return _portal_read.get() and replica_configured()


def primary_lsn() -> str:
    """The primary's current WAL position ("" without a PostgreSQL replica)."""
    if not replica_configured() or connections["default"].vendor != "postgresql":
        return ""
    with connections["default"].cursor() as cur:
        cur.execute("SELECT pg_current_wal_lsn()::text")
        return str(cur.fetchone()[0])


def replica_has_replayed(lsn: str) -> bool:
    """Whether the replica the portal reads has replayed the primary's WAL up to ``lsn``
    (always true when the portal reads the primary, or the replica is not a standby)."""
    if not lsn or not reading_from_replica() or connections[REPLICA].vendor != "postgresql":
        return True
    with connections[REPLICA].cursor() as cur:
        cur.execute("SELECT coalesce(pg_last_wal_replay_lsn() >= %s::pg_lsn, true)", [lsn])
        return bool(cur.fetchone()[0])


class PortalReplicaRouter:
    """DATABASE_ROUTERS entry: portal reads to ``replica`` when it is configured."""

    def db_for_read(self, model: type, **hints: Any) -> str | None:
        if not reading_from_replica():
            return None
        if connections["default"].in_atomic_block:
            return None  # a transaction on the primary reads its own writes
        return REPLICA

    def db_for_write(self, model: type, **hints: Any) -> str:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        # The replica holds the primary's rows: objects read from either may be related.
        dbs = {obj1._state.db, obj2._state.db}
        return True if dbs <= {"default", REPLICA} else None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return db != REPLICA  # a standby is migrated by replication, not by Django
