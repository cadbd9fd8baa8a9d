"""Dispute models: the admin's resolution request, the views of a case (admins see all of it, the
order's parties what concerns them) and the domain's config."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from soko.disputes.events import Outcome
from soko.shared.config import BaseConfig

Status = Literal["open", "resolved"]
Sort = Literal["newest", "oldest"]
MAX_REASON_CHARS = 500
MAX_UGX = 10_000_000_000  # far above any order (orders are at most 1,000,000 kg at 100,000,000 UGX/kg)
PHOTO_URL_SECONDS = 300  # presigned GET URLs of a dispute's photos: short, they are evidence


class DisputesConfig(BaseConfig):
    """Every disputes function (the media bucket is read by the media store when used)."""

    disputes_table_name: str = Field(min_length=1)


class DisputeResolveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    outcome: Outcome = Field(
        description="release: the whole total to the farmer; refund: the whole total back to the buyer; "
        "split: buyer_amount_ugx back to the buyer, the rest to the farmer"
    )
    buyer_amount_ugx: Annotated[int, Field(strict=True, ge=0, le=MAX_UGX)] | None = Field(
        default=None,
        description="integer UGX back to the buyer: required for split (1 to total - 1); "
        "leave it out (or 0) for release; leave it out (or the total) for refund",
    )
    reason: str = Field(min_length=1, max_length=MAX_REASON_CHARS, description="why (kept in the audit log)")


class DisputePhoto(BaseModel):
    url: str = Field(description="presigned GET URL, valid for a few minutes")


class DisputeResolution(BaseModel):
    outcome: Outcome
    buyer_amount_ugx: int = Field(description="integer UGX back to the buyer")
    farmer_amount_ugx: int = Field(description="integer UGX released to the farmer (before commission)")
    reason: str
    resolved_at: str


class AdminDisputeResolution(DisputeResolution):
    resolved_by: str = Field(description="the admin's user id")


class DisputeCase(BaseModel):
    """A case as the order's buyer and farmer see it."""

    id: str
    order_id: str
    listing_id: str | None = None
    buyer_id: str
    farmer_id: str
    crop: str | None = None
    total_ugx: int
    reason: str
    details: str
    photos: list[DisputePhoto] = Field(default_factory=list)
    status: Status
    opened_at: str
    resolution: DisputeResolution | None = None


class AdminDisputeCase(DisputeCase):
    """A case as admins see it (who resolved it, and its version)."""

    resolution: AdminDisputeResolution | None = None
    version: int


class DisputeCaseSummary(BaseModel):
    id: str
    order_id: str
    buyer_id: str
    farmer_id: str
    crop: str | None = None
    total_ugx: int
    reason: str
    photo_count: int
    status: Status
    opened_at: str
    outcome: Outcome | None = None
    resolved_at: str | None = None


class DisputeCasePage(BaseModel):
    items: list[DisputeCaseSummary]
    next_cursor: str | None
