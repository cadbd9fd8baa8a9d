"""Tracking's pure rules (dedup, sort, the jump and accuracy filter, smoothing, ETA, the geofence)
and the batch use case against an in-memory store."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from soko.logistics import geo, tracking
from soko.logistics.models import Booking, BookingStatus, Fix
from soko.logistics.tracking import FixIn, PositionsRequest, Tracking
from soko.shared import clock
from soko.shared.errors import Forbidden
from soko.shared.events import EventDetail
from soko.shared.identity import Caller
from soko.shared.notices import SMS_LIMIT
from soko.shared.places import EARTH_RADIUS_KM

NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)
PICKUP = (2.7724, 32.2881)  # Gulu
DROPOFF = (0.3476, 32.5825)  # Kampala
DEG_PER_KM = math.degrees(1 / EARTH_RADIUS_KM)


def at(seconds: float) -> datetime:
    return NOW + timedelta(seconds=seconds)


def south_of_dropoff(km: float) -> tuple[float, float]:
    """A point ``km`` north of the drop-off (the road from Gulu comes from the north)."""
    return (DROPOFF[0] + km * DEG_PER_KM, DROPOFF[1])


def fix_in(km_from_dropoff: float, seconds: float, accuracy_m: float | None = None) -> FixIn:
    lat, lon = south_of_dropoff(km_from_dropoff)
    return FixIn(lat=lat, lon=lon, at=at(seconds), accuracy_m=accuracy_m)


def stored_fix(km_from_dropoff: float, seconds: float) -> Fix:
    lat, lon = south_of_dropoff(km_from_dropoff)
    return Fix(lat=lat, lon=lon, at=clock.iso(at(seconds)))


def booking(status: BookingStatus = "picked_up", **fields: Any) -> Booking:
    values: dict[str, Any] = {
        "id": "01JBOOKING0000000000000000",
        "order_id": "01JORDER000000000000000000",
        "quote_id": "01JQUOTE000000000000000000",
        "vehicle_id": "01JVEHICLE0000000000000000",
        "vehicle_type": "pickup",
        "plate": "UBA 123X",
        "transporter_id": "T1",
        "transporter_name": "Okello",
        "buyer_id": "B1",
        "farmer_id": "F1",
        "booked_by": "B1",
        "status": status,
        "fare_ugx": 250_000,
        "distance_km": 340.0,
        "weight_kg": 500.0,
        "pickup_day": "2026-11-21",
        "pickup": {"district": "Gulu", "lat": PICKUP[0], "lon": PICKUP[1]},
        "dropoff": {"district": "Kampala", "lat": DROPOFF[0], "lon": DROPOFF[1]},
        "answer_by": "2026-11-21T10:00:00Z",
        "created_at": "2026-11-21T08:00:00Z",
        "updated_at": "2026-11-21T08:00:00Z",
        "version": 3,
        **fields,
    }
    return Booking.model_validate(values)


def run_filter(fixes: list[FixIn], **kwargs: Any) -> tracking.Filtered:
    return tracking.filter_fixes(fixes, now=at(600), not_before=at(-3600), retention_days=30, **kwargs)


# ---------------------------------------------------------------------------- the filter
def test_fixes_are_sorted_and_one_per_second_the_most_accurate_winning() -> None:
    late, early = fix_in(10, 60), fix_in(10.5, 0)
    same_second_vague = FixIn(lat=early.lat, lon=early.lon, at=at(0.4), accuracy_m=50)
    same_second_sharp = FixIn(lat=early.lat + 0.0001, lon=early.lon, at=at(0.9), accuracy_m=5)
    result = run_filter([late, same_second_vague, early, same_second_sharp])
    assert [f.at for f in result.new] == [clock.iso(at(0)), clock.iso(at(60))]
    assert result.new[0].lat == same_second_sharp.lat  # 5 m beats 50 m and no accuracy
    assert (result.accepted, result.dropped) == (2, 2)


def test_fixes_already_stored_are_accepted_but_not_new() -> None:
    fixes = [fix_in(10, 0), fix_in(9.5, 30), fix_in(9, 60)]
    result = run_filter(fixes, stored_times=frozenset({clock.iso(at(0)), clock.iso(at(30))}))
    assert [f.at for f in result.new] == [clock.iso(at(60))]
    assert (result.stored, result.accepted, result.dropped) == (2, 3, 0)
    anchored = run_filter(fixes, anchor=stored_fix(9, 60))  # the booking's position is the same second
    assert [f.at for f in anchored.new] == [clock.iso(at(0)), clock.iso(at(30))]
    assert anchored.stored == 1


def test_an_impossible_jump_is_dropped_and_the_next_fix_is_checked_against_the_last_kept() -> None:
    # 1 km per minute is 60 km/h; 10 km in a minute is 600 km/h
    fixes = [fix_in(20, 0), fix_in(19, 60), fix_in(9, 120), fix_in(18, 180)]
    result = run_filter(fixes)
    assert [f.at for f in result.new] == [clock.iso(at(s)) for s in (0, 60, 180)]
    assert result.dropped == 1


def test_the_stored_position_anchors_the_jump_check() -> None:
    result = run_filter([fix_in(5, 60)], anchor=stored_fix(20, 0))  # 15 km in a minute
    assert result.new == [] and result.dropped == 1
    ok = run_filter([fix_in(18, 60)], anchor=stored_fix(20, 0))  # 120 km/h
    assert len(ok.new) == 1


@pytest.mark.parametrize(("accuracy", "kept"), [(None, True), (100, True), (100.5, False), (2000, False)])
def test_inaccurate_fixes_are_dropped(accuracy: float | None, kept: bool) -> None:
    result = run_filter([fix_in(10, 0, accuracy)])
    assert (len(result.new), result.dropped) == ((1, 0) if kept else (0, 1))


def test_fixes_older_than_the_booking_or_the_retention_are_dropped() -> None:
    old = [fix_in(10, -7200), fix_in(10, 0)]  # two hours before "now - 10 min": before the booking
    assert run_filter(old).dropped == 1
    result = tracking.filter_fixes(
        [fix_in(10, -31 * 86400), fix_in(10, 0)], now=at(0), not_before=at(-40 * 86400), retention_days=30
    )
    assert (len(result.new), result.dropped) == (1, 1)


def test_a_fix_from_the_future_beyond_the_skew_refuses_the_batch() -> None:
    tracking.check_times([fix_in(1, tracking.FUTURE_SKEW_SECONDS)], NOW)
    with pytest.raises(tracking.FixInTheFuture) as refused:
        tracking.check_times([fix_in(1, 0), fix_in(1, tracking.FUTURE_SKEW_SECONDS + 1)], NOW)
    assert refused.value.status == 422
    assert refused.value.details["fields"][0]["field"] == "body.fixes.1.at"


# ---------------------------------------------------------------------------- speed and ETA
def test_smoothing_at_a_constant_speed_gives_that_speed() -> None:
    path = [stored_fix(10 - k, 60 * k) for k in range(6)]  # a km a minute
    assert tracking.smooth_speed(None, path) == pytest.approx(60, abs=0.2)


def test_smoothing_is_exponential_with_the_documented_alpha() -> None:
    path = [stored_fix(10, 0), stored_fix(9, 60)]  # 60 km/h
    assert tracking.SPEED_ALPHA == 0.3
    assert tracking.smooth_speed(30.0, path) == pytest.approx(0.3 * 60 + 0.7 * 30, abs=0.2)
    assert tracking.smooth_speed(30.0, path[:1]) == 30.0  # one fix: nothing new
    assert tracking.smooth_speed(None, path[:1]) is None


def test_segments_shorter_than_the_minimum_are_measured_from_the_fix_before() -> None:
    path = [stored_fix(10, 0), stored_fix(9.999, 1), stored_fix(9, 60)]
    assert tracking.smooth_speed(None, path) == pytest.approx(60, abs=0.2)


def test_eta_is_none_before_movement_floored_and_zero_inside_the_geofence() -> None:
    assert tracking.eta_minutes(10.0, None) is None
    assert tracking.eta_minutes(10.0, 60.0) == 10
    assert tracking.eta_minutes(10.0, 0.0) == 120  # at the 5 km/h floor, never infinite
    assert tracking.eta_minutes(0.2, 0.0, inside_geofence=True) == 0


def test_remaining_goes_through_the_pickup_until_picked_up() -> None:
    here = stored_fix(50, 0)
    picked = tracking.remaining_km(here, "picked_up", PICKUP, DROPOFF)
    assert picked == pytest.approx(50 * geo.ROAD_FACTOR, abs=0.05)
    accepted = tracking.remaining_km(here, "accepted", PICKUP, DROPOFF)
    assert accepted == pytest.approx(
        geo.road_km(here_point := (here.lat, here.lon), PICKUP) + geo.road_km(PICKUP, DROPOFF), abs=0.05
    )
    assert here_point and accepted > picked


def test_the_eta_falls_as_the_vehicle_approaches() -> None:
    current = booking()
    etas: list[int | None] = []
    for minute in range(0, 40, 5):  # 1 km a minute towards Kampala from 40 km out
        tracked = tracking.track(current, [stored_fix(40 - minute, 60 * minute)])
        assert tracked is not None
        etas.append(tracked.eta_minutes)
        current = current.model_copy(
            update={
                "position": tracked.position,
                "speed_kmh": tracked.speed_kmh,
                "eta_minutes": tracked.eta_minutes,
            }
        )
    assert etas[0] is None  # the first fix: no movement yet
    moving = [e for e in etas if e is not None]
    assert moving == sorted(moving, reverse=True) and len(set(moving)) == len(moving)
    assert moving[-1] <= 10


def test_an_older_batch_does_not_move_the_position() -> None:
    current = booking(position=stored_fix(5, 600).model_dump(), speed_kmh=40.0)
    assert tracking.track(current, [stored_fix(6, 500)]) is None


# ---------------------------------------------------------------------------- the geofence
def test_arrival_is_the_first_fix_within_400_metres() -> None:
    outside, inside, closer = stored_fix(0.401, 0), stored_fix(0.399, 30), stored_fix(0.1, 60)
    assert tracking.first_arrival([closer, outside, inside], DROPOFF) == inside
    assert tracking.first_arrival([outside], DROPOFF) is None


def test_the_arrival_notice_is_in_both_languages_and_one_sms() -> None:
    events = tracking.arrival_events(booking(), stored_fix(0.2, 0))
    arrived, notice = events
    assert arrived.DETAIL_TYPE == "TransportArrived" and notice.DETAIL_TYPE == "TransportNoticeIssued"
    assert notice.user_id == "B1" and notice.notice_id == "transport-arrived:01JBOOKING0000000000000000"
    for text in (notice.sms.en, notice.sms.lg):
        assert len(text) <= SMS_LIMIT and "UBA 123X" in text
    assert "400" in notice.body.en and "400" in notice.body.lg


# ---------------------------------------------------------------------------- the use case
class MemoryStore:
    def __init__(self, item: Booking) -> None:
        self.item = item
        self.fixes: dict[str, tuple[Fix, int]] = {}
        self.next_at = 0

    def booking(self, booking_id: str) -> Booking | None:
        return self.item if booking_id == self.item.id else None

    def claim_batch(self, booking_id: str, now: int, interval_seconds: int) -> int:
        if self.next_at > now:
            return self.next_at - now
        self.next_at = now + interval_seconds
        return 0

    def stored_times(self, booking_id: str, first: str, last: str) -> frozenset[str]:
        return frozenset(t for t in self.fixes if first <= t <= last)

    def put_fixes(self, booking_id: str, fixes: list[Fix], expires_at: dict[str, int]) -> None:
        self.fixes.update({f.at: (f, expires_at[f.at]) for f in fixes})

    def update_tracking(
        self, booking_id: str, statuses: tuple[str, ...], state: dict[str, Any] | None, arrival: Fix | None
    ) -> tuple[bool, bool]:
        if self.item.status not in statuses:
            return False, False
        written = state is not None and (
            self.item.position is None or self.item.position.at < state["position"]["at"]
        )
        if written:
            assert state is not None
            self.item = self.item.model_copy(
                update={**state, "position": Fix.model_validate(state["position"])}
            )
        arrived = arrival is not None and self.item.arrived_at is None
        if arrived:
            assert arrival is not None
            self.item = self.item.model_copy(update={"arrived_at": arrival.at})
        return written, arrived

    def undo_arrival(self, booking_id: str, arrived_at: str) -> None:
        if self.item.arrived_at == arrived_at:
            self.item = self.item.model_copy(update={"arrived_at": None})


class MemoryBus:
    def __init__(self, fail: bool = False) -> None:
        self.events: list[EventDetail] = []
        self.fail = fail

    def publish(self, events: list[EventDetail]) -> None:
        if self.fail:
            raise RuntimeError("the bus is down")
        self.events += events


TRANSPORTER = Caller(user_id="T1", role="transporter", email="t@example.com")


@pytest.fixture
def now(monkeypatch: pytest.MonkeyPatch) -> list[datetime]:
    moment = [at(600)]
    monkeypatch.setattr(clock, "now", lambda: moment[0])
    return moment


def send(deps: Tracking, *fixes: FixIn, caller: Caller = TRANSPORTER) -> tracking.PositionsResult:
    return tracking.post_positions(
        caller, "01JBOOKING0000000000000000", PositionsRequest(fixes=list(fixes)), deps
    )


def test_a_batch_is_stored_with_its_ttl_and_moves_the_booking(now: list[datetime]) -> None:
    store, bus = MemoryStore(booking()), MemoryBus()
    deps = Tracking(store, bus, retention_days=30)
    result = send(deps, fix_in(30, 0), fix_in(29, 60), fix_in(28, 120))
    assert (result.accepted, result.dropped, result.arrived) == (3, 0, False)
    assert result.position == stored_fix(28, 120)
    assert result.speed_kmh == pytest.approx(60, abs=0.5) and result.eta_minutes == math.ceil(28 * 1.3)
    _, ttl = store.fixes[clock.iso(at(0))]
    assert ttl == int(at(0).timestamp()) + 30 * 86400
    assert [e.DETAIL_TYPE for e in bus.events] == ["TransportPositionUpdated"]


def test_the_rate_bound_and_arrival_once(now: list[datetime]) -> None:
    store, bus = MemoryStore(booking()), MemoryBus()
    deps = Tracking(store, bus)
    send(deps, fix_in(1, 0), fix_in(0.5, 30))
    with pytest.raises(tracking.PositionsRateLimited) as limited:
        send(deps, fix_in(0.3, 60))
    assert limited.value.retry_after_seconds == tracking.MIN_BATCH_SECONDS
    now[0] += timedelta(seconds=tracking.MIN_BATCH_SECONDS)
    first = send(deps, fix_in(0.3, 60), fix_in(0.2, 90))
    assert first.arrived and first.eta_minutes == 0 and store.item.arrived_at == clock.iso(at(60))
    now[0] += timedelta(seconds=tracking.MIN_BATCH_SECONDS)
    assert send(deps, fix_in(0.1, 120)).arrived
    assert [e.DETAIL_TYPE for e in bus.events].count("TransportArrived") == 1
    assert [e.DETAIL_TYPE for e in bus.events].count("TransportNoticeIssued") == 1


def test_an_accepted_booking_does_not_arrive(now: list[datetime]) -> None:
    store, bus = MemoryStore(booking("accepted")), MemoryBus()
    result = send(Tracking(store, bus), fix_in(0.1, 0))
    assert not result.arrived and store.item.arrived_at is None


def test_an_arrival_whose_event_fails_is_undone_so_the_retry_arrives(now: list[datetime]) -> None:
    store = MemoryStore(booking())
    with pytest.raises(RuntimeError):
        send(Tracking(store, MemoryBus(fail=True)), fix_in(0.2, 0))
    assert store.item.arrived_at is None


def test_only_the_bookings_transporter_while_tracked(now: list[datetime]) -> None:
    deps = Tracking(MemoryStore(booking()), MemoryBus())
    with pytest.raises(Forbidden):
        send(deps, fix_in(1, 0), caller=Caller(user_id="B1", role="buyer", email=""))
    with pytest.raises(tracking.BookingNotFound):
        send(deps, fix_in(1, 0), caller=Caller(user_id="T2", role="transporter", email=""))
    ended = Tracking(MemoryStore(booking("delivered")), MemoryBus())
    with pytest.raises(tracking.BookingNotInTransit) as refused:
        send(ended, fix_in(1, 0))
    assert refused.value.details == {"status": "delivered"}
