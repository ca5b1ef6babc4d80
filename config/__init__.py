"""Settings, read from the environment only.

Every helper here fails loudly on a malformed value: a custody suite must not run on a
setting that was silently ignored (a typo in SWEEP_SECONDS would otherwise mean no texts).
"""
import os
import secrets
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = Path(__file__).resolve().parent


class SettingError(RuntimeError):
    """A setting in the environment is malformed."""


def env_str(env, name, default=None):
    value = env.get(name, "").strip()
    return value or default


def env_int(env, name, default, minimum=None):
    raw = env_str(env, name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingError(f"{name} must be a whole number, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise SettingError(f"{name} must be at least {minimum}, got {value}")
    return value


def env_float(env, name, default, minimum=None):
    raw = env_str(env, name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingError(f"{name} must be a number, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise SettingError(f"{name} must be at least {minimum}, got {value}")
    return value


def env_bool(env, name, default):
    raw = env_str(env, name)
    if raw is None:
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise SettingError(f"{name} must be 1/0, true/false, yes/no or on/off, got {raw!r}")


def env_choice(env, name, default, choices):
    value = env_str(env, name, default)
    if value not in choices:
        raise SettingError(f"{name} must be one of {', '.join(sorted(choices))}, got {value!r}")
    return value


def env_timezone(env, name, default):
    value = env_str(env, name, default)
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingError(f"{name} must be an IANA time zone such as Europe/London, got {value!r}") from None
    return value


def env_path(env, name, default):
    value = env_str(env, name)
    path = Path(value) if value else default
    if value and not path.exists():
        raise SettingError(f"{name} points at {path}, which does not exist")
    return str(path)


def _secret_key(env, instance_path):
    """SECRET_KEY from the environment; for a local run, one generated once under instance/."""
    key = env_str(env, "SECRET_KEY")
    if key:
        if len(key) < 32:
            raise SettingError("SECRET_KEY must be at least 32 characters")
        return key
    key_file = Path(instance_path) / "secret_key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _database_url(env, instance_path):
    url = env_str(env, "DATABASE_URL")
    if url is None:
        return f"sqlite:///{Path(instance_path) / 'custody.db'}"
    if url.startswith("postgres://") or url.startswith("postgresql://"):
        # psycopg 3 is the driver we ship; say so rather than let SQLAlchemy look for psycopg2.
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    if not (url.startswith("sqlite:") or url.startswith("postgresql+psycopg:")):
        raise SettingError(f"DATABASE_URL must be a sqlite: or postgresql+psycopg: URL, got {url.split(':')[0]}:")
    return url


def _sms_backend(env):
    twilio_configured = bool(env_str(env, "TWILIO_ACCOUNT_SID") and env_str(env, "TWILIO_AUTH_TOKEN"))
    backend = env_choice(env, "SMS_BACKEND", "twilio" if twilio_configured else "console", {"console", "twilio"})
    if backend == "twilio":
        missing = [n for n in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM", "PUBLIC_BASE_URL")
                   if not env_str(env, n)]
        if missing:
            raise SettingError(f"SMS_BACKEND=twilio needs {', '.join(missing)}")
    return backend


def from_environment(env=None, instance_path=None):
    """Flask settings from the environment (os.environ unless given)."""
    env = os.environ if env is None else env
    instance_path = instance_path or str(ROOT / "instance")
    production = env_bool(env, "PRODUCTION", False)
    return {
        "SECRET_KEY": _secret_key(env, instance_path),
        "SQLALCHEMY_DATABASE_URI": _database_url(env, instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "PRODUCTION": production,
        # Sessions: HttpOnly always; Secure whenever served over HTTPS (production).
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env_bool(env, "SESSION_COOKIE_SECURE", production),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": env_bool(env, "SESSION_COOKIE_SECURE", production),
        "PERMANENT_SESSION_LIFETIME": env_int(env, "SESSION_HOURS", 12, minimum=1) * 3600,
        "DEFAULT_TIMEZONE": env_timezone(env, "DEFAULT_TIMEZONE", "Europe/London"),
        "SUITES_FILE": env_path(env, "SUITES_FILE", CONFIG_DIR / "suites.toml"),
        "ESCALATION_POLICY_FILE": env_path(env, "ESCALATION_POLICY_FILE", CONFIG_DIR / "escalation.toml"),
        "AA_TARGET_MINUTES": env_int(env, "AA_TARGET_MINUTES", 120, minimum=1),
        "SMS_BACKEND": _sms_backend(env),
        "TWILIO_ACCOUNT_SID": env_str(env, "TWILIO_ACCOUNT_SID"),
        "TWILIO_AUTH_TOKEN": env_str(env, "TWILIO_AUTH_TOKEN"),
        "TWILIO_FROM": env_str(env, "TWILIO_FROM"),
        "TWILIO_API_BASE_URL": env_str(env, "TWILIO_API_BASE_URL", "https://api.twilio.com"),
        "TWILIO_TIMEOUT_SECONDS": env_float(env, "TWILIO_TIMEOUT_SECONDS", 10.0, minimum=0.1),
        "PUBLIC_BASE_URL": env_str(env, "PUBLIC_BASE_URL"),
        "SWEEP_SECONDS": env_float(env, "SWEEP_SECONDS", 5.0, minimum=0.1),
        "SCHEDULER_ENABLED": env_bool(env, "SCHEDULER_ENABLED", True),
        "RATELIMIT_ENABLED": env_bool(env, "RATELIMIT_ENABLED", True),
        "RATELIMIT_STORAGE_URI": env_str(env, "RATELIMIT_STORAGE_URI", "memory://"),
        "LOG_LEVEL": env_choice(env, "LOG_LEVEL", "INFO", {"DEBUG", "INFO", "WARNING", "ERROR"}),
    }


def for_tests(database_url, instance_path, **overrides):
    """Settings for the test suite: a given database, no scheduler, no rate limits."""
    env = {"DATABASE_URL": database_url, "SECRET_KEY": "t" * 40, "SCHEDULER_ENABLED": "0",
           "RATELIMIT_ENABLED": "0", "SMS_BACKEND": "console"}
    settings = from_environment(env, instance_path)
    settings.update(TESTING=True, **overrides)
    return settings
