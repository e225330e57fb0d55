"""All table models; importing this module registers every table on ``SQLModel.metadata``."""

from core.models.accounts import ActivationBatch, ActivationCode, PeopleAccountCounts
from core.models.adapters import AdapterRun, AdapterSource, RunStatus
from core.models.assessment import AssessmentAssignment
from core.models.audit import AuditEntry
from core.models.campaigns import (
    AccountStatus,
    Adjustment,
    Ballot,
    BallotAccount,
    BallotDraft,
    BallotPosition,
    Campaign,
    CampaignCategory,
    CampaignResult,
    CampaignStatus,
    CampaignSubject,
    SlipBatch,
    StagedBallot,
)
from core.models.discussion import Attachment, Comment, Like
from core.models.indicators import (
    Indicator,
    IndicatorKind,
    IndicatorTemplate,
    TemplateStatus,
)
from core.models.locality import Locality
from core.models.name_grams import PersonNameGram
from core.models.notifications import Notification
from core.models.org import Person, Team, TeamMember, Unit
from core.models.paper import PaperEntry
from core.models.plugins import LocalityPlugin
from core.models.signins import SignInAttempt
from core.models.subjects import Subject, SubjectKind
from core.models.users import AuthToken, LoginFailureCount, Role, User
from core.models.values import IndicatorValue

__all__ = [
    "ActivationBatch",
    "ActivationCode",
    "PeopleAccountCounts",
    "Attachment",
    "Comment",
    "Like",
    "Notification",
    "AdapterRun",
    "AdapterSource",
    "RunStatus",
    "Adjustment",
    "CampaignResult",
    "IndicatorValue",
    "LocalityPlugin",
    "SignInAttempt",
    "AssessmentAssignment",
    "PaperEntry",
    "AccountStatus",
    "StagedBallot",
    "Ballot",
    "BallotAccount",
    "BallotDraft",
    "BallotPosition",
    "Campaign",
    "CampaignCategory",
    "CampaignStatus",
    "CampaignSubject",
    "Indicator",
    "IndicatorKind",
    "IndicatorTemplate",
    "SlipBatch",
    "TemplateStatus",
    "AuditEntry",
    "AuthToken",
    "Locality",
    "LoginFailureCount",
    "Person",
    "PersonNameGram",
    "Role",
    "Subject",
    "SubjectKind",
    "Team",
    "TeamMember",
    "Unit",
    "User",
]
