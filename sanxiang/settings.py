"""Sanxiang settings: one module, driven by environment variables.

Every variable is read through a strict helper: a malformed boolean or integer stops start-up
with a message naming the variable, and any secret may come from ``<NAME>_FILE`` instead.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    """A string from the environment, or from the file named by ``<name>_FILE``."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def env_bool(name: str, *, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0/true/false/yes/no/on/off, not {raw!r}")


def env_int(name: str, *, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from None


def database_from_url(url: str) -> dict[str, object]:
    """Translate ``sqlite:///path`` or ``postgres://user:pw@host:port/name`` to DATABASES."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        # sqlite:///relative/path or sqlite:////absolute/path
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": parsed.path[1:] or ":memory:"}
    if parsed.scheme in {"postgres", "postgresql"}:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")),
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": env_int("SANXIANG_CONN_MAX_AGE", default=60),
            "CONN_HEALTH_CHECKS": True,
        }
    raise ImproperlyConfigured(
        f"SANXIANG_DATABASE_URL has an unsupported scheme: {parsed.scheme!r}"
    )


def cache_from_url(url: str) -> dict[str, object]:
    """``locmem://`` (one process), ``redis://host:port/db`` or ``file:///path`` to CACHES."""
    parsed = urlparse(url)
    # Search result pages are cached too (one per distinct search): room for many, and culling
    # (a third at random once full) costs a directory listing on the file cache.
    options = {"MAX_ENTRIES": env_int("SANXIANG_CACHE_MAX_ENTRIES", default=5000)}
    if parsed.scheme in {"", "locmem"}:
        return {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "sanxiang",
            "OPTIONS": options,
        }
    if parsed.scheme in {"redis", "rediss", "unix"}:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    if parsed.scheme == "file":
        return {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": parsed.path,
            "OPTIONS": options,
        }
    raise ImproperlyConfigured(f"SANXIANG_CACHE_URL has an unsupported scheme: {parsed.scheme!r}")


VAR_DIR = Path(env_str("SANXIANG_VAR_DIR", str(BASE_DIR / "var")))
DEBUG = env_bool("SANXIANG_DEBUG", default=False)
SECRET_KEY = env_str("SANXIANG_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG and not env_bool("SANXIANG_INSECURE_DEV_KEY", default=False):
        raise ImproperlyConfigured(
            "SANXIANG_SECRET_KEY (or SANXIANG_SECRET_KEY_FILE) is required unless SANXIANG_DEBUG=1"
        )
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production"  # noqa: S105 - dev/test only
ALLOWED_HOSTS = [
    h for h in env_str("SANXIANG_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [o for o in env_str("SANXIANG_CSRF_TRUSTED_ORIGINS").split(",") if o]
# The public origin used in QR codes and verification links printed on documents.
PUBLIC_BASE_URL = env_str("SANXIANG_PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# The portal footer a government website carries (《政府网站发展指引》国办发〔2017〕47号).
PORTAL_SITE = {
    "sponsor": env_str("SANXIANG_PORTAL_SPONSOR", "兴隆台区人民政府"),
    "organiser": env_str("SANXIANG_PORTAL_ORGANISER", "兴隆台区司法局"),
    "site_code": env_str("SANXIANG_PORTAL_SITE_CODE"),
    "icp": env_str("SANXIANG_PORTAL_ICP"),
    "psb": env_str("SANXIANG_PORTAL_PSB"),
    "contact": env_str("SANXIANG_PORTAL_CONTACT", "行政执法监督电话 0427-2800000"),
}
# 纠错 (seed §四(一)1): reports per client address within the window (a flood gets a 429),
# and the agency's answer period in working days (local practice; each agency may change it).
SANXIANG_CORRECTION_RATE_LIMIT = env_int("SANXIANG_CORRECTION_RATE_LIMIT", default=5)
SANXIANG_CORRECTION_RATE_WINDOW_SECONDS = env_int(
    "SANXIANG_CORRECTION_RATE_WINDOW_SECONDS", default=3600
)
SANXIANG_CORRECTION_ANSWER_WORKING_DAYS = env_int(
    "SANXIANG_CORRECTION_ANSWER_WORKING_DAYS", default=10
)
# The party's side (applicant/): personal links' default validity in days, and the public
# progress query's tries per address and per case number within the window (then a 429).
SANXIANG_PARTY_LINK_DAYS = env_int("SANXIANG_PARTY_LINK_DAYS", default=90)
# A 统一身份认证 channel (dotted path to a class, applicant/identity.py, docs/identity.md) that a
# party must pass before a link opens; empty: the link's token alone (the default).
SANXIANG_REAL_NAME_CHANNEL = env_str("SANXIANG_REAL_NAME_CHANNEL")
# 陈述申辩 online: working days after the 告知书 (行政处罚法 第45条, 第85条). Five, because the
# 行政处罚事先告知书 tells the party 五日 (documents.builders.penalty_notice): the two must agree.
SANXIANG_DEFENCE_WORKING_DAYS = env_int("SANXIANG_DEFENCE_WORKING_DAYS", default=5)
# 网上受理 (applicant/intake.py): the largest single 申请材料 file an applicant may upload.
SANXIANG_APPLICATION_MAX_MB = env_int("SANXIANG_APPLICATION_MAX_MB", default=20)
# 电子送达 (applicant/delivery.py, 行政处罚法 第61条): when a document sent electronically counts
# as delivered — "opened" (when it reached the party through their link) or "sent" — and after
# how many working days an undelivered one is listed for delivery by another method.
SANXIANG_EDELIVERY_RULE = env_str("SANXIANG_EDELIVERY_RULE", "opened")
SANXIANG_EDELIVERY_FALLBACK_DAYS = env_int("SANXIANG_EDELIVERY_FALLBACK_DAYS", default=3)
SANXIANG_PROGRESS_RATE_LIMIT = env_int("SANXIANG_PROGRESS_RATE_LIMIT", default=5)
SANXIANG_PROGRESS_RATE_WINDOW_SECONDS = env_int(
    "SANXIANG_PROGRESS_RATE_WINDOW_SECONDS", default=900
)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # serves the API docs' Swagger UI from its own static files, not a CDN
    "sanxiang.workbench",
    "sanxiang.ledger",
    "sanxiang.accounts",
    "sanxiang.directory",
    "sanxiang.catalog",
    "sanxiang.procedures",
    "sanxiang.cases",
    "sanxiang.documents",
    "sanxiang.transcripts",
    "sanxiang.records",
    "sanxiang.review",
    "sanxiang.disclosure",
    "sanxiang.inspections",
    "sanxiang.exchange",
    "sanxiang.supervision",
    "sanxiang.applicant",
    "sanxiang.licensing",
    "sanxiang.coercion",
    "sanxiang.api",
    "sanxiang.imports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "sanxiang.dbrouting.PortalReadsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "sanxiang.accounts.middleware.IdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "sanxiang.exchange.middleware.ClientUseStatus",
]

ROOT_URLCONF = "sanxiang.urls"
WSGI_APPLICATION = "sanxiang.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "sanxiang" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sanxiang.workbench.context_processors.platform",
            ],
            "string_if_invalid": ""
            if not env_bool("SANXIANG_STRICT_TEMPLATES", default=False)
            else "!!MISSING %s!!",
        },
    }
]

