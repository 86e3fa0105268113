"""One settings module, driven by the environment."""

import os
import sys
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent

# Production is the default: DEBUG only when asked for. The hard-coded key serves DEBUG and
# the test suite only; with DEBUG off and no DJANGO_SECRET_KEY the key is empty, and the
# server refuses to start (config/production.py; `make run` generates one in var/).
CHUKAI_TESTING = "pytest" in sys.modules
DEBUG = os.environ.get("DJANGO_DEBUG", "0") == "1"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or ("chukai-dev-only-not-secret" if DEBUG or CHUKAI_TESTING else "")
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "chukai.accounts",
    "chukai.policies",
    "chukai.marketplace",
    "chukai.contracts",
    "chukai.ledger",
    "chukai.payments",
    "chukai.deadlines",
    "chukai.messaging",
    "chukai.remedies",
    "chukai.support",
    "chukai.reputation",
    "chukai.payouts",
    "chukai.web",
    "chukai.common",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]
WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("CHUKAI_DB_CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE: a writer takes the lock when its transaction begins, so two
    # processes (server and worker) never deadlock upgrading a read lock.
    DATABASES["default"]["OPTIONS"] = {"timeout": 30, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("CHUKAI_SQLITE_TEST_NAME", "")}

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "display_name")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "chukai.accounts.validators.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
    {"NAME": "chukai.accounts.validators.NotOnlyWhitespaceValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "chukai.accounts.validators.PublishedPasswordValidator"},
]

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
MEDIA_ROOT = Path(os.environ.get("CHUKAI_MEDIA_ROOT", BASE_DIR / "var" / "media"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "1025"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "0") == "1"
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "chukai <no-reply@chukai.example>")

# Tests and demos: the clock stands still unless moved through /api/_clock.
CHUKAI_MANUAL_CLOCK = os.environ.get("CHUKAI_MANUAL_CLOCK", "0") == "1"
# Money in (DOMAIN §11): the shared secret the payment gateway signs its webhook calls with.
# Unset: every webhook call is refused (DEBUG and manual-clock demos use a fixed sandbox secret).
CHUKAI_PAYMENT_WEBHOOK_SECRET = os.environ.get("CHUKAI_PAYMENT_WEBHOOK_SECRET", "")
CHUKAI_SITE_URL = os.environ.get("CHUKAI_SITE_URL", "http://127.0.0.1:8000")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"chukai": {"handlers": ["console"], "level": os.environ.get("CHUKAI_LOG_LEVEL", "INFO")}},
}

# --- web (pages) — owned by the website; appended block -------------------------------
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "web:home"
LANGUAGE_COOKIE_NAME = "chukai_language"
SESSION_COOKIE_AGE = 14 * 24 * 3600
# Language from the cookie, else the user's locale, else Japanese (never the browser's
# Accept-Language: the site is Japanese-first); time zone from the user; last_seen_at.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware"),
    "chukai.web.middleware.UserPrefsMiddleware",
)
TEMPLATES[0]["OPTIONS"]["context_processors"].append("chukai.web.context.site")  # type: ignore[index]
CHUKAI_LOGIN_MAX_FAILURES = int(os.environ.get("CHUKAI_LOGIN_MAX_FAILURES", "5"))
CHUKAI_LOGIN_LOCK_SECONDS = int(os.environ.get("CHUKAI_LOGIN_LOCK_SECONDS", "900"))
# --- end web block ---------------------------------------------------------------------

