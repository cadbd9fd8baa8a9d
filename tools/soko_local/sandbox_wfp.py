"""Sandbox twin of the WFP market-price feed (HDX's CSV), for the scheduled ingestion,
served by the local runtime under ``/_sandbox/wfp``.

- ``GET /_sandbox/wfp/wfp_food_prices_uga.csv``: the file in HDX's layout (header, HXL tag row,
  ``date, admin1, admin2, market, market_id, latitude, longitude, category, commodity,
  commodity_id, unit, priceflag, pricetype, currency, price, usdprice``), built from the shipped
  series (``data/wfp/``) plus every month published here; with an ``ETag`` and ``Last-Modified``,
  and 304 to a matching ``If-None-Match`` (or ``If-Modified-Since`` when no ETag is sent).
- ``POST /_sandbox/wfp/_publish`` (demo and test control): appends a month. With ``{"rows":
  [{"date", "market", "commodity", "pricetype", "price"}]}`` those rows; otherwise the month after
  the newest one, for every series priced in the newest month (or only ``"markets"`` /
  ``"commodities"`` when given), each price moved by a seeded amount within +-5 % (``"seed"``,
  default 19): the same request on the same data publishes the same prices. Answers 201 with the
  rows and the new ETag.
- ``POST /_sandbox/wfp/_faults`` ``{"fail_next": n, "status": 503}``: the next n downloads fail.
- ``GET /_sandbox/wfp/_state``: the ETag, how many rows, the published months, faults pending.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import random
import threading
from datetime import UTC, date, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from werkzeug.wrappers import Request, Response

FILE = "wfp_food_prices_uga.csv"
SHIPPED = Path(__file__).resolve().parents[2] / "data" / "wfp" / "wfp_uganda_prices.csv"
HEADER = (
    "date,admin1,admin2,market,market_id,latitude,longitude,category,commodity,commodity_id,"
    "unit,priceflag,pricetype,currency,price,usdprice"
).split(",")
HXL = (
    "#date,#adm1+name,#adm2+name,#loc+market+name,#loc+market+code,#geo+lat,#geo+lon,#item+type,"
    "#item+name,#item+code,#item+unit,#item+price+flag,#item+price+type,#currency+code,#value,#value+usd"
).split(",")
UGX_PER_USD = 3700  # only for the usdprice column, which the ingestion does not read
MOVE = 0.05
DEFAULT_SEED = 19


def _json(value: Any, status: int = 200) -> Response:
    return Response(json.dumps(value), status=status, content_type="application/json")


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 15)


class Twin:
    def __init__(self, shipped: Path = SHIPPED) -> None:
        self._lock = threading.Lock()
        self._shipped = shipped
        self._rows: list[dict[str, str]] | None = None  # read on first use
        self._published: list[str] = []
        self._faults: list[int] = []
        self._body = b""
        self._etag = ""
        self._modified = datetime.now(UTC).replace(microsecond=0)

    # ------------------------------------------------------------------ the file
    def _load(self) -> list[dict[str, str]]:
        if self._rows is None:
            with self._shipped.open(newline="") as handle:
                self._rows = [dict(row) for row in csv.DictReader(handle)]
            self._render()
        return self._rows

    def _render(self) -> None:
        out = io.StringIO(newline="")
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerow(HXL)
        for row in self._rows or []:
            price = row["price_ugx_per_kg"]
            writer.writerow(
                [
                    row["date"],
                    "",
                    "",
                    row["market"],
                    "",
                    row.get("latitude", ""),
                    row.get("longitude", ""),
                    "cereals and tubers",
                    row["commodity"],
                    "",
                    "KG",
                    "actual",
                    row["pricetype"],
                    "UGX",
                    price,
                    f"{float(price) / UGX_PER_USD:.4f}",
                ]
            )
        self._body = out.getvalue().encode()
        self._etag = '"' + hashlib.sha256(self._body).hexdigest()[:32] + '"'

    def _download(self, request: Request) -> Response:
        with self._lock:
            self._load()
            if self._faults:
                return Response("the feed is unavailable (sandbox fault)", status=self._faults.pop(0))
            etag, modified, body = self._etag, self._modified, self._body
        headers = {"ETag": etag, "Last-Modified": format_datetime(modified, usegmt=True)}
        match = request.headers.get("If-None-Match")
        since = request.if_modified_since
        if (match and etag in [m.strip() for m in match.split(",")]) or (
            not match and since is not None and since >= modified
        ):
            return Response(status=304, headers=headers)
        return Response(body, status=200, content_type="text/csv; charset=utf-8", headers=headers)

    # ------------------------------------------------------------------ controls
    def _publish(self, request: Request) -> Response:
        try:
            body = json.loads(request.get_data(as_text=True) or "{}")
            if not isinstance(body, dict):
                raise TypeError
        except (ValueError, TypeError):
            return _json({"error": "send a JSON object"}, 400)
        with self._lock:
            rows = self._load()
            try:
                new = self._given(body["rows"]) if "rows" in body else self._month(rows, body)
            except (KeyError, TypeError, ValueError) as err:
                return _json({"error": f"bad rows: {err}"}, 400)
            if not new:
                return _json({"error": "nothing to publish"}, 400)
            rows.extend(new)
            self._published.extend(sorted({r["date"] for r in new} - set(self._published)))
            self._modified = datetime.now(UTC).replace(microsecond=0)
            self._render()
            return _json({"rows": new, "etag": self._etag}, 201)

    @staticmethod
    def _given(rows: Any) -> list[dict[str, str]]:
        out = []
        for row in rows:
            day = date.fromisoformat(str(row["date"]))
            price = float(row["price"])
            if price <= 0:
                raise ValueError("prices are above zero")
            out.append(
                {
                    "date": day.isoformat(),
                    "market": str(row["market"]),
                    "commodity": str(row["commodity"]),
                    "pricetype": str(row.get("pricetype", "Retail")),
                    "price_ugx_per_kg": f"{price:.1f}",
                    "latitude": "",
                    "longitude": "",
                }
            )
        return out

    @staticmethod
    def _month(rows: list[dict[str, str]], body: dict[str, Any]) -> list[dict[str, str]]:
        newest = max(row["date"] for row in rows)
        month = _next_month(date.fromisoformat(newest)).isoformat()
        markets, commodities = body.get("markets"), body.get("commodities")
        rng = random.Random(f"{body.get('seed', DEFAULT_SEED)}:{month}")  # noqa: S311  (not security)
        out = []
        for row in sorted(rows, key=lambda r: (r["market"], r["commodity"], r["pricetype"])):
            if row["date"] != newest:
                continue
            if (markets and row["market"] not in markets) or (
                commodities and row["commodity"] not in commodities
            ):
                continue
            price = float(row["price_ugx_per_kg"]) * (1 + rng.uniform(-MOVE, MOVE))
            out.append({**row, "date": month, "price_ugx_per_kg": f"{round(price)}.0"})
        return out

    def _fault(self, request: Request) -> Response:
        try:
            body = json.loads(request.get_data(as_text=True) or "{}")
            count, status = int(body.get("fail_next", 1)), int(body.get("status", 503))
            if not (0 <= count <= 100 and 500 <= status <= 599):
                raise ValueError
        except (ValueError, TypeError, AttributeError):
            return _json({"error": "send {fail_next: 0-100, status: 500-599}"}, 400)
        with self._lock:
            self._faults = [status] * count
        return _json({"fail_next": count, "status": status})

    def _state(self) -> Response:
        with self._lock:
            rows = self._load()
            return _json(
                {
                    "etag": self._etag,
                    "rows": len(rows),
                    "published": list(self._published),
                    "faults": len(self._faults),
                }
            )

    def dispatch(self, request: Request, path: str) -> Response | None:
        """The answer for ``path`` (the request path without ``/_sandbox``), or None when not ours."""
        if not path.startswith("/wfp/"):
            return None
        route = (request.method, path.removeprefix("/wfp"))
        if route in {("GET", f"/{FILE}"), ("HEAD", f"/{FILE}")}:
            return self._download(request)
        if route == ("POST", "/_publish"):
            return self._publish(request)
        if route == ("POST", "/_faults"):
            return self._fault(request)
        if route == ("GET", "/_state"):
            return self._state()
        return _json({"error": "not found"}, 404)


def parameter_overrides(base_url: str, prefix: str) -> dict[str, str]:
    """Template parameters that point the adapter at this twin."""
    return {"WfpFeedUrl": f"{base_url}{prefix}/wfp/{FILE}"}
