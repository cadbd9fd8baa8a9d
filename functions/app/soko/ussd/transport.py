"""A transporter on USSD (issue 17): "3 Add vehicle" runs logistics' own vehicle registration
(:func:`soko.logistics.vehicles.create`, as ``POST /transport/vehicles`` does); "2 My jobs": their
active bookings, read through logistics' public interface, and each step (accept, decline, picked
up, cancel, delivered with the buyer's delivery code) run through logistics' own use cases
(:mod:`soko.logistics.steps`), as the HTTP routes
``POST /transport/bookings/{id}/accept|decline|pickup|cancel|deliver`` do. No rule of theirs is
repeated here: who may move a booking, from which status, and the handover by the buyer's PIN
(the market's rule) are theirs; this module only turns their answers into the menu's outcomes.

Outcomes: ``ok``; ``changed`` (the booking moved meanwhile: another step, the answer timer, the
buyer cancelled); ``gone`` (not theirs, or no longer there); ``busy`` (a concurrent write: try
again); for a delivery also ``wrong:<tries left>``, ``locked`` and ``no_code``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from soko.shared.errors import Conflict, Forbidden, NotFound, SokoError, Unprocessable
from soko.shared.observability import logger
from soko.ussd.models import JobLine

if TYPE_CHECKING:
    from soko.logistics.steps import StepDeps
    from soko.ussd.logic import CallerServices

USSD_CANCEL_REASON = "cancelled by the transporter on USSD"
_BUSY_CODES = frozenset({"CONCURRENT_UPDATE", "TRANSACTION_CONFLICT"})


def add_vehicle(services: CallerServices, args: dict[str, Any]) -> str:
    """Register the caller's vehicle, working every day (the app changes the days): ``ok``;
    ``plate_taken`` (409 ``PLATE_TAKEN``: another vehicle has the plate); ``invalid`` (refused by
    logistics' own rules: the menu checks them first, so only a rule changed meanwhile); ``busy``."""
    from soko.logistics import vehicles  # noqa: PLC0415
    from soko.logistics.core_models import WEEK, VehicleCreate  # noqa: PLC0415

    assert services.deps.vehicles is not None, "the USSD function is wired with the logistics table"
    try:
        request = VehicleCreate.model_validate({**args, "days": list(WEEK)})
        vehicles.create(services.caller(), request, services.deps.vehicles())
    except ValidationError as err:
        logger.info(
            "ussd vehicle refused", extra={"fields": [".".join(map(str, e["loc"])) for e in err.errors()]}
        )
        return "invalid"
    except SokoError as err:
        logger.info("ussd vehicle refused", extra={"code": err.code})
        if err.code == "PLATE_TAKEN":
            return "plate_taken"
        if isinstance(err, Conflict):
            return "busy"
        if isinstance(err, Forbidden | Unprocessable):
            return "invalid"
        raise
    return "ok"


def my_jobs(services: CallerServices, limit: int) -> list[JobLine]:
    """The caller's active bookings, newest first, with each order's crop (one read per job)."""
    member = services.member()
    assert member is not None and services.deps.logistics is not None
    jobs = services.deps.logistics().transporter_jobs(member.user_id, limit)
    orders = services.deps.market_reads() if services.deps.market_reads else None
    lines = []
    for job in jobs:
        order = orders.transport_order(job.order_id) if orders else None
        lines.append(
            JobLine(
                id=job.booking_id,
                crop=order.crop if order else "",
                kg=_kg(job.weight_kg),
                origin=job.pickup_district,
                destination=job.dropoff_district,
                day=job.pickup_day.isoformat(),
                fare=job.fare_ugx,
                status=job.status,
            )
        )
    return lines


def _kg(weight: float) -> str:
    return str(int(weight)) if float(weight).is_integer() else f"{weight:.1f}"


def job_step(services: CallerServices, args: dict[str, Any]) -> str:
    """Accept, decline, mark picked up or cancel a booking."""
    from soko.logistics import steps  # noqa: PLC0415

    caller, booking_id, deps = services.caller(), str(args["booking_id"]), _steps(services, handover=False)
    runs: dict[str, Callable[[], object]] = {
        "accept": lambda: steps.accept(caller, booking_id, deps),
        "decline": lambda: steps.decline(caller, booking_id, deps),
        "pickup": lambda: steps.pickup(caller, booking_id, deps),
        "cancel": lambda: steps.cancel(caller, booking_id, USSD_CANCEL_REASON, deps),
    }
    run = runs.get(str(args["step"]))
    return "gone" if run is None else _outcome(run)


def job_deliver(services: CallerServices, args: dict[str, Any]) -> str:
    """The buyer's delivery code (read from the input history by its position, never kept) hands
    the produce over: the booking is delivered and the order completed by the market's PIN rule."""
    from soko.logistics import steps  # noqa: PLC0415

    caller, booking_id, deps = services.caller(), str(args["booking_id"]), _steps(services, handover=True)
    code = services.input_at(int(args["code_at"]))
    return _outcome(lambda: steps.deliver(caller, booking_id, code, deps))


def _steps(services: CallerServices, *, handover: bool) -> StepDeps:
    """Logistics' step dependencies; with the market's delivery-PIN rule for the handover only."""
    assert services.deps.steps is not None, "the USSD function is wired with the logistics table"
    return services.deps.steps(handover)


def _outcome(change: Callable[[], object]) -> str:
    try:
        change()
    except SokoError as err:
        outcome = _refused(err)
        logger.info("ussd job step refused", extra={"code": err.code, "outcome": outcome.split(":")[0]})
        return outcome
    return "ok"


def _refused(err: SokoError) -> str:
    if err.code == "WRONG_DELIVERY_PIN":
        return f"wrong:{int(err.details.get('tries_left', 0))}"
    if err.code == "DELIVERY_PIN_LOCKED":
        return "locked"
    if err.code == "NO_DELIVERY_PIN":
        return "no_code"
    if isinstance(err, NotFound | Forbidden):
        return "gone"
    if isinstance(err, Conflict):
        return "busy" if err.code in _BUSY_CODES else "changed"
    raise err