# --- messaging (issue 3) — owned by messaging; appended block --------------------------
# Several messages in one thread within this window make one email.
CHUKAI_MESSAGE_EMAIL_BATCH_SECONDS = int(os.environ.get("CHUKAI_MESSAGE_EMAIL_BATCH_SECONDS", "300"))
# Per-user posting limit: (messages, seconds) → 429 rate_limited beyond it.
CHUKAI_MESSAGE_RATE_LIMIT = (int(os.environ.get("CHUKAI_MESSAGE_RATE_COUNT", "30")), 600)
# An ended contract's thread stays open this long (files, thanks, ratings), then 409 not_in_progress.
CHUKAI_MESSAGES_AFTER_END_DAYS = 14
CHUKAI_ATTACHMENT_MAX_BYTES = int(os.environ.get("CHUKAI_ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024)))
CHUKAI_ATTACHMENT_MAX_COUNT = 5
CHUKAI_ATTACHMENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "txt": "text/plain",
    "csv": "text/csv",
    "zip": "application/zip",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
# Outbox: a worker's lease on an email it is sending; attempts before giving up (back-off ≤ 1 h).
CHUKAI_OUTBOX_LEASE_SECONDS = 300
CHUKAI_OUTBOX_MAX_ATTEMPTS = 30
# --- end messaging block ---------------------------------------------------------------

# --- payouts (issue 9) — owned by payouts; appended block ------------------------------
# DOMAIN §10: at least ¥1,000 a withdrawal; ¥500 transfer fee deducted from each.
CHUKAI_PAYOUT_MINIMUM_JPY = int(os.environ.get("CHUKAI_PAYOUT_MINIMUM_JPY", "1000"))
CHUKAI_PAYOUT_FEE_JPY = int(os.environ.get("CHUKAI_PAYOUT_FEE_JPY", "500"))
# Requests made up to `requests_until` (day of month, JST, end of day; 31 = month end) are paid
# on `pay_day` (31 = month end) `months_later` months on, moved back to a business day.
CHUKAI_PAYOUT_SCHEDULE = [
    {"requests_until": 15, "pay_day": 31, "months_later": 0},
    {"requests_until": 31, "pay_day": 15, "months_later": 1},
]
# The platform's own account in the Zengin transfer file (総合振込 header record).
CHUKAI_ZENGIN_COMPANY_CODE = os.environ.get("CHUKAI_ZENGIN_COMPANY_CODE", "1234567890")  # 委託者コード, 10 digits
CHUKAI_ZENGIN_COMPANY_NAME = os.environ.get("CHUKAI_ZENGIN_COMPANY_NAME", "ﾁﾕｳｶｲ(ｶ")  # half-width kana
CHUKAI_ZENGIN_BANK_CODE = os.environ.get("CHUKAI_ZENGIN_BANK_CODE", "0001")
CHUKAI_ZENGIN_BRANCH_CODE = os.environ.get("CHUKAI_ZENGIN_BRANCH_CODE", "001")
CHUKAI_ZENGIN_ACCOUNT_TYPE = os.environ.get("CHUKAI_ZENGIN_ACCOUNT_TYPE", "1")  # 1 普通, 2 当座
CHUKAI_ZENGIN_ACCOUNT_NUMBER = os.environ.get("CHUKAI_ZENGIN_ACCOUNT_NUMBER", "1234567")
# --- end payouts block -----------------------------------------------------------------

# --- auth hardening (issue 12) — owned by accounts; appended block ---------------------
# One cache shared by every process (sign-in throttling): Redis when REDIS_URL is set, else
# Django's database cache in the table `chukai_cache`, which `migrate` creates
# (chukai.accounts.models.CacheEntry). MAX_ENTRIES is high so that culling (which may drop
# live entries, locks included) only happens under a flood far beyond normal use.
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES: dict[str, dict[str, object]]
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CHUKAI_CACHE_PREFIX", "chukai"),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "chukai_cache",
            "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("CHUKAI_CACHE_MAX_ENTRIES", "100000"))},
        }
    }
