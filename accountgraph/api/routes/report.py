"""The account plan on paper: `GET /v1/accounts/{id}/report.pdf` (`accountgraph.services.report`, the same use case
as `accountgraph report` and the workspace's print page). An account the key may not see answers 404."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from accountgraph.api.deps import AccountId, LanguageDep, ReadAccess, ViewsDep
from accountgraph.api.routing import IdRoute
from accountgraph.services import report

router = APIRouter(prefix="/accounts", tags=["analysis"], route_class=IdRoute)


@router.get(
    "/{id:path}/report.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "the account plan as PDF"}},
    summary="The account plan (key people, coverage and gaps, next best actions, deal health, power map) as PDF",
)
def report_pdf(access: ReadAccess, views: ViewsDep, language: LanguageDep, id: AccountId) -> Response:
    pdf = report.plan_pdf(access.store, access.scope, id, cache=views, lang=language)
    filename = "".join(c if c.isalnum() or c in "-_" else "_" for c in id) or "account"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}-plan.pdf"',
            "Content-Language": language.replace("_", "-"),
        },
    )
