"""Warrant's settings: one module, driven by environment variables.

With nothing set, it runs on checkout: DEBUG on, SQLite in the project folder.
Production sets SECRET_KEY, DEBUG=0, ALLOWED_HOSTS and DATABASE_URL (PostgreSQL), and REDIS_URL
when several app processes run.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        # A known key would let anyone forge sessions, password-reset links and signed values.
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off. Make one with: "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    SECRET_KEY = "django-insecure-local-development-key-not-for-production"  # DEBUG on: local use only
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "csp",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "sources",
    "arguments",
    "api",
    "accounts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Notes whose each signed-in session is, for "sign out everywhere" (accounts/sessions.py).
    "accounts.sessions.RecordSignedInSessionsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # After authentication, so it knows whose writes it counts (see config/ratelimit.py).
    "config.ratelimit.WriteRateLimitMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Databases: SQLite is the embedded default. WAL lets readers work while one writer writes,
# the busy timeout waits for a lock instead of failing at once, and IMMEDIATE transactions take
# the write lock up front so two writers never deadlock upgrading a read lock.
SQLITE_OPTIONS = {
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}
if os.environ.get("DATABASE_URL"):
    DATABASES = {
        "default": dj_database_url.parse(
            # Persistent connections are off by default: under an ASGI server (uvicorn) Django
            # opens connections per thread and cannot reuse them safely; set DB_CONN_MAX_AGE for WSGI.
            os.environ["DATABASE_URL"],
            conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            "OPTIONS": SQLITE_OPTIONS,
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Judges no password: Django tells it when a password changed, and it revokes the API token.
    {"NAME": "accounts.tokens.RevokeTokenOnPasswordChange"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "config.static_files.ModuleAwareStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

# Uploads: documents up to WARRANT_MAX_UPLOAD_MB; Django keeps larger request bodies on disk.
WARRANT_MAX_UPLOAD_BYTES = int(os.environ.get("WARRANT_MAX_UPLOAD_MB", "10")) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Uploaded files, whatever the form, in memory when the whole request fits in FILE_UPLOAD_MAX_MEMORY_SIZE, else in
# temporary files without a name, so that a worker that dies leaves nothing behind; never kept beyond
# WARRANT_MAX_FILE_BYTES, the largest file any form takes (documents: WARRANT_MAX_UPLOAD_MB; map imports: 20 MB).
FILE_UPLOAD_HANDLERS = ["sources.uploads.BoundedUploadHandler"]
WARRANT_MAX_FILE_BYTES = max(WARRANT_MAX_UPLOAD_BYTES, 20 * 1024 * 1024)

# Security: strict by default in production; the local default stays on plain HTTP.
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp 4): scripts, styles and everything else only from this site, no
# inline code, no eval. Every page works under it: htmx runs with eval, script tags in swapped content
# and its injected indicator style turned off (<meta name="htmx-config"> in templates/base.html), and
# the graph's data is a json_script block, which is data and not script. Browsers report violations
# to /csp-report/ (config/csp.py), which logs them (logger "warrant.csp").
CSP_REPORT_URL = "/csp-report/"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],  # the API docs page draws its icons from data: URLs
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        # report-uri alone: browsers send these at once; with report-to present, Chromium ignores
        # report-uri and queues reports for the Reporting API, which delivered none on plain-HTTP test
        # servers. config/csp.py reads both shapes, so report-to can be added behind HTTPS.
        "report-uri": CSP_REPORT_URL,
    },
}
# Permissions-Policy (django-permissions-policy): no page of Warrant needs any of these.
PERMISSIONS_POLICY = dict.fromkeys(
    [
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    ],
    [],
)

# REST API (api/): session auth for the browser, tokens for scripts. Permissions come from
# arguments.access, the same policy as the pages.
REST_FRAMEWORK = {
    # Token first: a request without valid credentials then gets 401 with `WWW-Authenticate: Token`.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_SCHEMA_CLASS": "api.schema.ApiSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # A JSON body must be an object (400 otherwise), and every error answers JSON (api/errors.py).
    "DEFAULT_PARSER_CLASSES": [
        "api.parsers.JSONObjectParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Warrant API",
    "DESCRIPTION": (
        "Argument maps grounded in sources: maps, sources, passages, claims, relations, evidence. "
        "A guide with examples: [the API guide](/docs/api/). [← Back to Warrant](/)"
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The docs page's assets come from drf-spectacular-sidecar, served by WhiteNoise: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a `kind` or `role`: name each choice set after what it is.
    "ENUM_NAME_OVERRIDES": {
        "ClaimKindEnum": "arguments.models.ClaimKind",
        "RelationKindEnum": "arguments.models.RelationKind",
        "SourceKindEnum": "sources.models.SourceKind",
        "RoleEnum": "arguments.models.Role",
        "InvitableRoleEnum": "arguments.forms.INVITABLE_ROLES",
    },
}

# Email (invitations, password reset): printed to the console unless an SMTP server is configured.
# Setting EMAIL_HOST switches to SMTP; EMAIL_BACKEND overrides either choice.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587" if env_bool("EMAIL_USE_TLS", bool(EMAIL_HOST)) else "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", bool(EMAIL_HOST))
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Warrant <warrant@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
PASSWORD_RESET_TIMEOUT = int(os.environ.get("PASSWORD_RESET_TIMEOUT", str(60 * 60 * 24)))

# Rate limits (config/ratelimit.py), "count/seconds" or "off"; each has an environment override,
# e.g. WARRANT_RATE_LIMIT_WRITE=300/60.
WARRANT_RATE_LIMITS = {
    scope: os.environ.get(f"WARRANT_RATE_LIMIT_{scope.upper()}", default)
    for scope, default in {
        "write": "120/60",  # changes per signed-in user
        "login": "10/300",  # sign-in attempts per address and username (successful ones are given back)
        "login_ip": "50/300",  # sign-in attempts per address, whatever the username (likewise)
        "signup": "10/3600",  # sign-up attempts per address
        "password_reset": "5/3600",  # reset emails requested per address
    }.items()
}
# How many trusted proxies append to X-Forwarded-For in front of the app (0: use REMOTE_ADDR).
WARRANT_RATE_LIMIT_PROXIES = int(
    os.environ.get("WARRANT_RATE_LIMIT_PROXIES", "1" if env_bool("BEHIND_TLS_PROXY", False) else "0")
)
# The counters must be shared by every app process and counted atomically: in Redis when REDIS_URL
# is set (e.g. redis://127.0.0.1:6379/0), else in a database table (accounts.RateLimitCounter).
REDIS_URL = os.environ.get("REDIS_URL", "")
# The default cache keeps rendered reader layers and downloads (arguments/reader/cache.py,
# arguments/exports/cache.py): each process's memory on the embedded default; with REDIS_URL, Redis,
# so that every app process (and machine) builds a revision once, and sessions are read from it too.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if REDIS_URL:
    redis_cache = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "warrant",
        # A Redis that does not answer must not hold requests up for long (the limiter then lets them through).
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
    CACHES = {"default": redis_cache, "ratelimit": redis_cache}
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
WARRANT_RATE_LIMIT_CACHE = "ratelimit" if REDIS_URL else ""  # "": the database table

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

if env_bool("WARRANT_FAST_PASSWORDS", False):
    # Tests only: real password hashing dominates a test suite's run time.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The library asks the arguments app who may read a source (sources never imports arguments).
WARRANT_SOURCE_ACCESS = "arguments.access.readable_sources"
WARRANT_SOURCE_EDIT_ACCESS = "arguments.access.editable_sources"