# Passwords: AUTH_PASSWORD_VALIDATORS near the top (Django's full set, a maximum length, no
# all-whitespace password, not the published demo password except for the demo accounts).
# API tokens stop working this many days after they were made (fixed, not sliding).
CHUKAI_API_TOKEN_DAYS = int(os.environ.get("CHUKAI_API_TOKEN_DAYS", "30"))
# A browser or client that signed in keeps a signed "known device" cookie this long: with the
# right password it passes a lock that strangers' failures put on the address.
CHUKAI_DEVICE_COOKIE_NAME = "chukai_device"
CHUKAI_DEVICE_COOKIE_DAYS = int(os.environ.get("CHUKAI_DEVICE_COOKIE_DAYS", "180"))
# An address that signed in from a client IP stays "known" there this long (the NAT rule).
CHUKAI_KNOWN_IP_DAYS = int(os.environ.get("CHUKAI_KNOWN_IP_DAYS", "90"))
# Failures from one client IP before it is locked: this many times CHUKAI_LOGIN_MAX_FAILURES.
CHUKAI_LOGIN_IP_FACTOR = int(os.environ.get("CHUKAI_LOGIN_IP_FACTOR", "4"))
# Password checks by `authenticate()` (the admin's login) take the same throttled path; Django's
# ModelBackend stays listed for the sessions it signed in.
AUTHENTICATION_BACKENDS = [
    "chukai.accounts.backends.SignInBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# --- end auth hardening block ----------------------------------------------------------


# --- production (issue 12 items 4, 5, 8) — owned by prod; appended block ----------------
# Every setting `manage.py check --deploy` looks at comes from the environment. HTTPS defaults
# on when DEBUG is off (the production server); `make run` on http://127.0.0.1 sets CHUKAI_HTTPS=0.
def _env_flag(name: str, default: bool) -> bool:
    return os.environ.get(name, "1" if default else "0").strip().lower() in ("1", "true", "yes", "on")


CHUKAI_HTTPS = _env_flag("CHUKAI_HTTPS", not (DEBUG or CHUKAI_TESTING))
SECURE_SSL_REDIRECT = _env_flag("DJANGO_SECURE_SSL_REDIRECT", CHUKAI_HTTPS)
SESSION_COOKIE_SECURE = _env_flag("DJANGO_SESSION_COOKIE_SECURE", CHUKAI_HTTPS)
CSRF_COOKIE_SECURE = _env_flag("DJANGO_CSRF_COOKIE_SECURE", CHUKAI_HTTPS)
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "31536000" if CHUKAI_HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_flag("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = _env_flag("DJANGO_SECURE_HSTS_PRELOAD", False)
# Behind a TLS-terminating proxy: DJANGO_SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https".
if os.environ.get("DJANGO_SECURE_PROXY_SSL_HEADER"):
    _proxy_header, _proxy_value = os.environ["DJANGO_SECURE_PROXY_SSL_HEADER"].split(",", 1)
    SECURE_PROXY_SSL_HEADER = (_proxy_header.strip(), _proxy_value.strip())
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# PostgreSQL connections bounded and reused: a psycopg pool per process (Django 5.1+), at most
# CHUKAI_DB_POOL_MAX connections each (the serve command sets it to its threads per process).
# Off in the test suite (threaded race tests open more connections than a small pool holds).
_pool_max = int(os.environ.get("CHUKAI_DB_POOL_MAX", "0" if CHUKAI_TESTING else "4"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and _pool_max > 0:
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps the connections; Django requires 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {"min_size": 1, "max_size": _pool_max, "timeout": 10}

# Static files: WhiteNoise in every process (no separate web server needed); hashed,
# compressed names once `collectstatic` ran (the serve command runs it at start).
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "whitenoise.middleware.WhiteNoiseMiddleware"
)
STORAGES: dict[str, dict[str, object]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if CHUKAI_TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Tests and DEBUG: WhiteNoise finds files in the apps as they change (no collectstatic).
WHITENOISE_USE_FINDERS = WHITENOISE_AUTOREFRESH = DEBUG or CHUKAI_TESTING
# Files (attachments, documents) only through Django's storage API: the local disk (MEDIA_ROOT)
# by default; S3-compatible object storage for several machines with CHUKAI_STORAGE=s3 (needs
# `pip install django-storages boto3`; credentials from the usual AWS_* variables or an IAM role).
if os.environ.get("CHUKAI_STORAGE", "filesystem") == "s3":
    if not os.environ.get("CHUKAI_S3_BUCKET"):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("CHUKAI_STORAGE=s3 needs CHUKAI_S3_BUCKET (and django-storages, boto3 installed).")
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["CHUKAI_S3_BUCKET"],
            "endpoint_url": os.environ.get("CHUKAI_S3_ENDPOINT_URL") or None,  # MinIO, R2, Wasabi …
            "region_name": os.environ.get("CHUKAI_S3_REGION") or None,
            "location": os.environ.get("CHUKAI_S3_PREFIX", ""),
            "default_acl": "private",
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }

# Uploads (issue 12 item 8): per-user quota of stored bytes (413), uploads per window (429,
# counted in the shared cache), and how long an upload never sent in a message is kept.
CHUKAI_UPLOAD_QUOTA_BYTES = int(os.environ.get("CHUKAI_UPLOAD_QUOTA_BYTES", str(200 * 1024 * 1024)))
CHUKAI_UPLOAD_RATE_LIMIT = (
    int(os.environ.get("CHUKAI_UPLOAD_RATE_COUNT", "30")),
    int(os.environ.get("CHUKAI_UPLOAD_RATE_SECONDS", "3600")),
)
CHUKAI_UPLOAD_ORPHAN_SECONDS = int(os.environ.get("CHUKAI_UPLOAD_ORPHAN_SECONDS", str(24 * 3600)))

# Content-Security-Policy on every response (django-csp): no inline script or style anywhere;
# htmx is a static file and its indicator <style> is switched off by a meta tag in base.html.
# CHUKAI_CSP_REPORT_ONLY=1 sends the same policy as Report-Only (for a careful roll-out).
INSTALLED_APPS.append("csp")
# django-ninja as an app: /api/docs loads Swagger UI from our static files, not a CDN the CSP refuses.
INSTALLED_APPS.append("ninja")
MIDDLEWARE.insert(MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1, "csp.middleware.CSPMiddleware")
_csp_policy = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
if os.environ.get("CHUKAI_CSP_REPORT_URI"):
    _csp_policy["DIRECTIVES"]["report-uri"] = [os.environ["CHUKAI_CSP_REPORT_URI"]]
if _env_flag("CHUKAI_CSP_REPORT_ONLY", False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _csp_policy
else:
    CONTENT_SECURITY_POLICY = _csp_policy
# --- end production block --------------------------------------------------------------

# --- request size limits (issue 12 item 7) — owned by apistrict ------------------------------
# A form or JSON body (everything but uploaded files) is read into memory: 1 MiB is ten times the
# largest valid API body (a 20,000-character description, \u-escaped). An API request as a whole
# (an upload's file included) may be one attachment plus 1 MiB of multipart overhead; larger is
# refused with a 413 problem before it is read.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("CHUKAI_MAX_FORM_BYTES", str(1024 * 1024)))
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 10
CHUKAI_API_MAX_BODY_BYTES = CHUKAI_ATTACHMENT_MAX_BYTES + 1024 * 1024

# Deadline worker leases: extended by a heartbeat while the worker lives (docs/architecture.md).
CHUKAI_WORKER_LEASE_SECONDS = float(os.environ.get("CHUKAI_WORKER_LEASE_SECONDS", "30"))

# --- papers (issue 11, DOMAIN §12) — owned by tax -----------------------------------------
INSTALLED_APPS.insert(INSTALLED_APPS.index("chukai.payouts") + 1, "chukai.documents")
# The platform as issuer of receipts and of its qualified invoices for fees (登録番号: T + 13 digits).
CHUKAI_PLATFORM_NAME = os.environ.get("CHUKAI_PLATFORM_NAME", "株式会社chukai")
CHUKAI_PLATFORM_INVOICE_NUMBER = os.environ.get("CHUKAI_PLATFORM_INVOICE_NUMBER", "T7123456789012")
# The Japanese TrueType font embedded in PDF papers (Debian fonts-ipafont-gothic, as `make browser`).
CHUKAI_PDF_FONT = os.environ.get("CHUKAI_PDF_FONT", "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf")
# --- end papers block ------------------------------------------------------------------------
