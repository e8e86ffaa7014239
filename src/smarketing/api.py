"""The REST API root: /api/v1/ (django-ninja), OpenAPI at /api/v1/openapi.json."""

from __future__ import annotations

from importlib import import_module
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


# (URL prefix, "module:router attribute"), in the order the OpenAPI page lists them.
ROUTERS: tuple[tuple[str, str], ...] = (
    ("/users", "core.api:router"),
    ("/teams", "core.api:teams_router"),
    ("/notifications", "core.api:notifications_router"),
    ("/contacts", "people.api:contacts_router"),
    ("/companies", "people.api:companies_router"),
    ("/properties", "people.api:properties_router"),
    ("/tokens", "integrations.api:router"),
    ("/imports", "imports.api:router"),
    ("/webhooks", "integrations.api:webhooks_router"),
    ("/bulk", "integrations.api:bulk_router"),
    ("/sources", "tracking.api:router"),
    ("/events", "tracking.api:events_router"),
    ("/deals", "pipeline.api:deals_router"),
    ("", "pipeline.api:pipelines_router"),
    ("/products", "pipeline.api:products_router"),
    ("/activities", "pipeline.api:activities_router"),
    ("/quotas", "pipeline.api:quotas_router"),
    ("/forecast", "pipeline.api:forecast_router"),
    ("/campaigns", "campaigns.api:campaigns_router"),
    ("/costs", "campaigns.api:costs_router"),
    ("/assets", "campaigns.api:assets_router"),
    ("/attribution", "campaigns.api:attribution_router"),
    ("/scoring", "scoring.api:router"),
    ("", "scoring.api:contact_score_router"),
    ("/assignments", "handoff.api:assignments_router"),
    ("/sla", "handoff.api:sla_router"),
    ("/routing", "handoff.api:routing_router"),
    ("/rejection-reasons", "handoff.api:reasons_router"),
    ("", "analytics.api:router"),
)


def _register_routers() -> None:
    for prefix, target in ROUTERS:
        module, _, attribute = target.partition(":")
        api.add_router(prefix, getattr(import_module(f"smarketing.{module}"), attribute))


_register_routers()
