"""A buyer's dispute of a delivered order: opened within the dispute window (the order becomes
``disputed`` and its escrow stays frozen), or of a paid order that never came (``not_delivered``,
while it is confirmed or dispatched: without it a buyer whose farmer never delivers could only
wait), its photos uploaded with presigned forms under
``disputes/<order id>/``, and its resolution by an admin (``soko.disputes`` ``DisputeResolved``) shown
on the order, which becomes ``resolved``."""

from __future__ import annotations

from typing import Any

from soko.disputes.events import DisputeResolved
from soko.market.models import PAID, DisputeCreate, ImageUpload, ImageUploadRequest, Order
from soko.market.orders import IllegalTransition, WindowClosed, _load_order, _move
from soko.market.ports import Market
from soko.shared import clock, ids
from soko.shared.errors import Forbidden, Unprocessable
from soko.shared.identity import Caller

PHOTO_MAX_BYTES = 10 * 1024 * 1024
PHOTO_FORM_SECONDS = 900


def photo_prefix(order_id: str) -> str:
    return f"disputes/{order_id}/"


UNDELIVERED = ("confirmed", "dispatched")  # paid and on its way (or not): disputable as not_delivered


def _undelivered(order: dict[str, Any], reason: str | None) -> bool:
    """A paid order not yet delivered, disputed (or about to be) as not delivered."""
    return (
        order["status"] in UNDELIVERED and order.get("payment_status") == PAID and reason == "not_delivered"
    )


def _disputable(
    caller: Caller, order_id: str, deps: Market, reason: str | None = "not_delivered"
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    order, audit = _load_order(caller, order_id, deps)
    if caller.user_id != order["buyer_id"]:
        raise Forbidden("Only the order's buyer can dispute it.")
    if _undelivered(order, reason):
        return order, audit
    if order["status"] != "delivered":
        raise IllegalTransition(
            f"An order that is {order['status']} cannot be disputed; only a delivered one, within its "
            "dispute window, or a paid one not delivered yet (reason not_delivered).",
            details={"status": order["status"], "requested": "disputed"},
        )
    if str(order.get("release_at", "")) <= clock.now_iso():
        raise WindowClosed(
            "The dispute window of this order has ended.", details={"release_at": order.get("release_at")}
        )
    return order, audit


def photo_upload(caller: Caller, order_id: str, request: ImageUploadRequest, deps: Market) -> ImageUpload:
    """A presigned form for one photo of a dispute the buyer is about to open (its key goes in
    ``photos`` of the dispute)."""
    _disputable(caller, order_id, deps)
    extension = request.content_type.split("/")[1].replace("jpeg", "jpg")
    key = f"{photo_prefix(order_id)}{ids.ulid()}.{extension}"
    form = deps.media.upload_form(key, request.content_type, PHOTO_MAX_BYTES, PHOTO_FORM_SECONDS)
    return ImageUpload(
        url=form["url"],
        fields=form["fields"],
        key=key,
        max_bytes=PHOTO_MAX_BYTES,
        expires_in=PHOTO_FORM_SECONDS,
    )


def open_dispute(caller: Caller, order_id: str, request: DisputeCreate, deps: Market) -> Order:
    order, audit = _disputable(caller, order_id, deps, request.reason)
    prefix = photo_prefix(order_id)
    for i, key in enumerate(request.photos):
        rest = key[len(prefix) :]
        if not key.startswith(prefix) or not rest or "/" in rest or ".." in rest:
            raise Unprocessable(
                f"photos[{i}] is not a photo uploaded for this order's dispute (POST "
                f"/orders/{{id}}/disputes/photos gives keys under {prefix}).",
                details={"field": f"photos[{i}]"},
            )
    if len(set(request.photos)) != len(request.photos):
        raise Unprocessable("The same photo is listed twice.", details={"field": "photos"})
    at = clock.now_iso()
    dispute = {
        "id": ids.ulid(),
        "reason": request.reason,
        "details": request.details,
        "photos": list(request.photos),
        "opened_at": at,
        "status": "open",
    }
    return _move(
        order,
        audit,
        "disputed",
        caller.user_id,
        deps,
        at=at,
        sets={"dispute": dispute},
        # within the window when written, not only when read (or still paid and undelivered)
        condition=("payment_status = :paid", {":paid": PAID})
        if _undelivered(order, request.reason)
        else ("release_at > :now", {":now": at}),
    )


def apply_resolution(event: DisputeResolved, deps: Market) -> bool:
    """Show an admin's resolution on the order (``resolved``, the outcome and the amounts); False when
    the order is not disputed (already resolved: a redelivery) or is another dispute's."""
    found = deps.dal.get_order(event.order_id)
    if found is None:
        return False
    order, audit, _ = found
    dispute = dict(order.get("dispute") or {})
    if order["status"] != "disputed" or dispute.get("id") != event.dispute_id:
        return False
    dispute.update(
        status="resolved",
        outcome=event.outcome,
        buyer_amount_ugx=event.buyer_amount_ugx,
        farmer_amount_ugx=event.farmer_amount_ugx,
        resolved_at=event.resolved_at,
    )
    _move(order, audit, "resolved", event.resolved_by, deps, at=clock.now_iso(), sets={"dispute": dispute})
    return True
