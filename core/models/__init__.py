"""All table models; importing this module registers every table on ``SQLModel.metadata``."""

from core.models.audit import AuditEntry
from core.models.locality import Locality
from core.models.org import Person, Team, TeamMember, Unit
from core.models.subjects import Subject, SubjectKind
from core.models.users import AuthToken, LoginFailure, Role, User

__all__ = [
    "AuditEntry",
    "AuthToken",
    "Locality",
    "LoginFailure",
    "Person",
    "Role",
    "Subject",
    "SubjectKind",
    "Team",
    "TeamMember",
    "Unit",
    "User",
]
