"""POST /transport/bookings/{id}/positions"""

from aws_lambda_powertools.event_handler import Response

from soko.logistics import geo, tracking
from soko.logistics.deps import tracking as tracking_deps
from soko.logistics.tracking import PositionsRequest, PositionsResult
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.post(
    "/transport/bookings/<id>/positions",
    summary="Send GPS fixes of a job (the transporter)",
    description=(
        "The booking's transporter only (another transporter's booking is a 404; other roles 403), "
        "while it is `accepted` or `picked_up` (else 409 `BOOKING_NOT_IN_TRANSIT`). "
        f"1 to {tracking.MAX_FIXES} fixes per batch, at most one batch every "
        f"{tracking.MIN_BATCH_SECONDS} s per booking (429 `POSITIONS_RATE_LIMITED` with `Retry-After`). "
        f"A fix more than {tracking.FUTURE_SKEW_SECONDS} s in the future refuses the batch (422 "
        "`FIX_IN_THE_FUTURE`: the phone's clock is wrong). Fixes are kept to the second; `dropped` counts "
        "those refused: a second fix of the same second, older than the booking or the retention "
        f"(`PositionRetentionDays`), `accuracy_m` worse than {tracking.MAX_ACCURACY_M:g} m, or implying "
        f"more than {tracking.MAX_SPEED_KMH:g} km/h from the fix before. A fix already stored counts as "
        "accepted and is not written again, so a retried batch gets the same answer. The booking keeps "
        f"the latest position, a smoothed speed (exponential, alpha {tracking.SPEED_ALPHA}), the road "
        f"distance left (straight line x {geo.ROAD_FACTOR}, via the pickup until picked up) and the ETA "
        f"(at least {tracking.FLOOR_SPEED_KMH:g} km/h; null before the vehicle moved). The first fix of a "
        f"picked-up booking within {geo.GEOFENCE_M} m of the drop-off sets `arrived_at`, publishes "
        "`TransportArrived` once and tells the buyer (app and SMS); every batch that moves the position "
        "publishes `TransportPositionUpdated`, which the buyer and farmer receive over the WebSocket API."
    ),
    tags=["transport"],
    responses={
        200: {"description": "What the batch did", "content": {JSON: {"model": PositionsResult}}},
        **error_responses(400, 401, 403, 404, 409, 422, 429),
    },
)
def post(id: str, request: PositionsRequest) -> Response[str]:
    return json_body(tracking.post_positions(caller(app), id, request, tracking_deps()))


lambda_handler = entry(app)
