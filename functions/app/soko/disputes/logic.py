"""Dispute rules (no boto3 here): a buyer's dispute of a delivered order becomes a case, admins
list and read the cases and resolve each once, and the order's buyer and farmer can follow theirs.

- **Opening**: the market moves the order to ``disputed`` and publishes ``OrderDisputed``
  (``soko.orders``); :func:`open_case` turns it into an open case, once per dispute id.
- **Resolving** (admins): ``release`` gives the whole total to the farmer, ``refund`` the whole
  total back to the buyer, ``split`` ``buyer_amount_ugx`` (1 to total - 1) back to the buyer and the
  rest to the farmer; the two amounts always add up to the order's total. An amount that does not
  fit the outcome is refused (422), never silently ignored: an admin who typed an amount for a
  release most likely meant a split. A case is resolved once: a second resolution is a 409. The
  resolution, ``DisputeResolved`` (what the market and payments act on) and ``AdminActionTaken``
  (the audit log) are written in one transaction, the events through the table's outbox.
- **Who sees a case**: admins, and the order's buyer and farmer (to anyone else it does not
  exist: 404). Photos come as presigned GET URLs valid for a few minutes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from soko.disputes.events import AdminActionTaken, DisputeResolved, Outcome
from soko.disputes.models import (
    AdminDisputeCase,
    DisputeCase,
    DisputeCasePage,
    DisputeCaseSummary,
    DisputePhoto,
    DisputeResolveRequest,
    Status,
)
from soko.disputes.ports import DisputeStore, PhotoLinks
from soko.market.events import OrderDisputed
from soko.shared import clock
from soko.shared.errors import Conflict, NotFound, Unprocessable
from soko.shared.identity import Caller

CONCURRENT = "CONCURRENT_UPDATE"
PHOTO_PREFIX = "disputes/"  # the market's dispute photo uploads: disputes/<order id>/<photo>
MAX_ID_CHARS = 64  # ids are ULIDs; anything much longer names no case (and is no DynamoDB key)


class DisputeNotFound(NotFound):
    code = "DISPUTE_NOT_FOUND"


class DisputeAlreadyResolved(Conflict):
    code = "DISPUTE_ALREADY_RESOLVED"


class InvalidResolutionAmount(Unprocessable):
    code = "INVALID_RESOLUTION_AMOUNT"


@dataclass
class Disputes:
    dal: DisputeStore
    photos: PhotoLinks


# ---------------------------------------------------------------------------- the rules (pure)
def amounts(outcome: Outcome, total_ugx: int, buyer_amount_ugx: int | None) -> tuple[int, int]:
    """(back to the buyer, released to the farmer) for ``outcome`` on an order of ``total_ugx``;
    raises :class:`InvalidResolutionAmount` when ``buyer_amount_ugx`` does not fit the outcome."""
    field = {"field": "buyer_amount_ugx"}
    if outcome == "release":
        if buyer_amount_ugx not in (None, 0):
            raise InvalidResolutionAmount(
                "A release pays the whole total to the farmer: leave buyer_amount_ugx out (or 0), "
                "or choose split.",
                details=field,
            )
        return 0, total_ugx
    if outcome == "refund":
        if buyer_amount_ugx not in (None, total_ugx):
            raise InvalidResolutionAmount(
                "A refund returns the whole total to the buyer: leave buyer_amount_ugx out (or the "
                "order's total), or choose split.",
                details={**field, "total_ugx": total_ugx},
            )
        return total_ugx, 0
    if buyer_amount_ugx is None:
        raise InvalidResolutionAmount("A split needs buyer_amount_ugx.", details=field)
    if not 1 <= buyer_amount_ugx <= total_ugx - 1:
        raise InvalidResolutionAmount(
            "A split gives the buyer more than 0 and less than the order's total; use refund or "
            "release for all of it.",
            details={**field, "total_ugx": total_ugx},
        )
    return buyer_amount_ugx, total_ugx - buyer_amount_ugx


def new_case(order: OrderDisputed) -> dict[str, Any]:
    """The open case of a disputed order (pure)."""
    now = clock.now_iso()
    return {
        "id": order.dispute_id,
        "order_id": order.order_id,
        "listing_id": order.listing_id,
        "buyer_id": order.buyer_id,
        "farmer_id": order.farmer_id,
        "crop": order.crop,
        "total_ugx": order.total_ugx,
        "reason": order.reason,
        "details": order.details,
        "photos": list(order.photos),
        "status": "open",
        "opened_at": order.opened_at,
        "created_at": now,
        "updated_at": now,
        "version": 1,
        "event_id": order.event_id,
    }


def is_party(caller: Caller, case: dict[str, Any]) -> bool:
    return caller.user_id in (case["buyer_id"], case["farmer_id"])


# ---------------------------------------------------------------------------- views
def _photos(case: dict[str, Any], deps: Disputes) -> list[DisputePhoto]:
    """Presigned GETs of the case's photos: only keys where the market puts dispute photos (the
    functions may read nothing else of the media bucket)."""
    keys = [key for key in case.get("photos", []) if key.startswith(PHOTO_PREFIX)]
    return [DisputePhoto(url=deps.photos.view_url(key)) for key in keys]


def _fields(case: dict[str, Any]) -> dict[str, Any]:
    names = set(AdminDisputeCase.model_fields) - {"photos"}
    return {name: case[name] for name in names if case.get(name) is not None}


def admin_view(case: dict[str, Any], deps: Disputes) -> AdminDisputeCase:
    return AdminDisputeCase.model_validate({**_fields(case), "photos": _photos(case, deps)})


def party_view(case: dict[str, Any], deps: Disputes) -> DisputeCase:
    fields = _fields(case)
    fields.pop("version", None)
    if fields.get("resolution"):  # the parties are not told which admin decided
        fields["resolution"] = {k: v for k, v in fields["resolution"].items() if k != "resolved_by"}
    return DisputeCase.model_validate({**fields, "photos": _photos(case, deps)})


def summary(case: dict[str, Any]) -> DisputeCaseSummary:
    resolution = case.get("resolution") or {}
    return DisputeCaseSummary.model_validate(
        {
            **{name: case.get(name) for name in DisputeCaseSummary.model_fields},
            "photo_count": len(case.get("photos", [])),
            "outcome": resolution.get("outcome"),
            "resolved_at": resolution.get("resolved_at"),
        }
    )


# ---------------------------------------------------------------------------- use cases
def open_case(order: OrderDisputed, deps: Disputes) -> bool:
    """The case of a disputed order; False when it exists already (a redelivered event)."""
    return deps.dal.create(new_case(order))


def _load(dispute_id: str, deps: Disputes) -> dict[str, Any]:
    case = deps.dal.get(dispute_id) if 0 < len(dispute_id) <= MAX_ID_CHARS else None
    if case is None:
        raise DisputeNotFound("No such dispute.", details={"id": dispute_id[:MAX_ID_CHARS]})
    return case


def list_cases(
    caller: Caller, deps: Disputes, *, status: Status, newest_first: bool, limit: int, cursor: str | None
) -> DisputeCasePage:
    caller.require("admin")
    page = deps.dal.page(status, newest_first, limit, cursor)
    return DisputeCasePage(items=[summary(case) for case in page.items], next_cursor=page.next_cursor)


def get_case(caller: Caller, dispute_id: str, deps: Disputes) -> AdminDisputeCase:
    """Admins only."""
    caller.require("admin")
    return admin_view(_load(dispute_id, deps), deps)


def get_own_case(caller: Caller, dispute_id: str, deps: Disputes) -> DisputeCase:
    """The order's buyer or farmer (and admins); to anyone else the case does not exist."""
    case = _load(dispute_id, deps)
    if not (is_party(caller, case) or caller.is_admin):
        raise DisputeNotFound("No such dispute.", details={"id": dispute_id})
    return party_view(case, deps)