DATABASES = {
    "default": database_from_url(
        env_str("SANXIANG_DATABASE_URL", f"sqlite:///{VAR_DIR / 'sanxiang.sqlite3'}")
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the task worker read while the web process writes; IMMEDIATE takes the write
    # lock at BEGIN so that two writers queue instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Tests use a file database too, not Django's shared-cache memory one: with memory, the
    # live server's request threads share the test thread's one connection, and a browser
    # test once hung CI there (a request thread stuck in execute while the page waited for
    # it). A file gives every thread its own connection with WAL and the busy timeout, as in
    # production. On tmpfs when there is one; one file per process (each xdist worker and
    # each concurrent run its own), removed by the test runner at the end.
    # Only the test runner opens it, and it removes a file left there before creating its own.
    _test_db_dir = Path(env_str("SANXIANG_TEST_DB_DIR", "/dev/shm"))  # noqa: S108
    if not (_test_db_dir.is_dir() and os.access(_test_db_dir, os.W_OK)):
        import tempfile

        _test_db_dir = Path(tempfile.gettempdir())
    DATABASES["default"]["TEST"] = {"NAME": str(_test_db_dir / f"sanxiang-test-{os.getpid()}")}
# The portal's reads may go to a streaming replica (sanxiang/dbrouting.py, docs/operations.md):
# GET/HEAD under /gongshi/ read there, every write and every staff page use the primary.
SANXIANG_REPLICA_URL = env_str("SANXIANG_REPLICA_URL")
if SANXIANG_REPLICA_URL:
    DATABASES["replica"] = {
        **database_from_url(SANXIANG_REPLICA_URL),
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["sanxiang.dbrouting.PortalReplicaRouter"]
# After posting on the portal (a 纠错 report) a visitor reads the primary for this long.
SANXIANG_REPLICA_STICKY_SECONDS = env_int("SANXIANG_REPLICA_STICKY_SECONDS", default=30)
# Rendered public lists (disclosure/portal_cache.py), dropped when a decision is published,
# withdrawn or expires. Local memory is per process: several workers need redis:// or file://.
CACHES = {"default": cache_from_url(env_str("SANXIANG_CACHE_URL", "locmem://"))}
SANXIANG_PORTAL_CACHE_SECONDS = env_int("SANXIANG_PORTAL_CACHE_SECONDS", default=600)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "workbench:home"
LOGOUT_REDIRECT_URL = "accounts:login"
# Staff must present a TOTP code after the password (等保 level 3: two factors).
SANXIANG_REQUIRE_OTP = env_bool("SANXIANG_REQUIRE_OTP", default=True)
OTP_TOTP_ISSUER = "Sanxiang 三项"

# Lockout (django-axes): 5 failures lock the username, 20 lock the address, for 30 minutes.
# Counting the two separately means a password-spraying address is stopped even when it tries
# a different name each time, and one user mistyping cannot lock out a whole shared office NAT.
AXES_FAILURE_LIMIT = env_int("SANXIANG_LOCKOUT_USER_FAILURES", default=5)
SANXIANG_LOCKOUT_IP_FAILURES = env_int("SANXIANG_LOCKOUT_IP_FAILURES", default=20)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_COOLOFF_TIME = 0.5  # hours
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "sanxiang.accounts.lockout.lockout_response"
AXES_LOCK_OUT_AT_FAILURE = True
AXES_ENABLED = env_bool("SANXIANG_AXES_ENABLED", default=True)
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
AXES_VERBOSE = False

# Idle sessions end after 30 minutes without a request; browser close ends them too.
SANXIANG_IDLE_TIMEOUT_SECONDS = env_int("SANXIANG_IDLE_TIMEOUT_SECONDS", default=30 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = 12 * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SANXIANG_SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "media-src": ["'self'", "blob:"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "sanxiang" / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
NODE_MODULES = BASE_DIR / "node_modules"
# Third-party assets come from the npm registry at set-up (package.json) and are served from here.
STATICFILES_DIRS = [
    BASE_DIR / "sanxiang" / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
    # SHA-256 in plain JS for the field-capture page (ES modules; crypto.subtle has no
    # incremental digest and is missing on plain-HTTP intranet addresses).
    ("vendor/noble-hashes", NODE_MODULES / "@noble" / "hashes"),
]
# Production serves what `collectstatic` wrote (content-hashed, compressed, cached for ever);
# until it ran (development, tests) the finders serve the sources under their plain names.
WHITENOISE_USE_FINDERS = DEBUG or not (STATIC_ROOT / "staticfiles.json").exists()
WHITENOISE_AUTOREFRESH = DEBUG

MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
SANXIANG_S3_ENDPOINT = env_str("SANXIANG_S3_ENDPOINT")
_default_storage: dict[str, object] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": str(MEDIA_ROOT)},
}


def s3_storage(endpoint: str) -> dict[str, Any]:
    """The S3-compatible storage block (also used by the records tests against SeaweedFS)."""
    from boto3.s3.transfer import TransferConfig

    # Evidence uploads go up in 5 MiB parts (S3's minimum; 10,000 parts > 48 GiB), 4 at a time
    # and at most 4 read ahead: memory stays bounded whatever the size (issue 4; measured
    # 42 MiB peak growth for 512 MiB to SeaweedFS, 108 MiB with boto3's defaults).
    transfer = TransferConfig(
        multipart_threshold=8 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024, max_concurrency=4
    )
    transfer.max_in_memory_upload_chunks = 4
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "endpoint_url": endpoint,
            "bucket_name": env_str("SANXIANG_S3_BUCKET", "sanxiang"),
            "access_key": env_str("SANXIANG_S3_ACCESS_KEY"),
            "secret_key": env_str("SANXIANG_S3_SECRET_KEY"),
            "region_name": env_str("SANXIANG_S3_REGION", "us-east-1"),
            "file_overwrite": False,
            "default_acl": None,
            "querystring_auth": False,
            "transfer_config": transfer,
        },
    }


if SANXIANG_S3_ENDPOINT:
    _default_storage = s3_storage(SANXIANG_S3_ENDPOINT)
# Evidence uploads are spooled here while hashing, then moved to the storage (records app).
# The agencies' electronic seals: <dir>/<统一社会信用代码>/cert.pem + key.pem, <dir>/ca.pem the
# chain validators trust (documents.sealing; `manage.py seal_keys --demo` makes a demo CA).
SANXIANG_SEAL_DIR = Path(env_str("SANXIANG_SEAL_DIR", str(VAR_DIR / "seals")))
SANXIANG_UPLOAD_TMP_DIR = Path(env_str("SANXIANG_UPLOAD_TMP_DIR", str(VAR_DIR / "tmp-uploads")))
SANXIANG_MAX_UPLOAD_MB = env_int("SANXIANG_MAX_UPLOAD_MB", default=4096)
# Resumable uploads (records/resumable.py, docs/records.md): the chunk the capture page sends
# (small: on a weak connection a dropped chunk is sent again whole), the largest chunk accepted,
# and how long an unfinished upload may wait for its next chunk before records_cleanup removes it.
SANXIANG_UPLOAD_CHUNK_KB = env_int("SANXIANG_UPLOAD_CHUNK_KB", default=2048)
SANXIANG_UPLOAD_MAX_CHUNK_MB = env_int("SANXIANG_UPLOAD_MAX_CHUNK_MB", default=32)
SANXIANG_UPLOAD_RESUME_HOURS = env_int("SANXIANG_UPLOAD_RESUME_HOURS", default=24)
# Years after the last entered State Council holiday notice whose deadlines are computed
# provisionally (暂定) from 《全国年节及纪念日放假办法》; beyond them a deadline is a calendar_gap.
SANXIANG_CALENDAR_PROVISIONAL_YEARS = env_int("SANXIANG_CALENDAR_PROVISIONAL_YEARS", default=4)
STORAGES = {
    "default": _default_storage,
    # Content-hashed, compressed names (WhiteNoise's manifest storage) outside development.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "sanxiang.static_storage.HashedStaticStorage"
    },
}

TASKS = {
    "default": {
        "BACKEND": env_str("SANXIANG_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# E-mail for notifications (workbench/notifications.py): sent only when a host is configured;
# otherwise notifications are in-app only. Mail is sent by the task worker after the change
# committed, never inside a step.
EMAIL_HOST = env_str("SANXIANG_EMAIL_HOST")
EMAIL_PORT = env_int("SANXIANG_EMAIL_PORT", default=25)
EMAIL_HOST_USER = env_str("SANXIANG_EMAIL_USER")
EMAIL_HOST_PASSWORD = env_str("SANXIANG_EMAIL_PASSWORD")
EMAIL_USE_TLS = env_bool("SANXIANG_EMAIL_STARTTLS", default=False)
EMAIL_USE_SSL = env_bool("SANXIANG_EMAIL_SSL", default=False)
EMAIL_TIMEOUT = env_int("SANXIANG_EMAIL_TIMEOUT_SECONDS", default=10)
DEFAULT_FROM_EMAIL = env_str("SANXIANG_EMAIL_FROM", "sanxiang@localhost")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.dummy.EmailBackend"
)
# How often the task worker turns new ledger entries into notifications.
SANXIANG_NOTIFY_SECONDS = env_int("SANXIANG_NOTIFY_SECONDS", default=30)

# The ledger's checkpoint signing key lives outside the database.
SANXIANG_LEDGER_KEY_FILE = Path(
    env_str("SANXIANG_LEDGER_KEY_FILE", str(VAR_DIR / "keys" / "ledger-ed25519.pem"))
)
# The log's origin line (C2SP tlog-checkpoint): a schema-less URL naming this deployment's log,
# by default the public portal's host, e.g. "gongshi.xlt.gov.cn/ledger".
SANXIANG_LEDGER_ORIGIN = env_str(
    "SANXIANG_LEDGER_ORIGIN",
    f"{urlparse(PUBLIC_BASE_URL).netloc or 'localhost'}/ledger",
)
# Witnesses that cosign each checkpoint (C2SP tlog-witness): "name url base64-public-key"
# entries separated by ";". The quorum is how many cosignatures a checkpoint needs to count as
# witnessed (default: all of them).
SANXIANG_LEDGER_WITNESSES = [
    tuple(item.split()) for item in env_str("SANXIANG_LEDGER_WITNESSES").split(";") if item.strip()
]
if any(len(item) != 3 for item in SANXIANG_LEDGER_WITNESSES):
    raise ImproperlyConfigured(
        "SANXIANG_LEDGER_WITNESSES entries must be 'name url base64-public-key', separated by ';'"
    )
SANXIANG_LEDGER_WITNESS_QUORUM = env_int(
    "SANXIANG_LEDGER_WITNESS_QUORUM", default=len(SANXIANG_LEDGER_WITNESSES)
)
# verify_ledger fails when an entry stays longer than this outside every signed checkpoint
# (checkpoints deleted, or the task worker stopped): 0 turns the check off.
SANXIANG_LEDGER_MAX_UNCHECKPOINTED_HOURS = env_int(
    "SANXIANG_LEDGER_MAX_UNCHECKPOINTED_HOURS", default=24
)
SANXIANG_LEDGER_WITNESS_TIMEOUT_SECONDS = env_int(
    "SANXIANG_LEDGER_WITNESS_TIMEOUT_SECONDS", default=10
)
SANXIANG_LEDGER_SIGNATURE = env_str("SANXIANG_LEDGER_SIGNATURE", "ed25519")
SANXIANG_HASH = env_str("SANXIANG_HASH", "sha256")
if SANXIANG_LEDGER_SIGNATURE not in {"ed25519", "sm2"}:
    raise ImproperlyConfigured("SANXIANG_LEDGER_SIGNATURE must be ed25519 or sm2")
if SANXIANG_HASH not in {"sha256", "sm3"}:
    raise ImproperlyConfigured("SANXIANG_HASH must be sha256 or sm3")

# Exchange with the provincial and credit platforms (docs/exchange.md). API secrets are derived
# from this key (default: from SECRET_KEY) and never stored; changing it invalidates every key.
SANXIANG_EXCHANGE_KEY = env_str("SANXIANG_EXCHANGE_KEY")
SANXIANG_EXCHANGE_MAX_SKEW_SECONDS = env_int("SANXIANG_EXCHANGE_MAX_SKEW_SECONDS", default=300)
SANXIANG_EXCHANGE_MAX_BODY_BYTES = env_int("SANXIANG_EXCHANGE_MAX_BODY_BYTES", default=256 * 1024)
SANXIANG_EXCHANGE_TIMEOUT_SECONDS = env_int("SANXIANG_EXCHANGE_TIMEOUT_SECONDS", default=10)
SANXIANG_OUTBOX_BACKOFF_SECONDS = env_int("SANXIANG_OUTBOX_BACKOFF_SECONDS", default=10)
SANXIANG_OUTBOX_BACKOFF_CAP_SECONDS = env_int("SANXIANG_OUTBOX_BACKOFF_CAP_SECONDS", default=600)
# 10 s doubling to a 10-minute cap: 60 attempts span about 9 hours before a dead letter.
SANXIANG_OUTBOX_MAX_ATTEMPTS = env_int("SANXIANG_OUTBOX_MAX_ATTEMPTS", default=60)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("SANXIANG_LOG_LEVEL", "WARNING")},
}
AXES_HANDLER = "sanxiang.accounts.lockout.SplitLimitHandler"
