"""Rendered public decision lists, kept in Django's cache and dropped the moment they change.

A list page is stored under the current *generation* of the portal's decisions. Publishing,
withdrawing or expiring a decision starts a new generation once its transaction commits
(``transaction.on_commit``, registered by the service's listeners or called by the service),
so every cached page is unreachable at once: a withdrawn decision is gone from the next list
anyone loads, in every process that shares the cache (Redis or file cache; local memory is
per process, so several workers need ``SANXIANG_CACHE_URL``, docs/operations.md).

Each stored page carries an ETag (its body's hash) and a Last-Modified (when it was rendered):
a phone that re-fetches with If-None-Match / If-Modified-Since gets 304 and no body. Pages are
sent with ``Cache-Control: public, no-cache``: proxies and browsers may keep them but must
revalidate, so no shared cache keeps showing a withdrawn decision.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date

from sanxiang import dbrouting

from .templatetags.portal import ELDER_COOKIE

GENERATION_KEY = "portal:decisions:generation"
KEY_PREFIX = "portal:decisions:page"


def _current() -> dict[str, str]:
    value = cache.get(GENERATION_KEY)
    if not isinstance(value, dict):
        value = {"id": uuid.uuid4().hex, "lsn": ""}
        # add(): two processes starting at once agree on one generation
        if not cache.add(GENERATION_KEY, value, timeout=None):
            value = cache.get(GENERATION_KEY) or value
    return value


def generation() -> str:
    return _current()["id"]


def invalidate() -> None:
    """Drop every cached decision list (a new generation; old pages age out of the cache).

    With a replica, the generation remembers the primary's WAL position after the change: a
    page rendered from a replica that has not replayed that far is shown but not stored, so a
    lagging replica never fixes its older list in the cache for everyone."""
    cache.set(GENERATION_KEY, {"id": uuid.uuid4().hex, "lsn": dbrouting.primary_lsn()}, None)


def invalidate_on_commit(*_: Any) -> None:
    """Listener form: inside a service's transaction, drop the lists once it commits."""
    transaction.on_commit(invalidate)


def page_key_for(full_path: str, *, elder: bool = False) -> str:
    """The key of one rendering: its URL (with the query) and 长者模式, in this generation."""
    raw = f"{full_path}|{int(elder)}".encode()
    return f"{KEY_PREFIX}:{generation()}:{hashlib.sha256(raw).hexdigest()}"


def page_key(request: HttpRequest) -> str:
    elder = request.COOKIES.get(ELDER_COOKIE) == "1"
    return page_key_for(request.get_full_path(), elder=elder)


def revalidate(response: HttpResponse) -> HttpResponse:
    """Shared caches may keep the page but must ask again before showing it."""
    patch_cache_control(response, public=True, no_cache=True, max_age=0)
    patch_vary_headers(response, ["Cookie"])  # 长者模式 is a cookie and changes the page
    return response


def cached_page(request: HttpRequest, render: Callable[[], HttpResponse]) -> HttpResponse:
    """The cached rendering of this list page, rendering and storing it on a miss."""
    current = _current()
    key = page_key(request)
    stored = cache.get(key)
    if stored is None:
        response = render()
        if response.status_code != 200:
            return response
        if not dbrouting.replica_has_replayed(current["lsn"]):
            response["X-Portal-Cache"] = "replica-behind"
            return revalidate(response)
        body = response.content
        stored = {
            "body": body,
            "content_type": response["Content-Type"],
            "etag": '"' + hashlib.sha256(body).hexdigest()[:32] + '"',
            "last_modified": http_date(int(time.time())),
        }
        cache.set(key, stored, timeout=settings.SANXIANG_PORTAL_CACHE_SECONDS)
        hit = "miss"
    else:
        hit = "hit"
    not_modified = get_conditional_response(
        request, etag=stored["etag"], last_modified=_parse(stored["last_modified"])
    )
    if not_modified is not None:
        not_modified["ETag"] = stored["etag"]
        not_modified["Last-Modified"] = stored["last_modified"]
        return revalidate(not_modified)
    response = HttpResponse(stored["body"], content_type=stored["content_type"])
    response["ETag"] = stored["etag"]
    response["Last-Modified"] = stored["last_modified"]
    response["X-Portal-Cache"] = hit
    return revalidate(response)


def _parse(value: str) -> int:
    from django.utils.http import parse_http_date

    return parse_http_date(value)
