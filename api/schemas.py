"""The API's request and response bodies, as the OpenAPI description shows them."""

from typing import Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict


class _Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class BootProfileIn(_Strict):
    name: str | None = Field(None, description="What the visitor typed as their name.")
    email: str | None = Field(None, description="An email address; unverified until a manager "
                              "verifies it (R-C3).")  # fmt: skip
    mobileNumber: str | None = Field(None, description="With its country code, e.g. "
                                     "+82 10-2020-3030.")  # fmt: skip


class BootIn(_Strict):
    veilId: str = Field(
        ..., min_length=1, max_length=128, description="The site's id of this browser or app."
    )
    memberId: str | None = Field(
        None,
        min_length=1,
        max_length=512,
        description="Set when the visitor is logged in to the site: the boot is a login.",
    )
    profile: BootProfileIn | None = None


class BootOut(Schema):
    customerId: int
    type: Literal["member", "lead", "visitor"]
    blocked: bool = Field(..., description="A blocked customer's site shows no chat (R-B2).")
    hidden: bool = Field(..., description="Hidden by the channel's MU limit (R-M2).")


class MemberPutIn(_Strict):
    profile: dict[str, Any] = Field(
        ...,
        description=(
            "Profile key -> value, as one row of a member import: built-in keys (name, email, "
            "mobileNumber, landlineNumber, unsubscribeEmail, unsubscribeTexting) and the "
            'channel\'s custom keys. A new member needs both opt-outs. null or "" clears a '
            "key; a list appends to a list key."
        ),
    )


class CustomerOut(Schema):
    id: int
    type: Literal["member", "lead", "visitor"]
    memberId: str | None
    name: str | None
    email: str | None
    mobileNumber: str | None
    landlineNumber: str | None
    emailVerified: bool
    mobileVerified: bool
    unsubscribeEmail: bool | None
    unsubscribeTexting: bool | None
    userImportTag: list[str]
    createdAt: str
    updatedAt: str
    lastSeenAt: str | None
    isHidden: bool
    isBlocked: bool
    profile: dict[str, Any]


class ErrorOut(Schema):
    code: str = Field(..., description="A stable error code, e.g. bad_value.")
    message: str = Field(..., description="What was wrong and what to send instead.")
