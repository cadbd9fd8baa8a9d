"""POST /transport/bookings/{id}/positions against the template's resources in moto: who may send,
in which states, validation, the rate bound, de-duplication across batches, the fixes' TTL, the
booking's tracking state, arrival once, and the events on the bus.

Bookings come from the test fixture in ``support/logistics_track.py`` (written on a real confirmed
order, until the core part's booking endpoint exists). Its fixtures are imported here rather than
from a ``conftest.py`` the domain's other suites would share (hence the file-wide F811)."""

# ruff: noqa: F811

from __future__ import annotations

from datetime import datetime

import pytest

from soko.logistics import geo, tracking
from soko.logistics.events import TransportArrived, TransportNoticeIssued, TransportPositionUpdated
from soko.shared.notices import SMS_LIMIT
from support.logistics_track import (  # noqa: F401  (fixtures)
    Bus,
    Logistics,
    api,
    bus,
    deployment,
    frozen,
    logistics,
)
from support.users import new_user


def test_a_batch_is_stored_with_a_ttl_and_moves_the_booking(logistics: Logistics, bus: Bus) -> None:
    booking = logistics.booking()
    reply = logistics.post(
        booking,
        logistics.fix(30_000, -120, accuracy_m=8),
        logistics.fix(28_000, -60),
        logistics.fix(26_000, 0),
    ).expect(200)
    body = reply.json
    assert set(body) == {
        "accepted",
        "dropped",
        "position",
        "speed_kmh",
        "eta_minutes",
        "remaining_km",
        "arrived",
    }
    assert (body["accepted"], body["dropped"], body["arrived"]) == (3, 0, False)
    assert body["position"]["at"] == logistics.clock.iso(0)
    assert body["speed_kmh"] == pytest.approx(120, abs=1)
    assert body["remaining_km"] == pytest.approx(26 * geo.ROAD_FACTOR, abs=0.1)
    assert body["eta_minutes"] == pytest.approx(26 * geo.ROAD_FACTOR / body["speed_kmh"] * 60, abs=1)

    fixes = logistics.fixes(booking)
    assert [f["sk"] for f in fixes] == [f"POS#{logistics.clock.iso(s)}#0" for s in (-120, -60, 0)]
    retention = 30 * 86400
    for fix in fixes:
        at = datetime.fromisoformat(fix["at"].replace("Z", "+00:00"))
        assert fix["expires_at"] == int(at.timestamp()) + retention  # DynamoDB's TTL deletes it
    stored = logistics.stored(booking)
    assert stored["position"] == body["position"] and stored["eta_minutes"] == body["eta_minutes"]
    assert stored["version"] == 3  # positions never bump the version the steps condition on

    [event] = bus.drain()
    assert event["detail-type"] == "TransportPositionUpdated"
    update = TransportPositionUpdated.model_validate(event["detail"])
    assert (update.booking_id, update.buyer_id, update.farmer_id) == (
        booking.id,
        booking.buyer.id,
        booking.farmer.id,
    )
    assert update.eta_minutes == body["eta_minutes"]


def test_the_eta_falls_as_the_vehicle_approaches(logistics: Logistics) -> None:
    booking = logistics.booking()
    etas = []
    for km in (20, 18, 16, 14, 12):
        logistics.clock.advance(60)
        body = (
            logistics.post(booking, logistics.fix(km * 1000 + 500, -15), logistics.fix(km * 1000, 0))
            .expect(200)
            .json
        )
        etas.append(body["eta_minutes"])
    assert etas == sorted(etas, reverse=True) and etas[0] > etas[-1]


def test_only_the_bookings_transporter(logistics: Logistics) -> None:
    booking = logistics.booking()
    fix = logistics.fix(5000)
    for caller in (booking.buyer, booking.farmer, new_user("admin")):
        logistics.post(booking, fix, user=caller).expect(403, "FORBIDDEN")
    logistics.post(booking, fix, user=new_user("transporter")).expect(404, "BOOKING_NOT_FOUND")
    unknown = logistics.api.post(
        "/transport/bookings/01JD0000000000000000000099/positions", {"fixes": [fix]}, user=booking.transporter
    )
    unknown.expect(404, "BOOKING_NOT_FOUND")
    assert logistics.fixes(booking) == []