def resolve(
    caller: Caller, dispute_id: str, request: DisputeResolveRequest, deps: Disputes
) -> AdminDisputeCase:
    caller.require("admin")
    case = _load(dispute_id, deps)
    if case["status"] != "open":
        raise DisputeAlreadyResolved("This dispute is resolved already.", details={"id": dispute_id})
    buyer, farmer = amounts(request.outcome, int(case["total_ugx"]), request.buyer_amount_ugx)
    now = clock.now_iso()
    resolution = {
        "outcome": request.outcome,
        "buyer_amount_ugx": buyer,
        "farmer_amount_ugx": farmer,
        "reason": request.reason,
        "resolved_by": caller.user_id,
        "resolved_at": now,
    }
    events = [
        DisputeResolved(
            dispute_id=case["id"],
            order_id=case["order_id"],
            buyer_id=case["buyer_id"],
            farmer_id=case["farmer_id"],
            outcome=request.outcome,
            total_ugx=int(case["total_ugx"]),
            buyer_amount_ugx=buyer,
            farmer_amount_ugx=farmer,
            reason=request.reason,
            resolved_by=caller.user_id,
            resolved_at=now,
        ),
        AdminActionTaken(
            admin_id=caller.user_id,
            action="dispute.resolve",
            target_type="dispute",
            target_id=case["id"],
            reason=request.reason,
            at=now,
            details={
                "order_id": case["order_id"],
                "outcome": request.outcome,
                "buyer_amount_ugx": buyer,
                "farmer_amount_ugx": farmer,
            },
        ),
    ]
    if not deps.dal.resolve(case, {"resolution": resolution, "updated_at": now}, list(events)):
        current = _load(dispute_id, deps)
        if current["status"] != "open":
            raise DisputeAlreadyResolved("This dispute is resolved already.", details={"id": dispute_id})
        raise Conflict("Someone changed this dispute at the same moment; try again.", code=CONCURRENT)
    resolved = {**case, "status": "resolved", "resolution": resolution, "version": case["version"] + 1}
    return admin_view({**resolved, "updated_at": now}, deps)
