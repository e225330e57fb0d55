"""Managing users: list, change role and unit, deactivate, and a user's own password.

Creating a user, resetting a password and granting child localities are in
``core.services.auth`` (``create_user``, ``set_password``, ``grant_child_localities``); these
are platform-admin work, as there. Every change is audited.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from sqlalchemy import delete, func
from sqlmodel import col, select

from core.context import Actor, AppContext
from core.models import AuthToken, Locality, Role, Unit, User
from core.security import hash_password, verify_password
from core.services import account_counts, audit
from core.services.access import require_role
from core.services.auth import MIN_PASSWORD_LENGTH
from core.services.errors import Invalid, NotFound

PLATFORM = frozenset({Role.platform_admin})
UNIT_ROLES = frozenset({Role.unit_admin, Role.leader, Role.cadre})


class UserOut(BaseModel):
    id: int
    username: str
    role: str
    locality_code: str | None
    locality_name: str | None
    unit_code: str | None
    unit_name: str | None
    is_active: bool
    reads_child_localities: bool


class UserPatch(BaseModel):
    model_config = {"extra": "forbid"}

    role: str | None = None
    unit_code: str | None = None
    is_active: bool | None = None


def _out(user: User, locality: Locality | None, unit: Unit | None) -> UserOut:
    return UserOut(
        id=user.id,
        username=user.username,
        role=user.role,
        locality_code=locality.code if locality else None,
        locality_name=locality.name if locality else None,
        unit_code=unit.code if unit else None,
        unit_name=unit.name if unit else None,
        is_active=user.is_active,
        reads_child_localities=user.reads_child_localities,
    )


def _field(field: str, message: str, **params: Any) -> Invalid:
    text = message.format(**params) if params else message
    return Invalid(f"{field}: {message}", params=params, errors=[{"field": field, "message": text}])


def list_users(
    ctx: AppContext, actor: Actor, *, search: str = "", locality_code: str = "", limit: int = 50, offset: int = 0
) -> tuple[list[UserOut], int]:
    require_role(actor, PLATFORM, "manage users")
    with ctx.db.read() as session:
        # Counted and paged on the users table alone (with 100,000 people's accounts a count and an
        # offset through the joins took 140-170 ms on SQLite); the page's 50 rows are joined after.
        conditions = []
        if search.strip():
            conditions.append(col(User.username).contains(search.strip()))
        if locality_code:
            locality_id = session.exec(select(Locality.id).where(Locality.code == locality_code)).first()
            if locality_id is None:
                return [], 0
            conditions.append(User.locality_id == locality_id)
        total = session.exec(select(func.count()).select_from(User).where(*conditions)).one()
        page_ids = select(User.id).where(*conditions).order_by(User.username).limit(limit).offset(offset)
        rows = session.exec(
            select(User, Locality, Unit)
            .outerjoin(Locality, Locality.id == User.locality_id)
            .outerjoin(Unit, Unit.id == User.unit_id)
            .where(col(User.id).in_(page_ids.scalar_subquery()))
            .order_by(User.username)
        ).all()
        return [_out(*row) for row in rows], total


def get_user(ctx: AppContext, actor: Actor, user_id: int) -> UserOut:
    require_role(actor, PLATFORM, "manage users")
    with ctx.db.read() as session:
        user = session.get(User, user_id) if 0 < user_id < 2**31 else None
        if user is None:
            raise NotFound("no user with id {id}", params={"id": user_id})
        locality = session.get(Locality, user.locality_id) if user.locality_id else None
        unit = session.get(Unit, user.unit_id) if user.unit_id else None
        return _out(user, locality, unit)


def update_user(ctx: AppContext, actor: Actor, user_id: int, data: UserPatch) -> UserOut:
    """Change a user's role, unit or whether it may sign in. A deactivated user's sessions and
    tokens stop working at once (they are deleted)."""
    require_role(actor, PLATFORM, "manage users")
    changes = data.model_dump(exclude_unset=True)
    with ctx.db.write() as session:
        user = session.get(User, user_id) if 0 < user_id < 2**31 else None
        if user is None:
            raise NotFound("no user with id {id}", params={"id": user_id})
        before = {"role": user.role, "unit_id": user.unit_id, "is_active": user.is_active}
        role = changes.get("role") or user.role
        if role not in {r.value for r in Role}:
            raise _field("role", "must be one of {roles}", roles=", ".join(r.value for r in Role))
        if role != Role.platform_admin and user.locality_id is None:
            raise _field("role", "a user without a locality can only be a platform admin")
        if user.id == actor.user_id and (role != user.role or changes.get("is_active") is False):
            raise _field("role", "you cannot change your own role or deactivate yourself")
        unit_id = user.unit_id
        if "unit_code" in changes:
            code = (changes["unit_code"] or "").strip()
            if code:
                unit = session.exec(select(Unit).where(Unit.locality_id == user.locality_id, Unit.code == code)).first()
                if unit is None:
                    raise _field("unit_code", "no unit with code {code} in this user's locality", code=code)
                unit_id = unit.id
            else:
                unit_id = None
        if role not in UNIT_ROLES:
            unit_id = None
        if role == Role.unit_admin and unit_id is None:
            raise _field("unit_code", "a unit_admin user needs a unit")
        user.role, user.unit_id = role, unit_id
        if role not in (Role.office, Role.leader):
            user.reads_child_localities = False
        if role != Role.assessment_group:  # an assessment group's campaigns go with the role
            from core.models.assessment import AssessmentAssignment

            session.execute(delete(AssessmentAssignment).where(AssessmentAssignment.user_id == user.id))
        if changes.get("is_active") is not None:
            user.is_active = bool(changes["is_active"])
            if not user.is_active:
                session.execute(delete(AuthToken).where(AuthToken.user_id == user.id))
        session.add(user)
        if user.person_id is not None and user.locality_id is not None and user.is_active != before["is_active"]:
            # a person's account: the people's accounts page counts the revoked ones
            account_counts.shift(session, user.locality_id, revoked=-1 if user.is_active else 1)
        after = {"role": user.role, "unit_id": user.unit_id, "is_active": user.is_active}
        if after != before:
            audit.record(
                session,
                actor,
                locality_id=user.locality_id,
                action="user.update",
                target_type="user",
                target_id=user.id,
                before=before,
                after=after,
            )
        session.flush()
        locality = session.get(Locality, user.locality_id) if user.locality_id else None
        unit = session.get(Unit, user.unit_id) if user.unit_id else None
        return _out(user, locality, unit)


def change_own_password(ctx: AppContext, actor: Actor, current: str, new: str) -> None:
    """Any signed-in user changes its own password, knowing the current one. Its other sessions
    and tokens stay valid (sign them out by deactivating, or by an admin reset)."""
    if actor.user_id is None:
        raise Invalid("only a signed-in user can change its password")
    if len(new) < MIN_PASSWORD_LENGTH:
        raise _field("new_password", "must be at least {n} characters", n=MIN_PASSWORD_LENGTH)
    with ctx.db.write() as session:
        user = session.get(User, actor.user_id)
        if user is None or not verify_password(user.password_hash, current):
            raise _field("current", "this is not your current password")
        user.password_hash = hash_password(new)
        session.add(user)
        audit.record(
            session,
            actor,
            locality_id=user.locality_id,
            action="user.change_own_password",
            target_type="user",
            target_id=user.id,
        )
