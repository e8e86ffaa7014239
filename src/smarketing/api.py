"""The REST API root: /api/v1/ (django-ninja), OpenAPI at /api/v1/openapi.json."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError as SchemaError
from ninja.security import HttpBearer, SessionAuth

from smarketing import __version__
from smarketing.core.errors import Conflict, DomainError, NotFound, PermissionDenied, RateLimited
from smarketing.core.roles import role_of
from smarketing.integrations.services import token_check_request, token_lookup


class BearerToken(HttpBearer):
    openapi_description = "A personal API token: `smarketing token create --user NAME`."

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = token_lookup(token)
        if found is None or role_of(found.user) is None:
            return None
        token_check_request(token=found, method=request.method or "GET")
        request.user = found.user
        return found.user


class RoleSession(SessionAuth):
    """The web UI's session (with CSRF), for users who have a role."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return user if role_of(user) is not None else None


api = NinjaAPI(
    title="Smarketing API",
    version=__version__,
    description="One data model for marketing and sales. Lists return {items, count}.",
    urls_namespace="api",
    auth=[BearerToken(), RoleSession()],
    docs_url="/docs",
)

STATUS_BY_ERROR = {NotFound: 404, PermissionDenied: 403, Conflict: 409, RateLimited: 429}


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    status = STATUS_BY_ERROR.get(type(exc), 422)
    response = api.create_response(
        request, {"detail": exc.message, "field": exc.field, "code": exc.code}, status=status
    )
    if isinstance(exc, RateLimited):
        response["Retry-After"] = str(exc.retry_after)
    return response


SCHEMA_PARTS = frozenset({"body", "query", "path", "form", "file", "header", "cookie"})


@api.exception_handler(SchemaError)
def schema_error(request: HttpRequest, exc: SchemaError) -> HttpResponse:
    """Request-schema errors in the shape of domain errors (the first one in `detail`
    and `field`), every one of them in `errors` ({loc, msg, type})."""
    errors = [{k: e.get(k) for k in ("loc", "msg", "type")} for e in exc.errors]
    first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
    parts = [str(p) for p in first["loc"] or [] if str(p) not in SCHEMA_PARTS]
    field = ".".join(parts[1:] if len(parts) > 1 else parts)
    detail = f"{field}: {first['msg']}" if field else str(first["msg"])
    return api.create_response(
        request, {"detail": detail, "field": field, "code": "invalid", "errors": errors},
        status=422,
    )


def _register_routers() -> None:
    from smarketing.analytics.api import router as kpis_router
    from smarketing.campaigns.api import (
        assets_router,
        attribution_router,
        campaigns_router,
        costs_router,
    )
    from smarketing.core.api import router as users_router
    from smarketing.core.api import teams_router
    from smarketing.handoff.api import (
        assignments_router,
        reasons_router,
        routing_router,
        sla_router,
    )
    from smarketing.imports.api import router as imports_router
    from smarketing.integrations.api import bulk_router, webhooks_router
    from smarketing.integrations.api import router as tokens_router
    from smarketing.people.api import companies_router, contacts_router, properties_router
    from smarketing.pipeline.api import (
        activities_router,
        deals_router,
        forecast_router,
        pipelines_router,
        products_router,
        quotas_router,
    )
    from smarketing.scoring.api import contact_score_router
    from smarketing.scoring.api import router as scoring_router
    from smarketing.tracking.api import router as sources_router

    api.add_router("/users", users_router)
    api.add_router("/teams", teams_router)
    api.add_router("/contacts", contacts_router)
    api.add_router("/companies", companies_router)
    api.add_router("/properties", properties_router)
    api.add_router("/tokens", tokens_router)
    api.add_router("/imports", imports_router)
    api.add_router("/webhooks", webhooks_router)
    api.add_router("/bulk", bulk_router)
    api.add_router("/sources", sources_router)
    api.add_router("/deals", deals_router)
    api.add_router("", pipelines_router)
    api.add_router("/products", products_router)
    api.add_router("/activities", activities_router)
    api.add_router("/quotas", quotas_router)
    api.add_router("/forecast", forecast_router)
    api.add_router("/campaigns", campaigns_router)
    api.add_router("/costs", costs_router)
    api.add_router("/assets", assets_router)
    api.add_router("/attribution", attribution_router)
    api.add_router("/scoring", scoring_router)
    api.add_router("", contact_score_router)
    api.add_router("/assignments", assignments_router)
    api.add_router("/sla", sla_router)
    api.add_router("/routing", routing_router)
    api.add_router("/rejection-reasons", reasons_router)
    api.add_router("", kpis_router)


_register_routers()
