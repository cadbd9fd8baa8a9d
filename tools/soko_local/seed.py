"""``make seed``: the demo world in the running local runtime, through its HTTP API.

Thirteen farmers and ten buyers across Ugandan districts, with profiles, and the farmers' listings
at prices in line with recent WFP retail figures (UGX per kg); five transporters with their vehicles
(a boda-boda in Gulu, a pick-up serving Gulu, Lira and Kampala, lorries on Gulu-Kampala...), so a
Kampala buyer's confirmed order from a Gulu farmer gets transport quotes. Re-running it changes
nothing that exists: accounts are matched by email, listings by title and vehicles by plate.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests

PASSWORD = "Soko-demo-2026"  # noqa: S105  (demo accounts, local runtime only)

FARMERS: list[tuple[str, str, list[str], list[tuple[str, str, int, str]]]] = [
    # name, district, specialties, listings: (title, crop, price UGX/kg, quantity kg)
    (
        "Amina Achieng",
        "Gulu",
        ["maize", "beans"],
        [
            ("Dry white maize, 2026 season", "maize", 1100, "800"),
            ("Yellow beans (nambale)", "beans", 3600, "250"),
        ],
    ),
    ("Geoffrey Okello", "Lira", ["sorghum", "maize"], [("Red sorghum, well dried", "sorghum", 1400, "600")]),
    ("Sarah Nakato", "Masaka", ["matoke", "coffee"], [("Matooke bunches, medium", "matooke", 700, "1200")]),
    (
        "Robert Mugisha",
        "Mbarara",
        ["matoke", "milk"],
        [("Mbarara matooke", "matoke", 650, "2000"), ("Fresh milk, morning collection", "milk", 1300, "150")],
    ),
    (
        "Peter Wanyama",
        "Mbale",
        ["irish potatoes", "onions"],
        [("Irish potatoes from Bududa slopes", "irish potatoes", 1500, "900")],
    ),
    (
        "Grace Namutebi",
        "Mukono",
        ["tomatoes", "cabbage"],
        [("Ripe tomatoes", "tomatoes", 2500, "300"), ("Cabbage heads", "cabbage", 900, "400")],
    ),
    (
        "Denis Opio",
        "Soroti",
        ["cassava chips", "groundnuts"],
        [
            ("Sun-dried cassava chips", "cassava chips", 1200, "700"),
            ("Red groundnuts", "groundnuts", 5200, "200"),
        ],
    ),
    (
        "Joy Tumusiime",
        "Kabale",
        ["irish potatoes", "sorghum"],
        [("Kabale Irish potatoes", "irish potatoes", 1300, "1500")],
    ),
    ("Joseph Kato", "Luwero", ["maize", "cassava"], [("Maize grain, bagged", "maize", 1150, "1000")]),
    (
        "Betty Achan",
        "Apac",
        ["sesame", "millet"],
        [("Simsim (sesame), clean", "sesame", 6500, "180"), ("Finger millet", "millet", 2800, "350")],
    ),
    ("Paul Mwesigwa", "Kasese", ["coffee", "beans"], [("Beans, mixed colours", "beans", 3400, "300")]),
    ("Ruth Nabirye", "Iganga", ["rice", "maize"], [("Upland rice, milled", "rice", 4200, "500")]),
    ("Moses Ocen", "Kitgum", ["sorghum", "sesame"], [("White sorghum", "sorghum", 1350, "450")]),
]
BUYERS: list[tuple[str, str, list[str]]] = [
    ("Kampala Fresh Foods", "Kampala", ["tomatoes", "matoke", "cabbage"]),
    ("Jinja Millers", "Jinja", ["maize", "sorghum"]),
    ("Gulu Grain Traders", "Gulu", ["maize", "beans", "sesame"]),
    ("Mbarara Matooke Depot", "Mbarara", ["matoke"]),
    ("Entebbe Hotel Supplies", "Wakiso", ["tomatoes", "irish potatoes", "milk"]),
    ("Lira Produce Hub", "Lira", ["sorghum", "millet"]),
    ("Masaka Schools Supply", "Masaka", ["beans", "maize flour"]),
    ("Mbale Agro Processors", "Mbale", ["irish potatoes", "groundnuts"]),
    ("Hoima Refinery Canteen", "Hoima", ["rice", "beans"]),
    ("Arua Relief Stores", "Arua", ["sorghum", "beans", "cassava chips"]),
]

ALL_WEEK = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WORKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat"]
TRANSPORTERS: list[tuple[str, str, list[dict[str, Any]]]] = [
    # name, district, vehicles (POST /transport/vehicles bodies; the first district is the base)
    (
        "Okot Boda Rides",
        "Gulu",
        [
            {
                "type": "boda_boda",
                "plate": "UEB 101G",
                "capacity_kg": 150,
                "districts": ["Gulu", "Omoro", "Nwoya"],
                "price_per_km_ugx": 600,
                "minimum_fare_ugx": 5000,
                "days": ALL_WEEK,
            }
        ],
    ),
    (
        "Acan Pick-ups",
        "Gulu",
        [
            {
                "type": "pickup",
                "plate": "UBF 220L",
                "capacity_kg": 1500,
                "districts": ["Gulu", "Lira", "Oyam", "Kiryandongo", "Luwero", "Kampala"],
                "price_per_km_ugx": 1700,
                "minimum_fare_ugx": 40000,
                "days": WORKDAYS,
            }
        ],
    ),
    (
        "Northern Haulage",
        "Gulu",
        [
            {
                "type": "lorry",
                "plate": "UAX 318K",
                "capacity_kg": 10000,
                "districts": ["Gulu", "Kiryandongo", "Luwero", "Wakiso", "Kampala"],
                "price_per_km_ugx": 3200,
                "minimum_fare_ugx": 300000,
                "days": WORKDAYS,
            }
        ],
    ),
    (
        "Lira Produce Movers",
        "Lira",
        [
            {
                "type": "van",
                "plate": "UBD 542C",
                "capacity_kg": 800,
                "districts": ["Lira", "Gulu", "Apac", "Soroti", "Kampala"],
                "price_per_km_ugx": 1300,
                "minimum_fare_ugx": 25000,
                "days": ALL_WEEK,
            }
        ],
    ),
    (
        "Kampala Express Cargo",
        "Kampala",
        [
            {
                "type": "lorry",
                "plate": "UBJ 777T",
                "capacity_kg": 7000,
                "districts": ["Kampala", "Wakiso", "Mukono", "Jinja", "Masaka", "Mbarara", "Gulu", "Lira"],
                "price_per_km_ugx": 2800,
                "minimum_fare_ugx": 250000,
                "days": WORKDAYS,
            },
            {
                "type": "pickup",
                "plate": "UBK 405M",
                "capacity_kg": 1200,
                "districts": ["Kampala", "Wakiso", "Mukono", "Mpigi"],
                "price_per_km_ugx": 1500,
                "minimum_fare_ugx": 30000,
                "days": ALL_WEEK,
            },
        ],
    ),
]


def _email(name: str) -> str:
    return ".".join(name.lower().replace(",", "").split()) + "@demo.soko.ug"


class Seeder:
    """Creates the demo accounts ``parallel`` at a time (each account's own steps in order)."""

    def __init__(self, base_url: str, parallel: int = 2):
        self.url = base_url.rstrip("/")
        self.parallel = parallel
        self._local = threading.local()  # a session per thread: requests.Session is not thread-safe

    def _call(self, method: str, path: str, token: str | None = None, **kwargs: Any) -> requests.Response:
        http: requests.Session | None = getattr(self._local, "http", None)
        if http is None:
            http = self._local.http = requests.Session()
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return http.request(method, f"{self.url}{path}", headers=headers, timeout=60, **kwargs)

    def _login(self, email: str, attempts: int = 4) -> str:
        """Sign in, again after a 5xx (a cold function on a loaded machine can time out at the
        gateway); signing in twice is harmless, and a 4xx is an answer, not a hiccup."""
        for attempt in range(attempts):
            answer = self._call("POST", "/auth/login", json={"email": email, "password": PASSWORD})
            if answer.status_code == 200:
                return str(answer.json()["access_token"])
            if answer.status_code < 500 or attempt == attempts - 1:
                raise RuntimeError(f"signing in {email}: {answer.status_code} {answer.text}")
            time.sleep(1 + attempt)
        raise AssertionError("unreachable")

    def account(self, name: str, role: str, profile: dict[str, Any]) -> tuple[str, str]:
        email = _email(name)
        created = self._call(
            "POST",
            "/auth/register",
            json={"email": email, "password": PASSWORD, "role": role, "fullName": name},
        )
        if created.status_code not in (201, 409):
            raise RuntimeError(f"registering {email}: {created.status_code} {created.text}")
        token = self._login(email)
        updated = self._call("PUT", "/users/me", token, json=profile)
        if updated.status_code != 200:
            raise RuntimeError(f"profile of {email}: {updated.status_code} {updated.text}")
        return updated.json()["id"], token

    def listings(
        self, farmer_id: str, token: str, district: str, wanted: list[tuple[str, str, int, str]]
    ) -> int:
        existing = self._call("GET", "/listings/", params={"farmer_id": farmer_id, "limit": 100}).json()[
            "items"
        ]
        titles = {item["title"] for item in existing}
        made = 0
        for title, crop, price, quantity in wanted:
            if title in titles:
                continue
            body = {
                "title": title,
                "crop": crop,
                "price_per_kg": price,
                "quantity_kg": quantity,
                "district": district,
            }
            response = self._call("POST", "/listings/", token, json=body)
            if response.status_code != 201:
                raise RuntimeError(f"listing {title!r}: {response.status_code} {response.text}")
            made += 1
        return made

    def farmer(self, name: str, district: str, specialties: list[str], wanted: list[Any]) -> int:
        farmer_id, token = self.account(name, "farmer", {"district": district, "specialties": specialties})
        return self.listings(farmer_id, token, district, wanted)

    def buyer(self, name: str, district: str, interests: list[str]) -> int:
        self.account(name, "buyer", {"district": district, "interests": interests})
        return 0

    def transporter(self, name: str, district: str, wanted: list[dict[str, Any]]) -> int:
        """The account and its vehicles not yet registered (matched by plate): how many were made."""
        _, token = self.account(name, "transporter", {"district": district})
        existing = self._call("GET", "/transport/vehicles", token, params={"limit": 100})
        if existing.status_code != 200:
            raise RuntimeError(f"vehicles of {name}: {existing.status_code} {existing.text}")
        plates = {item["plate"] for item in existing.json()["items"]}
        made = 0
        for vehicle in wanted:
            if vehicle["plate"] in plates:
                continue
            response = self._call("POST", "/transport/vehicles", token, json=vehicle)
            if response.status_code not in (201, 409):  # 409: the plate is registered already
                raise RuntimeError(f"vehicle {vehicle['plate']}: {response.status_code} {response.text}")
            made += response.status_code == 201
        return made

    def run(self) -> str:
        pool = ThreadPoolExecutor(max_workers=self.parallel, thread_name_prefix="seed")
        try:
            made = [pool.submit(self.farmer, *farmer) for farmer in FARMERS]
            made += [pool.submit(self.buyer, *buyer) for buyer in BUYERS]
            fleet = [pool.submit(self.transporter, *transporter) for transporter in TRANSPORTERS]
            listings = sum(future.result() for future in made)  # the first failure is raised here
            vehicles = sum(future.result() for future in fleet)
        finally:  # after a failure or Ctrl-C, the accounts not yet started are not started
            pool.shutdown(wait=True, cancel_futures=True)
        return (
            f"{len(FARMERS)} farmers, {len(BUYERS)} buyers, {len(TRANSPORTERS)} transporters (password "
            f"{PASSWORD}), {listings} new listings, {vehicles} new vehicles"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3000)
    args = parser.parse_args(argv)
    try:
        summary = Seeder(f"http://{args.host}:{args.port}").run()
    except requests.ConnectionError:
        print(
            f"error: no local runtime at {args.host}:{args.port}; start it with `make dev`", file=sys.stderr
        )
        return 1
    print(f"seeded: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
