"""Settings from the environment (prefix ``KAOPING_``).

A bad value stops start-up with one line that names the setting; see ``load_settings``.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

log = logging.getLogger("kaoping.settings")

SECRET_KEY_FILE = "secret.key"


class SettingsError(Exception):
    """Raised with a one-line, user-facing message naming the bad setting."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KAOPING_", extra="ignore")

    var_dir: Path = Field(default=Path("var"), description="Folder for the SQLite file and the generated secret key.")
    database_url: str = Field(default="", description="sqlite:///path or postgresql://user@host:port/db")
    secret_key: str = Field(default="", description="Server key for code hashes, tokens and field encryption.")
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    base_url: str = ""
    max_upload_mb: int = Field(default=20, ge=1, le=1024)
    attachment_max_mb: int = Field(
        default=20, ge=1, le=1024, description="Largest file attached to a record (also bounded by max_upload_mb)."
    )
    pdf_font: Path | None = Field(default=None, description="A TrueType/OpenType CJK font to embed in PDFs.")
    scheduler: bool = Field(default=True, description="Run the adapter scheduler inside the web process.")
    scheduler_tick_seconds: float = Field(
        default=15, gt=0, le=3600, description="How often the scheduler looks for due adapter sources."
    )
    timezone: str = Field(default="Asia/Shanghai", description="Time zone of cron schedules and run-date periods.")
    adapter_folders: str = Field(default="", description="Absolute folders adapters may read, separated by ':'.")
    adapter_allow_loopback: bool = Field(default=False, description="Let http_json sources reach 127.0.0.1/::1.")
    audit_verify_minutes: float = Field(
        default=60, gt=0, le=7 * 24 * 60, description="How often the server verifies the audit chain."
    )
    backup_dir: Path | None = Field(default=None, description="Folder of scheduled backups (unset: none).")
    backup_cron: str = Field(default="30 2 * * *", description="When scheduled backups run (cron, KAOPING_TIMEZONE).")
    backup_keep: int = Field(default=14, ge=1, le=10000, description="Scheduled backups kept (the newest).")
    signin_log_days: int = Field(
        default=180, ge=1, le=3650, description="Days the sign-in log keeps each attempt (older ones are pruned)."
    )
    ballot_access_log: bool = Field(
        default=False,
        description="Write the access log's line for each request to the evaluators' ballot routes (/b/, "
        "/api/ballot); off: a meeting submitting at once is hundreds of lines a second, and each tells when an "
        "evaluator acted.",
    )

    @field_validator("backup_cron")
    @classmethod
    def _check_backup_cron(cls, value: str) -> str:
        from apscheduler.triggers.cron import CronTrigger

        try:
            CronTrigger.from_crontab(value)
        except ValueError as exc:
            raise ValueError(f"not a cron expression (minute hour day month weekday): {exc}") from None
        return value

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo

        try:
            ZoneInfo(value)
        except Exception:
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @property
    def allowed_adapter_folders(self) -> tuple[Path, ...]:
        return tuple(Path(p).resolve() for p in self.adapter_folders.split(os.pathsep) if p.strip())

    @field_validator("pdf_font")
    @classmethod
    def _check_pdf_font(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"no font file at {value}")
        return value

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        if value and not value.startswith(("sqlite://", "postgresql://", "postgresql+psycopg://", "postgres://")):
            raise ValueError("must start with sqlite:/// or postgresql://")
        return value

    @field_validator("base_url")
    @classmethod
    def _check_base_url(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("secret_key")
    @classmethod
    def _check_secret_key(cls, value: str) -> str:
        if value and len(value) < 32:
            raise ValueError("must be at least 32 characters")
        return value

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.var_dir / 'kaoping.db'}"

    @property
    def resolved_base_url(self) -> str:
        return self.base_url or f"http://{self.host}:{self.port}"

    def ensure_secret_key(self) -> str:
        """Return the secret key; generate it once into ``var/secret.key`` (mode 0600) when unset."""
        if self.secret_key:
            return self.secret_key
        path = self.var_dir / SECRET_KEY_FILE
        if not path.exists():
            _write_new_secret_key(path)
        key = path.read_text().strip()
        if len(key) < 32:
            raise SettingsError(f"{path}: the secret key is shorter than 32 characters")
        self.secret_key = key
        return key


def _write_new_secret_key(path: Path) -> None:
    """Write a new key to a private temporary file, then link it into place: the link is atomic
    and fails if another process got there first, so processes started at the same moment all
    end up with the one key that won, and nobody reads a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return  # another process wrote it first: use theirs
    finally:
        temporary.unlink(missing_ok=True)
    log.warning(
        "KAOPING_SECRET_KEY is not set: generated one into %s. Keep that file safe and back it up; "
        "losing it makes printed codes and encrypted fields unreadable.",
        path,
    )


def load_settings(**overrides) -> Settings:
    """Read the settings; turn a validation error into one clear line."""
    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = "KAOPING_" + str(first["loc"][0]).upper() if first["loc"] else "KAOPING_*"
        shown = "" if "SECRET" in name else f" (got {_hide_password(str(first.get('input')))!r})"
        raise SettingsError(f"{name}: {first['msg']}{shown}") from None
    settings.ensure_secret_key()
    return settings


def _hide_password(value: str) -> str:
    """``scheme://user:password@host`` -> ``scheme://user:***@host``: error messages end up in logs."""
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", value)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
