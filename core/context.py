"""What every service call needs: the settings, the database, the keys, and who is acting."""

from __future__ import annotations

from dataclasses import dataclass

from core.audit_chain import CHECKPOINT_FILE, AuditChain
from core.db import Database
from core.models import Role
from core.security import Keyring
from core.settings import Settings


@dataclass
class AppContext:
    settings: Settings
    db: Database
    keys: Keyring

    def __post_init__(self) -> None:
        if self.db.audit is None or self.db.audit.keys is not self.keys:
            self.db.audit = AuditChain(self.keys, self.settings.var_dir / CHECKPOINT_FILE)

    @classmethod
    def from_settings(cls, settings: Settings) -> AppContext:
        return cls(
            settings=settings,
            db=Database(settings.resolved_database_url),
            keys=Keyring(settings.ensure_secret_key()),
        )


@dataclass(frozen=True)
class Actor:
    """The user on whose behalf a service runs."""

    user_id: int | None
    username: str
    role: str
    locality_id: int | None
    unit_id: int | None = None
    # Localities under its own this user was granted to read (never to change).
    readable_localities: frozenset[int] = frozenset()
    # An assessment_group user: the campaigns it was assigned to read (none else).
    campaign_ids: frozenset[int] = frozenset()

    @property
    def is_platform_admin(self) -> bool:
        return self.role == Role.platform_admin

    @classmethod
    def system(cls, name: str = "system") -> Actor:
        """The CLI and the demo loader act as the platform itself."""
        return cls(user_id=None, username=name, role=Role.platform_admin, locality_id=None)
