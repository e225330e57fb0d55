from __future__ import annotations

from litestar import Controller, Request, post
from litestar.params import JSONBody
from pydantic import Field

from core.schemas.base import In, Out
from core.services import auth as auth_service
from core.web.auth import client_address
from core.web.params import Ctx

API_TOKEN_TTL_DAYS = 30


class TokenRequest(In):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1000)


class TokenResponse(Out):
    token: str
    expires_at: str | None


class AuthController(Controller):
    path = "/api/auth"
    tags = ["auth"]

    @post(
        "/token", sync_to_thread=True, status_code=200, summary="Exchange a user name and password for a bearer token"
    )
    def token(self, ctx: Ctx, request: Request, data: JSONBody[TokenRequest]) -> TokenResponse:
        from datetime import timedelta

        user = auth_service.authenticate(
            ctx,
            data.username,
            data.password,
            client_address(request),
            user_agent=request.headers.get("user-agent", ""),
            channel="api",
        )
        issued = auth_service.issue_token(
            ctx, user, kind="api", name="api login", ttl=timedelta(days=API_TOKEN_TTL_DAYS)
        )
        return TokenResponse(
            token=issued.token, expires_at=issued.expires_at.isoformat() if issued.expires_at else None
        )
