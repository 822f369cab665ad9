"""The one place that reads the environment.

Everything is validated at import so that a bad setting stops the process at start with a message
naming the variable, rather than failing on the first request that touches it.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import sys
from dataclasses import dataclass, field
from datetime import date, datetime
from email.utils import parseaddr
from enum import StrEnum
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_T = TypeVar("_T")

ROOT = Path(__file__).resolve().parent.parent
SUPPORTED_LOCALES = ("zh_CN", "en")


class ConfigError(RuntimeError):
    """A setting in the environment is missing or malformed."""


@dataclass(frozen=True)
class Limits:
    """Bounds on work one user can cause; each from `FUCHI_<NAME>` (upper case), else the default."""

    import_max_rows: int = 50_000  # data rows of one spreadsheet
    import_max_columns: int = 200
    import_max_empty_run: int = 1_000  # consecutive empty rows after which reading stops
    import_max_seconds: int = 60  # reading one file
    import_max_unpacked_bytes: int = 300 * 1024 * 1024  # what an XLSX (a zip) may unpack to
    heavy_jobs_per_user: int = 3  # imports and exports running or waiting, per user
    export_inline_rows: int = 5_000  # larger exports are built by a background job
    attachment_max_bytes: int = 10 * 1024 * 1024  # one photo, document or signature on a case
    confirmation_code_tries: int = 5  # wrong codes before a founder's code stops working
    confirmation_code_minutes: int = 10  # how long a code sent to a founder's phone is valid
    duplicate_checks_per_minute: int = 30  # duplicate checks (which look up phones and ID numbers) per user
    import_draft_days: int = 7  # an import's checked rows (personal data) wait this long for confirmation


@dataclass(frozen=True)
class PasswordHashing:
    """Argon2id's cost; each from `FUCHI_ARGON2_<NAME>`, else argon2-cffi's default (RFC 9106
    "low memory": t=3, m=64 MiB, p=4), stronger than OWASP's minimum (m=19 MiB, t=2, p=1).

    A stored hash names its own cost, so changing these never locks anyone out. The test suite
    lowers them: it signs in thousands of times and checks the login, not Argon2's strength.
    """

    time_cost: int = 3
    memory_kib: int = 64 * 1024
    parallelism: int = 4


class SmtpSecurity(StrEnum):
    NONE = "none"  # plain SMTP: the local sink, or a relay on the same host
    STARTTLS = "starttls"  # port 587
    SSL = "ssl"  # SMTP over TLS from the first byte, port 465


@dataclass(frozen=True)
class Smtp:
    """Where e-mail goes: `FUCHI_SMTP_*` and `FUCHI_MAIL_FROM`; the defaults reach `make run`'s local sink."""

    host: str = "127.0.0.1"
    port: int = 8025
    security: SmtpSecurity = SmtpSecurity.NONE
    user: str = ""
    password: str = field(default="", repr=False)
    sender: str = "Fuchi 扶持 <noreply@fuchi.local>"


@dataclass(frozen=True)
class Settings:
    database_url: str
    redis_url: str
    secret_key: str
    port: int
    default_locale: str
    display_timezone: ZoneInfo
    var_dir: Path
    demo: bool
    queue_name: str
    limits: Limits
    password_hashing: PasswordHashing = PasswordHashing()
    smtp: Smtp = Smtp()
    # Addresses of reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed
    # (FUCHI_TRUSTED_PROXIES, comma-separated); from anyone else those headers are ignored.
    trusted_proxies: tuple[str, ...] = ()
    # Earlier SECRET_KEYs (FUCHI_OLD_SECRET_KEYS, comma-separated): data encrypted under them stays
    # readable while `fuchi rotate-key` re-encrypts it under SECRET_KEY.
    old_secret_keys: tuple[str, ...] = field(default=(), repr=False)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def sqlite_path(self) -> Path:
        """The file behind a ``sqlite:///path`` URL (relative paths are relative to the project)."""
        path = Path(self.database_url.removeprefix("sqlite:///"))
        return path if path.is_absolute() else ROOT / path


def _secret_key(var_dir: Path) -> str:
    if value := os.environ.get("SECRET_KEY"):
        if len(value) < 32:
            raise ConfigError("SECRET_KEY must be at least 32 characters long.")
        return value
    # Embedded default: one key generated on first start and kept, so sessions and encrypted
    # columns survive a restart.
    key_file = var_dir / "secret_key"
    if not key_file.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _database_url(var_dir: Path) -> str:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{var_dir / 'fuchi.sqlite'}"
    scheme = urlparse(url).scheme
    if scheme not in {"sqlite", "postgres", "postgresql"}:
        raise ConfigError(f"DATABASE_URL must start with sqlite:/// or postgresql:// (got scheme {scheme!r}).")
    return url


def _redis_url() -> str:
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6390/0")
    if urlparse(url).scheme not in {"redis", "rediss", "unix"}:
        raise ConfigError("REDIS_URL must start with redis://, rediss:// or unix://.")
    return url