@pytest.mark.parametrize("status", ["requested", "delivered", "cancelled", "declined", "expired"])
def test_only_an_accepted_or_picked_up_booking_is_tracked(logistics: Logistics, status: str) -> None:
    booking = logistics.booking(status)  # type: ignore[arg-type]
    reply = logistics.post(booking, logistics.fix(5000)).expect(409, "BOOKING_NOT_IN_TRANSIT")
    assert reply.error["details"] == {"status": status}
    assert logistics.fixes(booking) == []


def test_an_accepted_booking_is_tracked_via_the_pickup(logistics: Logistics) -> None:
    booking = logistics.booking("accepted")
    body = logistics.post(booking, logistics.fix(100)).expect(200).json  # passing the buyer on the way
    assert body["arrived"] is False and body["remaining_km"] > 300  # to Gulu and back


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"fixes": []}, "fixes"),
        ({}, "fixes"),
        ({"fixes": [{"lat": 91, "lon": 32.5, "at": "2026-11-21T09:30:00Z"}]}, "fixes.0.lat"),
        ({"fixes": [{"lat": 0.3, "lon": 181, "at": "2026-11-21T09:30:00Z"}]}, "fixes.0.lon"),
        ({"fixes": [{"lat": 0.3, "lon": 32.5, "at": "yesterday"}]}, "fixes.0.at"),
        ({"fixes": [{"lat": 0.3, "lon": 32.5, "at": "2026-11-21T09:30:00"}]}, "fixes.0.at"),  # no zone
        (
            {"fixes": [{"lat": 0.3, "lon": 32.5, "at": "2026-11-21T09:30:00Z", "accuracy_m": 0}]},
            "fixes.0.accuracy_m",
        ),
        ({"fixes": [{"lat": 0.3, "lon": 32.5, "at": "2026-11-21T09:30:00Z", "speed": 3}]}, "fixes.0.speed"),
        ({"fixes": [], "extra": 1}, "extra"),
    ],
)
def test_invalid_batches_are_422(logistics: Logistics, body: dict[str, object], field: str) -> None:
    booking = logistics.booking()
    reply = logistics.api.post(booking.path, body, user=booking.transporter).expect(422)
    assert field in reply.fields


def test_too_many_fixes_and_a_future_fix_are_422(logistics: Logistics) -> None:
    booking = logistics.booking()
    many = [logistics.fix(5000, -i) for i in range(tracking.MAX_FIXES + 1)]
    assert "fixes" in logistics.post(booking, *many).expect(422).fields
    future = logistics.fix(5000, tracking.FUTURE_SKEW_SECONDS + 30)
    reply = logistics.post(booking, logistics.fix(5000), future).expect(422, "FIX_IN_THE_FUTURE")
    assert "fixes.1.at" in reply.fields
    assert logistics.fixes(booking) == []
    logistics.post(booking, *many[: tracking.MAX_FIXES]).expect(200)  # 100 is fine


def test_a_malformed_body_is_a_4xx(logistics: Logistics) -> None:
    booking = logistics.booking()
    reply = logistics.api.post(booking.path, raw_body="{not json", user=booking.transporter)
    assert reply.status == 400 and reply.error["code"] == "MALFORMED_JSON"


def test_one_batch_per_interval_with_retry_after(logistics: Logistics) -> None:
    booking = logistics.booking()
    logistics.post(booking, logistics.fix(9000)).expect(200)
    logistics.clock.advance(3)
    limited = logistics.post(booking, logistics.fix(8900), free=False).expect(429, "POSITIONS_RATE_LIMITED")
    wait = tracking.MIN_BATCH_SECONDS - 3
    assert limited.headers["retry-after"] == str(wait)
    assert limited.error["details"]["retry_after_seconds"] == wait
    logistics.clock.advance(wait)
    logistics.post(booking, logistics.fix(8900), free=False).expect(200)
    other = logistics.booking()  # the bound is per booking
    logistics.post(other, logistics.fix(9000), free=False).expect(200)


