from __future__ import annotations

from litestar import MediaType, Response, get

from core.web.params import Ctx


@get("/health", sync_to_thread=True, media_type=MediaType.JSON, tags=["health"])
def health(ctx: Ctx) -> Response:
    """200 when the database answers, 503 otherwise (for load balancers and monitors)."""
    if ctx.db.ping():
        return Response({"status": "ok", "database": "ok"}, status_code=200)
    return Response({"status": "unavailable", "database": "unreachable"}, status_code=503)
