"""Files the pages load, served by Kaoping itself (government intranets have no internet):
``/static/admin.css``, and under ``/static/vendor/`` HTMX and Swagger UI as vendored from the npm
registry (see ``core/web/static/vendor/README.md``)."""

from __future__ import annotations

from pathlib import Path

from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.static_files import create_static_files_router

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
SWAGGER = "/static/vendor/swagger-ui"


def static_router():
    return create_static_files_router(
        path="/static",
        directories=[STATIC_DIR],
        include_in_schema=False,
        send_as_attachment=False,
        cache_control=None,
        name="static",
    )


def openapi_render_plugins() -> list:
    """The API documentation at ``/schema``: Swagger UI from our own static files, the spec inline,
    our own favicon; nothing from a CDN and no web fonts."""
    return [
        SwaggerRenderPlugin(
            js_url=f"{SWAGGER}/swagger-ui-bundle.js",
            css_url=f"{SWAGGER}/swagger-ui.css",
            standalone_preset_js_url=f"{SWAGGER}/swagger-ui-standalone-preset.js",
            favicon=f"<link rel='icon' type='image/png' href='{SWAGGER}/favicon-32x32.png'>",
            path="/swagger",
        )
    ]
