"""Configuration classes; the only module that reads the environment."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


class Config:
    """Defaults for development: an embedded SQLite file under ``instance/``."""

    SECRET_KEY = _env("SECRET_KEY", "dev-only-change-me")
    SQLALCHEMY_DATABASE_URI = _env("DATABASE_URL", f"sqlite:///{ROOT / 'instance' / 'caseflow.db'}")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SQLALCHEMY_RECORD_QUERIES = False
    DATA_DIR = _env("CASEFLOW_DATA_DIR", str(ROOT / "instance" / "data"))
    CASEFLOW_NOW = _env("CASEFLOW_NOW")
    # Babel: Chinese first, English on request.
    LANGUAGES = ("zh_CN", "en")
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    # Sessions and cookies.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env("CASEFLOW_SECURE_COOKIES", "0") == "1"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 8 * 3600
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    # Uploads.
    MAX_CONTENT_LENGTH = 25 * 1024 * 1024
    UPLOAD_MAX_BYTES = 20 * 1024 * 1024
    # Login throttling: per account lock-out and per-address rate limit.
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCK_MINUTES = 15
    LOGIN_RATE_LIMIT = "20 per minute"
    PUBLIC_COMPLAINT_RATE_LIMIT = "5 per hour"
    PUBLIC_COMPLAINT_MAX_BYTES = 64 * 1024  # a public complaint's whole request body (5,000 CJK chars form-encoded fit)
    PUBLIC_LOOKUP_RATE_LIMIT = "60 per minute"  # receipt look-ups and additions per address
    RATELIMIT_STORAGE_URI = _env("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    API_TOKEN_DAYS = 30
    # Mail: unset MAIL_SERVER means in-app notifications only.
    MAIL_SERVER = _env("MAIL_SERVER")
    MAIL_PORT = int(_env("MAIL_PORT", "25") or 25)
    MAIL_USERNAME = _env("MAIL_USERNAME")
    MAIL_PASSWORD = _env("MAIL_PASSWORD")
    MAIL_USE_TLS = _env("MAIL_USE_TLS", "0") == "1"
    MAIL_SENDER = _env("MAIL_SENDER", "caseflow@localhost")
    MAIL_TIMEOUT = 5
    # Domain defaults (SPEC marks them *default*; the yearly scheme may override scoring numbers).
    ORGAN_NAME = _env("CASEFLOW_ORGAN", "中共宁波市镇海区纪律检查委员会")
    NOTICE_PREFIX = _env("CASEFLOW_NOTICE_PREFIX", "镇纪预告")
    # Number prefixes of the other numbered documents (预警建议书, 季度分析, 半年形势研究).
    RECOMMENDATION_PREFIX = _env("CASEFLOW_RECOMMENDATION_PREFIX", "镇纪预建")
    ANALYSIS_PREFIX = _env("CASEFLOW_ANALYSIS_PREFIX", "镇纪预析")
    REVIEW_PREFIX = _env("CASEFLOW_REVIEW_PREFIX", "镇纪预研")
    ACK_WORKDAYS = 3
    RECTIFY_WORKDAYS = 20
    VERIFY_WORKDAYS = 5
    HANDLING_WORKDAYS = 10
    RAPID_REPORT_WORKDAYS = 1
    REMINDER_WORKDAYS = 3
    # Display: how long dashboard charts and analysis figures may be reused (the board is always live).
    DISPLAY_CACHE_SECONDS = int(_env("CASEFLOW_DISPLAY_CACHE_SECONDS", "60") or 60)
    # OpenAPI (flask-smorest).
    API_TITLE = "caseflow API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"


class TestingConfig(Config):
    """Settings for the test suite: a throw-away database and no CSRF friction where asked."""

    TESTING = True
    SECRET_KEY = "test-secret"
    SQLALCHEMY_DATABASE_URI = _env("TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = True
    RATELIMIT_ENABLED = True
    CASEFLOW_NOW = None
    DISPLAY_CACHE_SECONDS = 0


class ProductionConfig(Config):
    """Production: secrets must come from the environment; cookies are HTTPS-only."""

    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True


CONFIGS = {"development": Config, "testing": TestingConfig, "production": ProductionConfig}


def pick_config() -> type[Config]:
    """Choose the configuration class named by ``CASEFLOW_ENV`` (default development)."""
    return CONFIGS.get(_env("CASEFLOW_ENV", "development") or "development", Config)
