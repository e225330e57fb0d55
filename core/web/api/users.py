"""Users and roles over JSON (``/api/users``), the API twin of the console's user pages: the
same services and the same rule (platform admins only; any other role gets 403). Also the
sign-in log (``/api/sign-ins``), read as on its console page: platform admins everything,
office users their own locality's users."""

from __future__ import annotations

from datetime import datetime

from litestar import Controller, get, patch, post, put
from litestar.params import JSONBody, QueryParameter
from pydantic import Field

from core.schemas.base import Id, In, Out, Page
from core.services import assessment
from core.services import auth as auth_service
from core.services import signins as signin_service
from core.services import users as user_service
from core.services.paging import MAX_PAGE
from core.web.params import Ctx, CurrentActor, ItemId

Limit = QueryParameter(name="limit", ge=1, le=MAX_PAGE, default=50)
Offset = QueryParameter(name="offset", ge=0, le=2**31 - 1, default=0)


class UserIn(In):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1000, description="At least 10 characters.")
    role: str = Field(
        description="platform_admin, office, unit_admin, leader, cadre, assessment_group, org_dept, org_dept_head or public"
    )
    locality_code: str | None = Field(default=None, max_length=64, description="Required except for a platform admin.")
    unit_code: str | None = Field(
        default=None, max_length=64, description="Required for a unit admin; optional for a leader or cadre."
    )


class PasswordIn(In):
    password: str = Field(min_length=1, max_length=1000, description="The new password, at least 10 characters.")


class ChildLocalitiesIn(In):
    granted: bool = Field(
        description="true: may read (never change) the localities below its own; false: its own only."
    )


class CampaignIdsIn(In):
    campaign_ids: list[Id] = Field(max_length=500, description="Campaigns of the user's locality; replaces the set.")


class AssignedCampaignOut(Out):
    id: int
    name: str
    status: str
    assigned: bool


class CampaignIdsOut(Out):
    campaign_ids: list[int]


class SignInOut(Out):
    id: int
    at: datetime
    username: str = Field(description="The user's name; for a name that names no user, '?' and a 12-digit code.")
    user_id: int | None
    ok: bool
    reason: str = Field(description="'' on success, else wrong_password, unknown_user, inactive or throttled.")
    channel: str = Field(description="console or api")
    client: str
    user_agent: str


def _sign_ins(rows: list[signin_service.AttemptOut]) -> list[SignInOut]:
    return [SignInOut.model_validate(row) for row in rows]


