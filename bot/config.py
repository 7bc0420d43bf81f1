"""Settings from environment variables and an optional `.env` file."""

from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///pmo-bot.sqlite3"


class Settings(BaseSettings):
    """Everything PMO Bot can be configured with. Read on demand, never at import time."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL; default is a SQLite file in the working directory.",
    )
    default_timezone: str = Field(default="UTC", description="IANA zone for new people.")
    working_days: str = Field(
        default="12345", description="ISO weekdays people work by default (1=Mon … 7=Sun)."
    )
    work_start: time = Field(default=time(9, 0), description="Default start of the working day.")
    work_end: time = Field(default=time(17, 30), description="Default end of the working day.")
    log_level: str = Field(default="INFO")
    log_format: str = Field(
        default="text", description='"json" for one JSON object a line (with request ids).'
    )

    slack_bot_token: str | None = Field(default=None, repr=False)
    slack_signing_secret: str | None = Field(default=None, repr=False)
    slack_app_token: str | None = Field(default=None, repr=False)
    slack_client_id: str | None = Field(default=None)
    slack_client_secret: str | None = Field(default=None, repr=False)
    slack_api_url: str = Field(default="https://slack.com/api/")
    public_url: str = Field(
        default="http://localhost:3000",
        description="The address people reach `pmo-bot serve` at (calendar-feed links).",
    )
    slack_workers: int = Field(
        default=2,
        ge=0,
        description="Worker processes that run Slack requests in HTTP mode (0: in the server).",
    )
    slack_worker_priority: str = Field(
        default="idle",
        description='CPU priority of those workers: "idle" (SCHED_IDLE) or a nice value 0-19.',
    )

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}; use an IANA name") from exc
        return value

    @field_validator("slack_worker_priority")
    @classmethod
    def _priority(cls, value: str) -> str:
        value = value.strip().lower()
        if value != "idle" and not (value.isdigit() and 0 <= int(value) <= 19):
            raise ValueError('use "idle" or a nice value from 0 to 19')
        return value

    @field_validator("working_days")
    @classmethod
    def _iso_days(cls, value: str) -> str:
        days = "".join(sorted(set(value.replace(",", "").replace(" ", ""))))
        if not days or any(c not in "1234567" for c in days):
            raise ValueError("working_days takes ISO weekday digits 1-7, e.g. 12345")
        return days

    @property
    def has_slack(self) -> bool:
        """True when any Slack credential is configured."""
        return bool(
            self.slack_bot_token
            or self.slack_app_token
            or self.slack_client_id
            or self.slack_client_secret
        )


def get_settings() -> Settings:
    """Read settings from the environment now."""
    return Settings()