def _port() -> int:
    raw = os.environ.get("PORT", "8000")
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise ConfigError(f"PORT must be a TCP port number (got {raw!r}).")
    return int(raw)


def _locale() -> str:
    locale = os.environ.get("FUCHI_LOCALE", "zh_CN")
    if locale not in SUPPORTED_LOCALES:
        raise ConfigError(f"FUCHI_LOCALE must be one of {', '.join(SUPPORTED_LOCALES)} (got {locale!r}).")
    return locale


def _timezone() -> ZoneInfo:
    name = os.environ.get("FUCHI_TIMEZONE", "Asia/Shanghai")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"FUCHI_TIMEZONE is not a known time zone: {name!r}.") from exc


def _whole_numbers(kind: type[_T], prefix: str) -> _T:
    """A dataclass of whole numbers, each from `<prefix><NAME>` (upper case) when set."""
    values: dict[str, int] = {}
    for name in kind.__dataclass_fields__:  # type: ignore[attr-defined]
        variable = f"{prefix}{name.upper()}"
        raw = os.environ.get(variable)
        if raw is None:
            continue
        if not raw.isdigit() or int(raw) < 1:
            raise ConfigError(f"{variable} must be a whole number of 1 or more (got {raw!r}).")
        values[name] = int(raw)
    return kind(**values)


def _smtp() -> Smtp:
    host = os.environ.get("FUCHI_SMTP_HOST", Smtp.host).strip()
    if not host or any(c.isspace() for c in host):
        raise ConfigError(f"FUCHI_SMTP_HOST must be a host name or address (got {host!r}).")
    raw_port = os.environ.get("FUCHI_SMTP_PORT", str(Smtp.port))
    if not raw_port.isdigit() or not 0 < int(raw_port) < 65536:
        raise ConfigError(f"FUCHI_SMTP_PORT must be a TCP port number (got {raw_port!r}).")
    raw_security = os.environ.get("FUCHI_SMTP_TLS", Smtp.security.value)
    if raw_security not in SmtpSecurity.__members__.values():
        choices = ", ".join(SmtpSecurity)
        raise ConfigError(f"FUCHI_SMTP_TLS must be one of {choices} (got {raw_security!r}).")
    user = os.environ.get("FUCHI_SMTP_USER", "")
    password = os.environ.get("FUCHI_SMTP_PASSWORD", "")
    if bool(user) != bool(password):
        raise ConfigError("FUCHI_SMTP_USER and FUCHI_SMTP_PASSWORD must be set together (or neither).")
    sender = os.environ.get("FUCHI_MAIL_FROM", Smtp.sender)
    _name, address = parseaddr(sender)
    if "@" not in address or "\n" in sender or "\r" in sender:
        raise ConfigError(f"FUCHI_MAIL_FROM must be an e-mail address, optionally with a name (got {sender!r}).")
    return Smtp(
        host=host,
        port=int(raw_port),
        security=SmtpSecurity(raw_security),
        user=user,
        password=password,
        sender=sender,
    )


def _address_list(variable: str) -> tuple[str, ...]:
    values = tuple(part.strip() for part in os.environ.get(variable, "").split(",") if part.strip())
    for value in values:
        try:
            ipaddress.ip_address(value)
        except ValueError as exc:
            raise ConfigError(f"{variable} must list IP addresses separated by commas (got {value!r}).") from exc
    return values


def _old_secret_keys() -> tuple[str, ...]:
    keys = tuple(part.strip() for part in os.environ.get("FUCHI_OLD_SECRET_KEYS", "").split(",") if part.strip())
    if any(len(key) < 32 for key in keys):
        raise ConfigError("Each key in FUCHI_OLD_SECRET_KEYS must be at least 32 characters long.")
    return keys


def load_settings() -> Settings:
    """Read and validate the environment."""
    var_dir = Path(os.environ.get("FUCHI_VAR_DIR", ROOT / "var"))
    return Settings(
        database_url=_database_url(var_dir),
        redis_url=_redis_url(),
        secret_key=_secret_key(var_dir),
        port=_port(),
        default_locale=_locale(),
        display_timezone=_timezone(),
        var_dir=var_dir,
        demo=os.environ.get("FUCHI_DEMO", "") == "1",
        queue_name=os.environ.get("FUCHI_QUEUE", "fuchi"),
        limits=_whole_numbers(Limits, "FUCHI_"),
        password_hashing=_whole_numbers(PasswordHashing, "FUCHI_ARGON2_"),
        smtp=_smtp(),
        trusted_proxies=_address_list("FUCHI_TRUSTED_PROXIES"),
        old_secret_keys=_old_secret_keys(),
    )


try:
    settings = load_settings()
except ConfigError as error:
    sys.exit(f"Configuration error: {error}")


def bureau_today() -> date:
    """Today in the bureau's time zone: due dates, resume dates and away-until dates are days in
    Chongqing, whatever the server's clock says."""
    return datetime.now(settings.display_timezone).date()
