"""POST /transport/vehicles"""

from soko.logistics import vehicles
from soko.logistics.core_models import Vehicle, VehicleCreate
from soko.logistics.deps import vehicles as store
from soko.shared.http import create_app
from soko.shared.idempotency import IdempotentCreate
from soko.shared.identity import Caller

app = create_app()


def _create(caller: Caller, request: VehicleCreate) -> Vehicle:
    return vehicles.create(caller, request, store())


create_once = IdempotentCreate("create_vehicle", "vehicle", VehicleCreate, Vehicle, _create)
create_once.route(
    app,
    "/transport/vehicles",
    name="create_vehicle",
    summary="Register a vehicle",
    description="A transporter's account only (anyone else: 403). `type` (boda_boda, bicycle, pickup, van, "
    "lorry), `plate` (a Ugandan number plate such as `UAB 123C` or `UG 1234A`; stored upper-case as "
    "`UAB 123C`; one vehicle per plate, else 409 `PLATE_TAKEN`), `capacity_kg` (1-40000), `districts` "
    "(1-30 Ugandan districts it serves, any case; the first is its base), `price_per_km_ugx` (1-100000, "
    "per road km, for a load up to a tonne), `minimum_fare_ugx` (0-10000000) and `days` (the weekdays "
    "it works: mon..sun). It is active at once and offered in quotes. With an `Idempotency-Key`, a "
    "retry with the same body returns the first vehicle.",
    tags=["transport"],
    created="Registered",
    errors=(400, 401, 403, 409, 422),
)
lambda_handler = create_once.lambda_handler(app)