def test_duplicates_across_batches_are_not_stored_twice(logistics: Logistics) -> None:
    booking = logistics.booking()
    first = [logistics.fix(10_000, -60), logistics.fix(9_500, -30)]
    assert logistics.post(booking, *first).expect(200).json["accepted"] == 2
    logistics.clock.advance(15)
    retried = logistics.post(booking, *first).expect(200).json  # the phone's retry, 15 s later
    assert (retried["accepted"], retried["dropped"]) == (2, 0)
    overlap = [first[1], logistics.fix(9_000, 0), logistics.fix(9_000, 0)]  # and the same second twice
    body = logistics.post(booking, *overlap).expect(200).json
    assert (body["accepted"], body["dropped"]) == (2, 1)
    assert len(logistics.fixes(booking)) == 3


def test_impossible_jumps_and_inaccurate_fixes_are_dropped(logistics: Logistics) -> None:
    booking = logistics.booking()
    body = (
        logistics.post(
            booking,
            logistics.fix(20_000, -120),
            logistics.fix(19_000, -90),
            logistics.fix(60_000, -60),  # 41 km in 30 s: a GPS glitch
            logistics.fix(18_000, -30, accuracy_m=500),  # too vague
            logistics.fix(18_000, 0, accuracy_m=12),
        )
        .expect(200)
        .json
    )
    assert (body["accepted"], body["dropped"]) == (3, 2)
    assert [f["at"] for f in logistics.fixes(booking)] == [logistics.clock.iso(s) for s in (-120, -90, 0)]


def test_arrival_within_400_m_is_published_once_and_the_buyer_is_told(logistics: Logistics, bus: Bus) -> None:
    booking = logistics.booking()
    outside = (
        logistics.post(booking, logistics.fix(1000, -30), logistics.fix(geo.GEOFENCE_M + 1, 0))
        .expect(200)
        .json
    )
    assert outside["arrived"] is False and "arrived_at" not in logistics.stored(booking)
    bus.drain()
    logistics.clock.advance(15)
    inside = (
        logistics.post(booking, logistics.fix(geo.GEOFENCE_M - 1, -10), logistics.fix(200, 0))
        .expect(200)
        .json
    )
    assert inside["arrived"] is True and inside["eta_minutes"] == 0
    assert logistics.stored(booking)["arrived_at"] == logistics.clock.iso(-10)
    logistics.clock.advance(15)
    again = logistics.post(booking, logistics.fix(100, -10), logistics.fix(50, 0)).expect(200).json
    assert again["arrived"] is True
    assert logistics.stored(booking)["arrived_at"] == logistics.clock.iso(-25)  # still the first

    events = bus.drain()
    types = [e["detail-type"] for e in events]
    assert types.count("TransportArrived") == 1 and types.count("TransportNoticeIssued") == 1
    assert types.count("TransportPositionUpdated") == 2
    arrived = TransportArrived.model_validate(
        next(e["detail"] for e in events if e["detail-type"] == "TransportArrived")
    )
    assert (arrived.booking_id, arrived.at) == (booking.id, logistics.clock.iso(-25))
    notice = TransportNoticeIssued.model_validate(
        next(e["detail"] for e in events if e["detail-type"] == "TransportNoticeIssued")
    )
    assert notice.user_id == booking.buyer.id and notice.category == "orders"
    assert all(len(t) <= SMS_LIMIT for t in (notice.sms.en, notice.sms.lg))


def test_a_late_batch_adds_to_the_track_without_moving_the_position(logistics: Logistics, bus: Bus) -> None:
    booking = logistics.booking()
    logistics.post(booking, logistics.fix(5000, 0)).expect(200)
    latest = logistics.stored(booking)["position"]
    bus.drain()
    logistics.clock.advance(15)
    body = logistics.post(booking, logistics.fix(5500, -40)).expect(200).json  # taken before the last
    assert body["accepted"] == 1 and body["position"] == latest
    assert logistics.stored(booking)["position"] == latest
    assert len(logistics.fixes(booking)) == 2 and bus.drain() == []
