"""Test-session wide settings and fixtures."""

import contextlib

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

# The properties are about correctness, not speed: on a loaded CI machine an input can take
# seconds to generate (a stalled core), which is no failure of the code under test.
hypothesis_settings.register_profile(
    "sanxiang", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
hypothesis_settings.load_profile("sanxiang")


def pytest_configure(config):
    from django.conf import settings

    # Argon2 is deliberately slow; building the people of every test class with it cost seconds
    # per class. Tests hash with a fast hasher; test_login checks production uses Argon2.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        *settings.PASSWORD_HASHERS,
    ]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


@pytest.fixture(autouse=True)
def _empty_cache():
    """The database rolls back after each test; the cache (cached portal lists) must too."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _today_is_today(request):
    """A test module's `TODAY` is the local day when each test starts, not when it was imported.

    Seven modules took `TODAY = timezone.localdate()` at import; a run crossing midnight in
    Asia/Shanghai (16:00 UTC) then dated their facts a day before the services' today, and a
    handful failed. A module's `TODAY` (a date, not a datetime) is refreshed before every test.
    """
    import datetime

    from django.utils import timezone

    module = request.module
    stale = getattr(module, "TODAY", None)
    if type(stale) is datetime.date:
        module.TODAY = timezone.localdate()
    yield


CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium driven by Playwright (no browser download)."""
    import os

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class _TestBrowser:
    """The session's Chromium as one test sees it: the contexts the test opens are closed at
    its end, after their pages went quiet, so that no request is still running on the live
    server when the test database is flushed ("database table is locked")."""

    def __init__(self, chromium):
        self._chromium = chromium
        self.contexts = []

    def new_context(self, **options):
        context = self._chromium.new_context(**options)
        self.contexts.append(context)
        return context

    def new_page(self, **options):
        return self.new_context(**options).new_page()

    def close(self):
        for context in self.contexts:
            for open_page in context.pages:
                with contextlib.suppress(Exception):
                    open_page.wait_for_load_state("networkidle", timeout=5000)
            context.close()


@pytest.fixture
def browser(chromium, live_server):
    """Tests open their own contexts (one per signed-in person); all are closed at the end,
    before the live server and its database are torn down (hence the live_server argument)."""
    test_browser = _TestBrowser(chromium)
    yield test_browser
    test_browser.close()
    _wait_for_requests(live_server)
    # The requests' appends woke the ledger's integrator thread; its own connection reading the
    # ledger deadlocked with the teardown's TRUNCATE on PostgreSQL (CI, after the request
    # threads had been waited for). Stopped here; the next append starts it again.
    from sanxiang.ledger.background import integrator

    integrator.stop()


def _wait_for_requests(live_server, timeout: float = 10.0) -> None:
    """Let the live server's request threads finish once the pages are closed: a request still
    in its transaction holds a table lock, and on PostgreSQL the teardown's TRUNCATE then
    deadlocked with it (seen once in CI; the flush failed and the next test met its rows)."""
    import time

    httpd = getattr(live_server.thread, "httpd", None)
    threads = list(getattr(httpd, "_threads", None) or ())
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))


@pytest.fixture
def page(browser):
    return browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")


@pytest.fixture(autouse=True, scope="session")
def _ledger_triggers_survive_flush():
    """TransactionTestCase empties tables with DELETE on SQLite; the ledger's append-only
    triggers would refuse it. Drop them for the flush only (sanxiang/ledger/guard.py)."""
    from sanxiang.ledger.guard import flush_past_triggers

    with flush_past_triggers():
        yield


@pytest.fixture(autouse=True, scope="session")
def _transcript_triggers_survive_flush():
    """The same for the guards of sealed 笔录 (sanxiang/transcripts/triggers.py)."""
    from sanxiang.transcripts.triggers import flush_past_triggers

    with flush_past_triggers():
        yield


@pytest.fixture(autouse=True, scope="session")
def _ledger_key_in_tmp(tmp_path_factory):
    """Checkpoint signing keys made by tests stay out of var/; no background integrator
    thread outliving a test (tests that want it turn it on: ledger/tests/test_concurrency.py)."""
    from django.conf import settings

    original = settings.SANXIANG_LEDGER_KEY_FILE
    settings.SANXIANG_LEDGER_KEY_FILE = tmp_path_factory.mktemp("keys") / "ledger.pem"
    settings.SANXIANG_LEDGER_INTEGRATE_ON_COMMIT = False
    # Nor do the demo seals of `make run` (var/seals) sign the tests' documents: tests that want
    # a seal make their own CA (documents/tests/test_sealing.py).
    original_seals = settings.SANXIANG_SEAL_DIR
    settings.SANXIANG_SEAL_DIR = tmp_path_factory.mktemp("seals")
    yield
    settings.SANXIANG_LEDGER_KEY_FILE = original
    settings.SANXIANG_SEAL_DIR = original_seals
