"""A transporter's vehicles: register, list, change (days, districts, prices, active).

Transporters manage their own; admins may read anyone's list (``transporter_id``)."""

from __future__ import annotations

from typing import Any, Protocol

from soko.logistics.core_models import Vehicle, VehicleCreate, VehiclePage, VehicleUpdate
from soko.shared import clock, dynamo, ids
from soko.shared.errors import Forbidden, NotFound, Unprocessable
from soko.shared.identity import Caller


class VehicleStore(Protocol):
    def create(self, vehicle: dict[str, Any]) -> None: ...
    def get(self, vehicle_id: str) -> dict[str, Any] | None: ...
    def owned(self, transporter_id: str, limit: int, cursor: str | None) -> dynamo.Page: ...
    def replace(self, old: dict[str, Any], new: dict[str, Any]) -> None: ...


class VehicleNotFound(NotFound):
    code = "VEHICLE_NOT_FOUND"


def _transporter(caller: Caller) -> None:
    if caller.role != "transporter":
        raise Forbidden(
            "Only a transporter's account registers and changes vehicles.", details={"role": caller.role}
        )


def create(caller: Caller, request: VehicleCreate, store: VehicleStore) -> Vehicle:
    _transporter(caller)
    now = clock.now_iso()
    vehicle = Vehicle(
        id=ids.ulid(),
        transporter_id=caller.user_id,
        **request.model_dump(),
        active=True,
        created_at=now,
        updated_at=now,
        version=1,
    )
    store.create(vehicle.model_dump())
    return vehicle


def mine(
    caller: Caller, limit: int, cursor: str | None, store: VehicleStore, transporter_id: str | None = None
) -> VehiclePage:
    """The caller's vehicles (an admin: ``transporter_id``'s), newest first."""
    if caller.is_admin:
        if not transporter_id:
            raise Unprocessable(
                "An admin names the transporter whose vehicles to read.",
                code="TRANSPORTER_ID_REQUIRED",
                details={"field": "transporter_id"},
            )
        owner = transporter_id
    else:
        _transporter(caller)
        if transporter_id not in (None, caller.user_id):
            raise Forbidden("A transporter reads only their own vehicles.")
        owner = caller.user_id
    page = store.owned(owner, limit, cursor)
    return VehiclePage(items=[Vehicle.model_validate(i) for i in page.items], next_cursor=page.next_cursor)


def update(caller: Caller, vehicle_id: str, request: VehicleUpdate, store: VehicleStore) -> Vehicle:
    _transporter(caller)
    found = store.get(vehicle_id)
    if found is None or found["transporter_id"] != caller.user_id:
        raise VehicleNotFound("No vehicle of yours has this id.")
    old = Vehicle.model_validate(found)
    changes = request.model_dump(exclude_unset=True)
    if not changes:
        return old
    new = old.model_copy(update={**changes, "updated_at": clock.now_iso(), "version": old.version + 1})
    store.replace(old.model_dump(), new.model_dump())
    return new
