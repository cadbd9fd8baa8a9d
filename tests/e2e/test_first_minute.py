"""The first minute of a fresh `make dev`: the shipped WFP prices and the demo world are there as
soon as the runtime says it is ready, and a bad setting stops it with one line, not a traceback."""

from __future__ import annotations

import csv
import subprocess
import sys
import uuid
from datetime import date
from typing import Any

import pytest
import requests

from soko_local.seed import FARMERS
from support.runtime import SESSION_ENVIRONMENT

from .conftest import ROOT

TIMEOUT = 30
WFP_CSV = ROOT / "data" / "wfp" / "wfp_uganda_prices.csv"


def _latest_wfp_day(market: str, commodity_prefix: str) -> date:
    with WFP_CSV.open(newline="") as handle:
        days = [
            date.fromisoformat(row["date"])
            for row in csv.DictReader(handle)
            if row["market"] == market and row["commodity"].startswith(commodity_prefix)
        ]
    assert days, f"no {commodity_prefix} in {market} in the shipped CSV"
    return max(days)


def _ussd(http: requests.Session, url: str, text: str) -> str:
    form = {"sessionId": f"ATUid_{uuid.uuid4().hex}", "serviceCode": "*384*1#",
            "phoneNumber": "+256772999001", "networkCode": "99999", "text": text}  # fmt: skip
    reply = http.post(url, data=form, timeout=TIMEOUT)
    assert reply.status_code == 200, reply.text
    return reply.text


def test_right_after_start_up_the_price_menu_answers_with_a_real_wfp_price(
    soko_first_minute: Any, http: requests.Session
) -> None:
    url = str(soko_first_minute.endpoints["function_urls"]["UssdFunction"])
    screen = _ussd(http, url, "1*1*1")  # maize in Kampala, no account needed
    assert "No prices yet" not in screen

    # The same price through the API: the seasonal fallback on the latest shipped WFP observation
    # (no model is trained yet), so its data ends where the CSV's Kampala (Owino) maize ends.
    forecast = http.post(
        f"{soko_first_minute.url}/ml/price/predict",
        json={"market": "Kampala", "crop": "maize", "weeks_ahead": 4},
        timeout=TIMEOUT,
    ).json()
    assert forecast["source"] == "seasonal_fallback"
    assert date.fromisoformat(forecast["data_through"]) == _latest_wfp_day("Owino", "Maize")
    through = date.fromisoformat(forecast["data_through"])
    shown = f"{through.day} {through:%b %Y}"
    if forecast["stale"]:  # the shipped data is older than PriceStaleAfterDays: old data, no forecast
        assert screen.startswith(
            f"END Maize in Kampala: last price UGX {forecast['last_price']:,}/kg on {shown} ("
        ), screen
        assert "Old data, no forecast" in screen
        return
    header, age, *weeks = screen.split("\n")
    assert header == "END Maize in Kampala, UGX/kg:" and len(weeks) == 5, screen
    assert age.startswith(f"Prices of {shown} (")
    expected = [
        f"{date.fromisoformat(w['week_start']).strftime('%d %b')}: {w['price']:,}"
        for w in forecast["predictions"]
    ]
    assert weeks[:4] == expected and all(w["price"] > 0 for w in forecast["predictions"])


def test_right_after_start_up_the_demo_world_is_listed(
    soko_first_minute: Any, http: requests.Session
) -> None:
    listed: dict[str, Any] = {}
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        page = http.get(f"{soko_first_minute.url}/listings/", params=params, timeout=TIMEOUT)
        assert page.status_code == 200, page.text
        listed |= {item["title"]: item for item in page.json()["items"]}
        cursor = page.json()["next_cursor"]
        if not cursor:
            break
    demo = {title: kg for *_, listings in FARMERS for title, _, _, kg in listings}
    assert len(demo) == 18 and set(demo) <= set(listed)
    # docs/conventions.md: quantities are decimal strings with three decimals in every response
    assert all(listed[title]["quantity_kg"] == f"{kg}.000" for title, kg in demo.items())

    signed_in = http.post(
        f"{soko_first_minute.url}/auth/login",
        json={"email": "amina.achieng@demo.soko.ug", "password": "Soko-demo-2026"},
        timeout=TIMEOUT,
    )
    assert signed_in.status_code == 200 and signed_in.json()["access_token"]


def _start_with(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in SESSION_ENVIRONMENT.items() if not k.startswith("SOKO_ADMIN_")}
    return subprocess.run(
        [sys.executable, "-m", "soko_local", "dev", "--port", "0", "--no-watch", *args],
        env={**environment, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "env", "says"),
    [
        (
            (),
            {"SOKO_ADMIN_PASSWORD": "short"},
            "error: SOKO_ADMIN_PASSWORD is refused by the password policy",
        ),
        ((), {"SOKO_ADMIN_PASSWORD": "password123"}, "one of the most common passwords"),
        (
            (),
            {"SOKO_ADMIN_EMAIL": "admin-at-soko"},
            "error: SOKO_ADMIN_EMAIL='admin-at-soko' is not an email",
        ),
        (("--parameter", "ProphetCandidat=false"), {}, "has no parameter 'ProphetCandidat'"),
        (("--parameter", "ProphetCandidate=maybe"), {}, "ProphetCandidate='maybe' is not one of true, false"),
    ],
    ids=["short-password", "common-password", "bad-email", "unknown-parameter", "disallowed-value"],
)
def test_a_bad_setting_stops_start_up_with_one_line(
    args: tuple[str, ...], env: dict[str, str], says: str
) -> None:
    run = _start_with(*args, **env)
    assert run.returncode == 2
    assert run.stdout == ""
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and says in lines[0], run.stderr
    assert "Traceback" not in run.stderr
    if "SOKO_ADMIN_PASSWORD" in env:  # a refused password is never echoed
        assert env["SOKO_ADMIN_PASSWORD"] not in run.stderr
