"""Interactive API docs (Swagger UI) served from the package: nothing is fetched from elsewhere.

`GET /docs` is the Swagger UI page, its script and style sheet are under `/docs/assets/` (swagger-ui-dist
5, Apache-2.0, its licence next to the files), and it reads `GET /openapi.json`. These need no key: they
describe the API and hold no data. The schema declares the bearer key (`deps.py`), so the page's
**Authorize** button takes a key and **Try it out** sends it. The page's Content-Security-Policy lets its
own inline script run by hash and loads the rest from this server only (`accountgraph.api.security`).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from accountgraph.api.middleware import OPEN_PREFIX as ASSET_PREFIX  # served without a key, as /docs is
from accountgraph.api.security import HtmlPage

__all__ = ["install"]

ASSETS = Path(__file__).resolve().parents[1] / "static" / "swagger-ui"


def install(app: FastAPI) -> None:
    """Serve the docs on `app` (built with ``docs_url=None, redoc_url=None``)."""
    app.mount(ASSET_PREFIX.rstrip("/"), StaticFiles(directory=ASSETS), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        page = get_swagger_ui_html(
            openapi_url="/openapi.json",
            title=f"{app.title}: docs",
            swagger_js_url=ASSET_PREFIX + "swagger-ui-bundle.js",
            swagger_css_url=ASSET_PREFIX + "swagger-ui.css",
            swagger_favicon_url=ASSET_PREFIX + "favicon-32x32.png",
            swagger_ui_parameters={"validatorUrl": None, "persistAuthorization": False},
        )
        return HtmlPage(bytes(page.body).decode("utf-8"), same_origin=True)  # its own scripts, by hash
