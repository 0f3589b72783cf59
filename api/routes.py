"""The site's API, version 1: boot (R-C4) and the customer API (R-D2), with its OpenAPI
description at /api/v1/openapi.json and a docs page at /api/v1/docs, both generated from this
module by django-ninja.

Views parse and authorise (the auth classes, the schemas), call one service and answer; every
refusal is the JSON of ``api.errors``.
"""

import logging

from django.http import Http404, HttpRequest, JsonResponse
from ninja import NinjaAPI, Status
from ninja.errors import HttpError, Throttled, ValidationError

from activitylog.services import VIA_API
from api import errors
from api.auth import AccessKeyAuth, KeyRateLimit, PluginKeyAuth, rate_limited
from api.boot import customer_boot
from api.members import member_put
from api.schemas import BootIn, BootOut, CustomerOut, ErrorOut, MemberPutIn
from contacts.customer_json import customer_json, customer_row
from contacts.models import Customer
from contacts.services import customer_delete

DESCRIPTION = """The company's site talks to its channel here.

* **Boot**: every page of the site boots with the channel's public plugin key
  (`X-Plugin-Key`); a boot with a `memberId` is a login.
* **Customers**: the site's backend creates, reads and deletes customers with the access key
  and its secret (`X-Access-Key`, `X-Access-Secret`), from the channel's settings page.

Errors answer `{"code": ..., "message": ...}`: 400 a bad value (the message names the key and the
accepted form), 401 a missing or wrong key, 404 not in this channel, 413 a body over 64 KB,
429 too many calls with one key (see `Retry-After`).
"""
logger = logging.getLogger(__name__)
ERRORS = {400: ErrorOut, 401: ErrorOut, 413: ErrorOut, 429: ErrorOut}


class SiteApi(NinjaAPI):
    """Describes the access secret beside the access key: both headers are required together."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        secret = AccessKeyAuth.SECRET_HEADER
        schemes = schema["components"].setdefault("securitySchemes", {})
        schemes["AccessSecret"] = {"type": "apiKey", "in": "header", "name": secret}
        for operations in schema["paths"].values():
            for operation in operations.values():
                for requirement in operation.get("security", []):
                    if AccessKeyAuth.__name__ in requirement:
                        requirement["AccessSecret"] = []
        return schema


api = SiteApi(
    title="Customer Contacts site API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api_v1",
)
plugin = PluginKeyAuth()
access = AccessKeyAuth()
per_key = KeyRateLimit()


def _error(request, status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"code": code, "message": message}, status=status)


@api.exception_handler(errors.ApiError)
def _api_error(request, error: errors.ApiError):
    response = _error(request, error.status, error.code, error.message)
    if error.retry_after is not None:
        response["Retry-After"] = str(error.retry_after)
    return response


@api.exception_handler(ValidationError)
def _invalid(request, error: ValidationError):
    problems = [
        errors.BAD_REQUEST_MESSAGE.format(
            where=".".join(str(part) for part in problem["loc"][1:]) or "body",
            problem=problem["msg"],
        )
        for problem in error.errors
    ]
    return _error(request, 400, errors.BAD_REQUEST, " ".join(problems))


@api.exception_handler(Throttled)
def _throttled(request, error: Throttled):
    refusal = rate_limited(request.auth)
    return _error(request, 429, refusal.code, refusal.message)


@api.exception_handler(HttpError)
def _http_error(request, error: HttpError):
    code = errors.BAD_REQUEST if error.status_code == 400 else errors.UNAUTHORIZED
    return _error(request, error.status_code, code, str(error))


@api.exception_handler(Exception)
def _crashed(request, error: Exception):
    logger.exception("API call %s %s failed", request.method, request.path)
    return _error(request, 500, errors.SERVER_ERROR, errors.SERVER_ERROR_MESSAGE)


@api.exception_handler(Http404)
def _not_found(request, error: Http404):
    return _error(request, 404, errors.NOT_FOUND, str(error))


@api.post(
    "/boot",
    auth=plugin,
    throttle=per_key,
    response={200: BootOut, **ERRORS},
    summary="Boot a browser of the site (a login when memberId is set)",
)
def boot(request: HttpRequest, body: BootIn):
    """R-C4: sets lastSeenAt; creates a visitor for an unknown veilId; a login unifies (R-U3)."""
    profile = body.profile.model_dump() if body.profile else None
    booted = customer_boot(
        channel_id=request.auth.channel_id,
        veil_id=body.veilId,
        member_id=body.memberId,
        profile=profile,
    )
    return {
        "customerId": booted.customer_id,
        "type": booted.type,
        "blocked": booted.is_blocked,
        "hidden": booted.is_hidden,
    }


def _member(request, member_id: str) -> Customer:
    customer = Customer.objects.filter(channel=request.auth.channel, member_id=member_id).first()
    if customer is None:
        raise errors.ApiError(
            404, errors.NOT_FOUND, errors.MEMBER_NOT_FOUND.format(member_id=member_id)
        )
    return customer


def _customer(request, customer_id: int) -> Customer:
    customer = Customer.objects.filter(channel=request.auth.channel, pk=customer_id).first()
    if customer is None:
        raise errors.ApiError(
            404, errors.NOT_FOUND, errors.CUSTOMER_NOT_FOUND.format(customer_id=customer_id)
        )
    return customer


CUSTOMER_ANSWERS = {200: CustomerOut, 404: ErrorOut, **ERRORS}


@api.put(
    "/members/{path:member_id}",
    auth=access,
    throttle=per_key,
    response={201: CustomerOut, **CUSTOMER_ANSWERS},
    summary="Create or update a member",
)
def member_update(request: HttpRequest, member_id: str, body: MemberPutIn):
    """Create (201) or update (200) the member as one member import row would (api.members)."""
    customer, created = member_put(
        channel=request.auth.channel, member_id=member_id, profile=body.profile
    )
    return Status(201 if created else 200, customer_json(customer_row(customer)))


@api.get(
    "/members/{path:member_id}",
    auth=access,
    throttle=per_key,
    response=CUSTOMER_ANSWERS,
    summary="Read a member",
)
def member_read(request: HttpRequest, member_id: str):
    """The member as `export_customers --format jsonl` writes it."""
    return customer_json(customer_row(_member(request, member_id)))


@api.get(
    "/customers/{customer_id}",
    auth=access,
    throttle=per_key,
    response=CUSTOMER_ANSWERS,
    summary="Read a customer by id",
)
def customer_read(request: HttpRequest, customer_id: int):
    """Any customer (member, lead or visitor) by its id, as the export writes it."""
    return customer_json(customer_row(_customer(request, customer_id)))


DELETE_ANSWERS = {204: None, 404: ErrorOut, **ERRORS}


@api.delete(
    "/members/{path:member_id}",
    auth=access,
    throttle=per_key,
    response=DELETE_ANSWERS,
    summary="Delete a member",
)
def member_remove(request: HttpRequest, member_id: str):
    """R-D2: R-D1's deletion, for good; conversations stay."""
    customer_delete(customer=_member(request, member_id), by=None, via=VIA_API)
    return Status(204, None)


@api.delete(
    "/customers/{customer_id}",
    auth=access,
    throttle=per_key,
    response=DELETE_ANSWERS,
    summary="Delete a customer by id",
)
def customer_remove(request: HttpRequest, customer_id: int):
    """R-D2: R-D1's deletion, for good; conversations stay."""
    customer_delete(customer=_customer(request, customer_id), by=None, via=VIA_API)
    return Status(204, None)
