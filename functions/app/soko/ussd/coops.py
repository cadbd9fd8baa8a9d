"""A cooperative's member on USSD (issue 18): "9 My coop" runs the coops domain's own use cases
(:mod:`soko.coops.logic`), as ``POST /coops/{id}/commitments``, ``GET /coops/mine`` and
``POST /coops/{id}/allocations/{order_id}/confirm`` do. No rule of theirs is repeated here: who
may commit what, how a commitment joins a live pool, and which allocation may be confirmed are
theirs; this module only turns their answers into the menu's outcomes.

Outcomes: a commitment ``ok`` (waits for the next pool) or ``pooled`` (joined the crop's live
pooled listing), ``refused`` (no longer a member, or the crop no longer pooled); a confirmation
``ok``, ``released`` (the order ended unpaid) or ``gone``; ``busy`` for a concurrent write.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from soko.shared.errors import Conflict, Forbidden, NotFound, SokoError, Unprocessable
from soko.shared.observability import logger

if TYPE_CHECKING:
    from soko.coops.logic import Coops
    from soko.ussd.logic import CallerServices

MAX_CROPS = 4  # a coop's crops on one screen


def _coops(services: CallerServices) -> Coops:
    assert services.deps.coops is not None, "the USSD function is wired with the coops table"
    return services.deps.coops()


def my_coops(services: CallerServices, limit: int) -> list[dict[str, Any]]:
    """The caller's coops: id, name and (up to four) crops."""
    from soko.coops import logic  # noqa: PLC0415

    mine = logic.mine(services.caller(), _coops(services))
    return [{"id": c.id, "name": c.name[:24], "crops": c.crops[:MAX_CROPS]} for c in mine.coops[:limit]]


def allocations(services: CallerServices, coop_id: str, limit: int) -> list[dict[str, Any]]:
    """The caller's open allocations in the coop (not released), newest first."""
    from soko.coops import logic  # noqa: PLC0415

    mine = logic.mine(services.caller(), _coops(services))
    parts = [a for a in mine.allocations if a.coop_id == coop_id and a.status != "released"]
    parts.sort(key=lambda a: a.created_at, reverse=True)
    return [
        {
            "order_id": a.order_id,
            "crop": a.crop,
            "kg": format(a.quantity_kg.normalize(), "f"),
            "status": a.status,
            "confirmed": a.confirmed_by_member,
        }
        for a in parts[:limit]
    ]


def commit(services: CallerServices, args: dict[str, Any]) -> str:
    from soko.coops import logic  # noqa: PLC0415
    from soko.coops.models import CommitmentCreate  # noqa: PLC0415

    request = CommitmentCreate(crop=str(args["crop"]), quantity_kg=Decimal(int(args["kg"])))
    try:
        commitment = logic.commit(services.caller(), str(args["coop_id"]), request, _coops(services))
    except SokoError as err:
        return _refused(err)
    return "pooled" if commitment.listing_id else "ok"


def confirm(services: CallerServices, args: dict[str, Any]) -> str:
    from soko.coops import logic  # noqa: PLC0415

    try:
        logic.confirm_allocation(
            services.caller(), str(args["coop_id"]), str(args["order_id"]), _coops(services)
        )
    except SokoError as err:
        return "released" if err.code == "ALLOCATION_RELEASED" else _refused(err)
    return "ok"


def _refused(err: SokoError) -> str:
    logger.info("ussd coop change refused", extra={"code": err.code})
    if isinstance(err, NotFound | Forbidden | Unprocessable):
        return "gone"
    if isinstance(err, Conflict):
        return "busy"
    raise err