class UserController(Controller):
    path = "/api/users"
    tags = ["users"]

    @get("/", sync_to_thread=True, summary="Users, by user name (platform admin)")
    def list_users(
        self,
        ctx: Ctx,
        actor: CurrentActor,
        q: str = QueryParameter(default="", max_length=100),
        locality: str = QueryParameter(default="", max_length=64),
        limit: int = Limit,
        offset: int = Offset,
    ) -> Page[user_service.UserOut]:
        """``q``: part of the user name; ``locality``: a locality code."""
        items, total = user_service.list_users(ctx, actor, search=q, locality_code=locality, limit=limit, offset=offset)
        return Page(items=items, total=total, limit=limit, offset=offset)

    @post("/", sync_to_thread=True, status_code=201, summary="Create a user (platform admin)")
    def create(self, ctx: Ctx, actor: CurrentActor, data: JSONBody[UserIn]) -> user_service.UserOut:
        """422 names the bad field (role, password, username, locality, unit); 409 when the name is taken."""
        user = auth_service.create_user(
            ctx,
            actor,
            username=data.username,
            password=data.password,
            role=data.role,
            locality_code=data.locality_code or None,
            unit_code=data.unit_code or None,
        )
        return user_service.get_user(ctx, actor, user.id)

    @get("/{item_id:int}", sync_to_thread=True, summary="A user (platform admin)")
    def get_user(self, ctx: Ctx, actor: CurrentActor, item_id: ItemId) -> user_service.UserOut:
        return user_service.get_user(ctx, actor, item_id)

    @patch("/{item_id:int}", sync_to_thread=True, summary="Change a user's role, unit or active flag (platform admin)")
    def update(
        self, ctx: Ctx, actor: CurrentActor, item_id: ItemId, data: JSONBody[user_service.UserPatch]
    ) -> user_service.UserOut:
        """Deactivating (``is_active: false``) signs the user out at once. You cannot change your own
        role or deactivate yourself."""
        return user_service.update_user(ctx, actor, item_id, data)

    @post(
        "/{item_id:int}/deactivate",
        sync_to_thread=True,
        status_code=200,
        summary="Deactivate a user: it is signed out at once and cannot sign in (platform admin)",
    )
    def deactivate(self, ctx: Ctx, actor: CurrentActor, item_id: ItemId) -> user_service.UserOut:
        return user_service.update_user(ctx, actor, item_id, user_service.UserPatch(is_active=False))

    @post(
        "/{item_id:int}/password",
        sync_to_thread=True,
        status_code=204,
        summary="Reset a user's password (platform admin)",
    )
    def reset_password(self, ctx: Ctx, actor: CurrentActor, item_id: ItemId, data: JSONBody[PasswordIn]) -> None:
        user = user_service.get_user(ctx, actor, item_id)
        auth_service.set_password(ctx, actor, user.username, data.password)

    @put(
        "/{item_id:int}/child-localities",
        sync_to_thread=True,
        summary="Grant or take back read access to the localities below the user's own (platform admin)",
    )
    def child_localities(
        self, ctx: Ctx, actor: CurrentActor, item_id: ItemId, data: JSONBody[ChildLocalitiesIn]
    ) -> user_service.UserOut:
        """Only an office or leader user can be granted (422 otherwise)."""
        user = user_service.get_user(ctx, actor, item_id)
        auth_service.grant_child_localities(ctx, actor, user.username, data.granted)
        return user_service.get_user(ctx, actor, item_id)

    @get(
        "/{item_id:int}/campaigns",
        sync_to_thread=True,
        summary="The campaigns of an assessment-group user's locality, and which it may read (platform admin)",
    )
    def campaigns(self, ctx: Ctx, actor: CurrentActor, item_id: ItemId) -> list[AssignedCampaignOut]:
        return [AssignedCampaignOut(**row) for row in assessment.assignable(ctx, actor, item_id)]

    @put(
        "/{item_id:int}/campaigns",
        sync_to_thread=True,
        summary="Set the campaigns an assessment-group user may read (platform admin)",
    )
    def assign_campaigns(
        self, ctx: Ctx, actor: CurrentActor, item_id: ItemId, data: JSONBody[CampaignIdsIn]
    ) -> CampaignIdsOut:
        """422 (``campaign_ids``) when the user is not of role assessment_group or a campaign is not
        of its locality. The user's sessions and tokens see the change at their next request."""
        return CampaignIdsOut(campaign_ids=assessment.set_assignments(ctx, actor, item_id, list(data.campaign_ids)))

    @get("/{item_id:int}/sign-ins", sync_to_thread=True, summary="A user's last sign-in attempts (platform admin)")
    def sign_ins(
        self,
        ctx: Ctx,
        actor: CurrentActor,
        item_id: ItemId,
        limit: int = QueryParameter(name="limit", ge=1, le=200, default=20),
    ) -> list[SignInOut]:
        user_service.get_user(ctx, actor, item_id)
        return _sign_ins(signin_service.last_attempts(ctx, actor, item_id, limit=limit))


class SignInController(Controller):
    path = "/api/sign-ins"
    tags = ["users"]

    @get(
        "/",
        sync_to_thread=True,
        summary="The sign-in log, newest first (platform admin: all; office: its locality's users)",
    )
    def list_sign_ins(
        self,
        ctx: Ctx,
        actor: CurrentActor,
        user: str = QueryParameter(default="", max_length=100),
        result: str = QueryParameter(
            default="", max_length=16, description="ok, failed, wrong_password, unknown_user, inactive or throttled"
        ),
        date_from: str = QueryParameter(default="", max_length=10, description="YYYY-MM-DD, inclusive"),
        date_to: str = QueryParameter(default="", max_length=10, description="YYYY-MM-DD, inclusive"),
        limit: int = Limit,
        offset: int = Offset,
    ) -> Page[SignInOut]:
        rows, total = signin_service.list_attempts(
            ctx, actor, user=user, result=result, date_from=date_from, date_to=date_to, limit=limit, offset=offset
        )
        return Page(items=_sign_ins(rows), total=total, limit=limit, offset=offset)
