"""What the logistics functional tests share: accounts made through identity's API, a confirmed
order made through the market's API, the demo vehicles, and direct reads of the logistics table."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from support.gateway import Api
from support.tables import Table
from support.users import User

PICKUP = {
    "type": "pickup",
    "plate": "UBA 123C",
    "capacity_kg": 1500,
    "districts": ["Gulu", "Lira", "Kampala"],
    "price_per_km_ugx": 1800,
    "minimum_fare_ugx": 30000,
    "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
}


class LogisticsTable(Table):
    def booking(self, booking_id: str) -> dict[str, Any] | None:
        return self.item(f"BOOKING#{booking_id}", "BOOKING")

    def slots(self, vehicle_id: str) -> list[dict[str, Any]]:
        return [i for i in self.partition(f"VEHICLE#{vehicle_id}") if str(i["sk"]).startswith("SLOT#")]

    def transport(self, order_id: str) -> dict[str, Any] | None:
        return self.item(f"ORDER#{order_id}", "TRANSPORT")


def _account(api: Api, role: str, name: str, district: str | None) -> User:
    email = f"{role}-{uuid.uuid4().hex[:8]}@example.com"
    body = {"email": email, "password": "Soko-test-2026!", "role": role, "fullName": name}
    reply = api.post("/auth/register", body).expect(201)
    user = User(reply.json["id"], role, email)
    if district:
        api.put("/users/me", {"district": district}, user=user).expect(200)
    return user


@dataclass
class World:
    api: Api
    farmer: User  # in Gulu
    buyer: User  # in Kampala
    rider: User  # a transporter
    trucker: User  # another transporter
    stranger: User  # a buyer with no part in the orders

    @classmethod
    def register(cls, api: Api) -> World:
        return cls(
            api,
            farmer=_account(api, "farmer", "Amina Achieng", "Gulu"),
            buyer=_account(api, "buyer", "Kampala Fresh Foods", "Kampala"),
            rider=_account(api, "transporter", "Okot Rider", "Gulu"),
            trucker=_account(api, "transporter", "Lira Haulage", "Lira"),
            stranger=_account(api, "buyer", "Someone Else", "Jinja"),
        )

    def vehicle(self, owner: User | None = None, **fields: Any) -> dict[str, Any]:
        body = {
            **PICKUP,
            "plate": f"UB{chr(65 + uuid.uuid4().int % 26)} {uuid.uuid4().int % 900 + 100}C",
            **fields,
        }
        return dict(self.api.post("/transport/vehicles", body, user=owner or self.rider).expect(201).json)

    def order(
        self, kg: str = "500", *, confirm: bool = True, delivery_district: str | None = None
    ) -> dict[str, Any]:
        """A listing in Gulu, an order of it by the buyer, confirmed by the farmer."""
        listing = (
            self.api.post(
                "/listings/",
                {
                    "title": "Dry maize",
                    "crop": "maize",
                    "price_per_kg": 1100,
                    "quantity_kg": "20000",
                    "district": "Gulu",
                },
                user=self.farmer,
            )
            .expect(201)
            .json
        )
        body: dict[str, Any] = {"listing_id": listing["id"], "quantity_kg": kg}
        if delivery_district:
            body["delivery_district"] = delivery_district
        order = self.api.post("/orders/", body, user=self.buyer).expect(201).json
        if confirm:
            self.api.patch(
                f"/orders/{order['id']}/status", {"new_status": "confirmed"}, user=self.farmer
            ).expect(200)
        return dict(order)

    def quotes(self, order_id: str, user: User | None = None, **fields: Any) -> list[dict[str, Any]]:
        reply = self.api.post("/transport/quotes", {"order_id": order_id, **fields}, user=user or self.buyer)
        return list(reply.expect(200).json["items"])

    def book(self, quote_id: str, user: User | None = None, key: str | None = None) -> Any:
        headers = {"Idempotency-Key": key} if key else None
        return self.api.post(
            "/transport/bookings", {"quote_id": quote_id}, user=user or self.buyer, headers=headers
        )
