"""Vehicles: the vehicle item, its copy under each district it serves (what a quote queries) and its
plate, written together in one transaction so the copies never disagree with the vehicle."""

from __future__ import annotations

from typing import Any

from soko.logistics.dal import slot_key
from soko.shared import aws, dynamo
from soko.shared.errors import Conflict

OWNER_INDEX = "gsi1"
_INDEX_KEYS = frozenset({"pk", "sk", "gsi1pk", "gsi1sk"})
_MAX_CANDIDATES = 1000  # vehicles read for one quote (a district's, at most)


class PlateTaken(Conflict):
    code = "PLATE_TAKEN"


class VehicleChanged(Conflict):
    code = "CONCURRENT_UPDATE"


def vehicle_key(vehicle_id: str) -> dict[str, str]:
    return {"pk": f"VEHICLE#{vehicle_id}", "sk": "VEHICLE"}


def _district_key(district: str, vehicle_id: str) -> dict[str, str]:
    return {"pk": f"DISTRICT#{district}", "sk": f"VEHICLE#{vehicle_id}"}


def _plate_key(plate: str) -> dict[str, str]:
    return {"pk": f"PLATE#{plate}", "sk": "PLATE"}


def batch_get(table_name: str, keys: list[dict[str, str]]) -> list[dict[str, Any]]:
    """The items of ``keys`` that exist (strongly consistent, 100 keys a call, unprocessed keys
    retried), plain (no Decimals), in no particular order."""
    found: list[dict[str, Any]] = []
    unique = list({(k["pk"], k["sk"]): k for k in keys}.values())
    for start in range(0, len(unique), 100):
        request: dict[str, Any] = {table_name: {"Keys": unique[start : start + 100], "ConsistentRead": True}}
        while request:
            try:
                response = aws.resource("dynamodb").batch_get_item(RequestItems=request)
            except Exception as err:
                dynamo.raise_if_throttled(err)
                raise
            found += [dynamo.plain(i) for i in response["Responses"].get(table_name, [])]
            request = response.get("UnprocessedKeys") or {}
    return found


def strip_keys(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in _INDEX_KEYS and k != "expires_at"}


class VehiclesDal(dynamo.TableDal):
    def _items(self, vehicle: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The vehicle item and its district copies."""
        main = {
            **vehicle_key(vehicle["id"]),
            "gsi1pk": f"OWNER#{vehicle['transporter_id']}",
            "gsi1sk": f"VEHICLE#{vehicle['created_at']}#{vehicle['id']}",
            **vehicle,
        }
        copies = [{**_district_key(d, vehicle["id"]), **vehicle} for d in vehicle["districts"]]
        return main, copies

    def create(self, vehicle: dict[str, Any]) -> None:
        """The vehicle, its district copies and its plate, in one transaction (409 ``PLATE_TAKEN``
        when another vehicle has the plate)."""
        main, copies = self._items(vehicle)
        plate = {**_plate_key(vehicle["plate"]), "vehicle_id": vehicle["id"]}
        codes = dynamo.transact([self._put_new(plate), self._put_new(main), *(self._put(c) for c in copies)])
        if codes:
            if codes[0] == "ConditionalCheckFailed":
                raise PlateTaken("A vehicle with this number plate is already registered.")
            raise VehicleChanged("Someone changed this at the same moment; try again.")

    def get(self, vehicle_id: str) -> dict[str, Any] | None:
        key = vehicle_key(vehicle_id)
        item = self._get(key["pk"], key["sk"])
        return strip_keys(item) if item else None

    def owned(self, transporter_id: str, limit: int, cursor: str | None) -> dynamo.Page:
        """A transporter's vehicles, newest first."""
        page = dynamo.query_page(
            self._table,
            scope=f"vehicles:{transporter_id}",
            key_names=_INDEX_KEYS,
            numeric_keys=frozenset(),
            limit=limit,
            cursor_token=cursor,
            IndexName=OWNER_INDEX,
            KeyConditionExpression=dynamo.key("gsi1pk").eq(f"OWNER#{transporter_id}"),
            ScanIndexForward=False,
        )
        return dynamo.Page(
            items=[strip_keys(dynamo.plain(i)) for i in page.items], next_cursor=page.next_cursor
        )

    def replace(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        """Write ``new`` over ``old`` (conditioned on ``old``'s version), with the district copies
        of every district it now serves and without those of the districts it left: one
        transaction (409 ``CONCURRENT_UPDATE`` when someone changed the vehicle since ``old``)."""
        main, copies = self._items(new)
        gone = [d for d in old["districts"] if d not in new["districts"]]
        codes = dynamo.transact(
            [
                self._put(main, "version = :v", v=old["version"]),
                *(self._put(c) for c in copies),
                *(self._delete(_district_key(d, old["id"])) for d in gone),
            ]
        )
        if codes:
            raise VehicleChanged("Someone changed this vehicle at the same moment; read it again and retry.")

    def in_district(self, district: str) -> list[dict[str, Any]]:
        """Every vehicle serving ``district`` (its copies; at most :data:`_MAX_CANDIDATES`)."""
        found: list[dict[str, Any]] = []
        for item in dynamo.read_all_pages(
            self._table,
            KeyConditionExpression=dynamo.key("pk").eq(f"DISTRICT#{district}")
            & dynamo.key("sk").begins_with("VEHICLE#"),
        ):
            found.append(strip_keys(item))
            if len(found) >= _MAX_CANDIDATES:
                break
        return found

    def taken_slots(self, vehicle_ids: list[str], day: str) -> set[str]:
        """Which of the vehicles have their slot of ``day`` claimed (a read to rank quotes: the
        booking's transaction is what guards the slot)."""
        keys = [slot_key(v, day) for v in vehicle_ids]
        return {str(i["pk"]).removeprefix("VEHICLE#") for i in batch_get(self.table_name, keys)}
