"""Rendered public pages, kept in Django's cache and dropped the moment what they show changes.

Two *scopes*, each with its own generation:

- ``decisions``: the decision list and its searches (``?q=``). Publishing, withdrawing or
  expiring a decision starts a new generation once its transaction commits
  (``transaction.on_commit``, registered by the service's listeners or called by the service).
- ``lists``: the 事前 lists (事项清单, 随机抽查事项, 执法人员, 法制审核目录清单 and
  音像记录事项清单, 服务指南). Every master-data change goes through a service that
  appends a ledger entry without a case (matter.*, agency.*, officer.*, review.catalogue_published,
  records.av_requirement_*, disclosure.sample_saved …); the ledger's append listener starts a
  new generation once that transaction commits. A caseless entry that changes none of these
  pages (a calendar year, an e-mail setting) only costs a re-render. These pages also depend
  on the day (a certificate that expired, a list version that took effect): today's date is
  part of their key.

Every cached page of a scope is unreachable at once when its generation changes: a withdrawn
decision is gone from the next list or search anyone loads, in every process that shares the
cache (Redis or file cache; local memory is per process, so several workers need
``SANXIANG_CACHE_URL``, docs/operations.md).

A page's key is made of the parameters the view reads, normalised (``SearchQuery`` folds and
sorts the words, so ``〔2026〕`` and ``[2026]`` share one page), never of the raw URL: a
parameter the view ignores cannot fill the cache with copies, and a parameter it reads (the
agency, the dates) is always in the key, so one agency's filtered page never answers another's.

Each stored page carries an ETag (its body's hash) and a Last-Modified (when it was rendered):
a phone that re-fetches with If-None-Match / If-Modified-Since gets 304 and no body. Pages are
sent with ``Cache-Control: public, no-cache``: proxies and browsers may keep them but must
revalidate, so no shared cache keeps showing a withdrawn decision.
"""

from __future__ import annotations

import hashlib
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date

from sanxiang import dbrouting

from .templatetags.portal import ELDER_COOKIE

DECISIONS = "decisions"
LISTS = "lists"
SCOPES = (DECISIONS, LISTS)
# Kept for the decision scope's names, which operators may look for in Redis.
GENERATION_KEY = "portal:decisions:generation"
KEY_PREFIX = "portal:decisions:page"


def _generation_key(scope: str) -> str:
    assert scope in SCOPES, scope  # noqa: S101 - a programming error, not input
    return f"portal:{scope}:generation"


def _current(scope: str = DECISIONS) -> dict[str, str]:
    key = _generation_key(scope)
    value = cache.get(key)
    if not isinstance(value, dict):
        value = {"id": uuid.uuid4().hex, "lsn": ""}
        # add(): two processes starting at once agree on one generation
        if not cache.add(key, value, timeout=None):
            value = cache.get(key) or value
    return value


def generation(scope: str = DECISIONS) -> str:
    return _current(scope)["id"]


def invalidate(scope: str = DECISIONS) -> None:
    """Drop every cached page of ``scope`` (a new generation; old pages age out of the cache).

    With a replica, the generation remembers the primary's WAL position after the change: a
    page rendered from a replica that has not replayed that far is shown but not stored, so a
    lagging replica never fixes its older list in the cache for everyone."""
    value = {"id": uuid.uuid4().hex, "lsn": dbrouting.primary_lsn()}
    cache.set(_generation_key(scope), value, None)


def invalidate_lists() -> None:
    invalidate(LISTS)


def invalidate_on_commit(*_: Any) -> None:
    """Listener form: inside a service's transaction, drop the decision pages once it commits."""
    transaction.on_commit(invalidate)


def on_ledger_append(entry: Any) -> None:
    """Ledger listener: a change of master data (an entry without a case) drops the 事前 lists
    once its transaction commits — never before, so no page renders the old data after the
    generation moved on."""
    if entry.case_id is None:
        transaction.on_commit(invalidate_lists)


def page_key_for(
    path: str, *, elder: bool = False, scope: str = DECISIONS, generation_id: str = ""
) -> str:
    """The key of one rendering: the view's normalised parameters and 长者模式, in the scope's
    current generation (or ``generation_id``, the one the caller just read)."""
    raw = f"{path}|{int(elder)}".encode()
    prefix = KEY_PREFIX if scope == DECISIONS else f"portal:{scope}:page"
    return f"{prefix}:{generation_id or generation(scope)}:{hashlib.sha256(raw).hexdigest()}"


def page_key(
    request: HttpRequest,
    *,
    path: str | None = None,
    scope: str = DECISIONS,
    generation_id: str = "",
) -> str:
    elder = request.COOKIES.get(ELDER_COOKIE) == "1"
    full = path or request.get_full_path()
    return page_key_for(full, elder=elder, scope=scope, generation_id=generation_id)


# Each process keeps the pages it served most recently, under the same keys: a key names its
# generation, which is read from the shared cache on every request, so a page of an older
# generation is never found here once a change committed in any process. It saves reading
# and unpickling the page from the shared cache (a file or Redis) on every hit. A page is kept
# here at most a minute (or the cache timeout, if shorter), so that a change made behind the
# services still shows within the timeout the shared cache promises.
_RECENT_MAX = 256
_RECENT_SECONDS = 60
_recent: OrderedDict[str, tuple[float, dict[str, Any]]] = OrderedDict()
_recent_lock = threading.Lock()


def _recall(key: str) -> dict[str, Any] | None:
    now = time.monotonic()
    with _recent_lock:
        kept = _recent.get(key)
        if kept is not None and kept[0] > now:
            _recent.move_to_end(key)
            return kept[1]
    stored = cache.get(key)
    if stored is not None:
        _remember(key, stored)
    return stored


def _remember(key: str, stored: dict[str, Any]) -> None:
    seconds = min(_RECENT_SECONDS, settings.SANXIANG_PORTAL_CACHE_SECONDS)
    with _recent_lock:
        _recent[key] = (time.monotonic() + seconds, stored)
        _recent.move_to_end(key)
        while len(_recent) > _RECENT_MAX:
            _recent.popitem(last=False)


def normalised_path(request: HttpRequest, params: dict[str, str]) -> str:
    """``request.path`` with only ``params`` (the ones the view reads), in a fixed order."""
    kept = sorted((k, v) for k, v in params.items() if v)
    return request.path + ("?" + urlencode(kept) if kept else "")


def revalidate(response: HttpResponse) -> HttpResponse:
    """Shared caches may keep the page but must ask again before showing it."""
    patch_cache_control(response, public=True, no_cache=True, max_age=0)
    patch_vary_headers(response, ["Cookie"])  # 长者模式 is a cookie and changes the page
    return response


def cached_page(
    request: HttpRequest,
    render: Callable[[], HttpResponse],
    *,
    scope: str = DECISIONS,
    path: str | None = None,
) -> HttpResponse:
    """The cached rendering of this page, rendering and storing it on a miss. ``path`` is the
    normalised key of what the view reads (``normalised_path``); the raw URL by default."""
    current = _current(scope)
    key = page_key(request, path=path, scope=scope, generation_id=current["id"])
    stored = _recall(key)
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
        _remember(key, stored)
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
