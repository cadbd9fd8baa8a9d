"""GPS tracking of a booking: the fix filter, speed smoothing, the ETA and the drop-off's geofence
(pure functions), and the use case that ingests a batch of fixes (``post_positions``) through
narrow ports.

The rules, each a named constant:

- **A batch** holds 1 to :data:`MAX_FIXES` fixes; a booking takes at most one batch every
  :data:`MIN_BATCH_SECONDS` (claimed with one conditional write, so two concurrent batches never
  both pass; the loser gets 429 with ``Retry-After``). A phone that records a fix every few seconds
  sends them together, so the bound costs nothing and keeps a buggy client from hammering the table.
- **Times** are kept to the second (the API's convention). A fix more than
  :data:`FUTURE_SKEW_SECONDS` ahead of the server's clock means the phone's clock is wrong: the
  batch is refused (422), since every other fix of it is suspect too. A fix older than the
  retention (``PositionRetentionDays``) or than the booking is dropped (a phone emptying an old
  offline queue is not an error).
- **De-duplication**: fixes of the same second are one (the most accurate wins); a fix already
  stored (the same second, from an earlier batch or a retry) is not written again and counts as
  accepted, so a retried batch gets the same answer.
- **Filter**: a fix with ``accuracy_m`` worse than :data:`MAX_ACCURACY_M` is dropped, and so is a fix
  that implies a speed above :data:`MAX_SPEED_KMH` from the fix before it in time (the last one
  kept, or the booking's stored position): a GPS glitch, not a lorry. Limitation: the first fix of
  a booking has nothing to be checked against.
- **Speed**: exponential smoothing of the fix-to-fix speeds, oldest first:
  ``speed = SPEED_ALPHA x segment + (1 - SPEED_ALPHA) x speed`` (the first segment's speed starts
  it), over the booking's stored speed and position; segments shorter than
  :data:`MIN_SEGMENT_SECONDS` are skipped (GPS jitter over a second reads as tens of km/h).
- **Remaining distance** to the drop-off by road (:func:`soko.logistics.geo.road_km`); while the
  booking is ``accepted`` the route still goes through the pickup, so it is position -> pickup ->
  drop-off.
- **ETA** = remaining / max(speed, :data:`FLOOR_SPEED_KMH`), in whole minutes rounded up; None
  before the vehicle has moved (no speed yet); 0 inside the geofence.
- **Arrival**: the first fix (in time) of a ``picked_up`` booking within
  :data:`soko.logistics.geo.GEOFENCE_M` of the drop-off (an ``accepted`` vehicle passing the buyer
  on its way to the farm has not arrived: it carries nothing yet).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from soko.logistics import geo
from soko.logistics.events import TransportArrived, TransportNoticeIssued, TransportPositionUpdated
from soko.logistics.models import Booking, BookingStatus, Fix
from soko.shared import clock
from soko.shared.config import BaseConfig
from soko.shared.errors import Conflict, NotFound, TooManyRequests, Unprocessable
from soko.shared.events import EventDetail
from soko.shared.identity import Caller
from soko.shared.notices import Texts
from soko.shared.observability import logger

MAX_FIXES = 100
MIN_BATCH_SECONDS = 10
FUTURE_SKEW_SECONDS = 120
MAX_ACCURACY_M = 100.0
MAX_SPEED_KMH = 150.0
SPEED_ALPHA = 0.3
MIN_SEGMENT_SECONDS = 3
FLOOR_SPEED_KMH = 5.0  # walking pace: an ETA is never infinite, even in a jam
DEFAULT_RETENTION_DAYS = 30
TRACKING: tuple[BookingStatus, ...] = ("accepted", "picked_up")


# ---------------------------------------------------------------------------- requests and answers
class FixIn(BaseModel):
    """One GPS fix as the transporter's phone sends it."""

    model_config = ConfigDict(extra="forbid")

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    at: AwareDatetime = Field(description="when the fix was taken (ISO 8601 with a zone; kept to the second)")
    accuracy_m: float | None = Field(
        default=None,
        gt=0,
        le=100_000,
        description=f"the phone's accuracy radius; a fix worse than {MAX_ACCURACY_M:g} m is dropped",
    )


class PositionsRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fixes: list[FixIn] = Field(min_length=1, max_length=MAX_FIXES)


class PositionsResult(BaseModel):
    """What a batch did, and the booking's tracking state after it."""

    accepted: int = Field(ge=0, description="fixes of the batch now in the track (new, or stored before)")
    dropped: int = Field(
        ge=0, description="fixes refused: same second as another, too old, inaccurate, impossible jump"
    )
    position: Fix | None = Field(description="the booking's latest position")
    speed_kmh: float | None = Field(ge=0, description="smoothed speed; null before the vehicle moved")
    eta_minutes: int | None = Field(ge=0, description="to the drop-off; null before the vehicle moved")
    remaining_km: float | None = Field(
        ge=0, description="by road to the drop-off (via the pickup if not picked up)"
    )
    arrived: bool = Field(description="the vehicle has come within the drop-off's geofence")


# ---------------------------------------------------------------------------- errors
class BookingNotFound(NotFound):
    code = "BOOKING_NOT_FOUND"


class BookingNotInTransit(Conflict):
    code = "BOOKING_NOT_IN_TRANSIT"


class FixInTheFuture(Unprocessable):
    code = "FIX_IN_THE_FUTURE"


class PositionsRateLimited(TooManyRequests):
    code = "POSITIONS_RATE_LIMITED"


# ---------------------------------------------------------------------------- pure functions
def fix_time(at: datetime) -> datetime:
    """A fix's time as kept: UTC, to the second."""
    return at.astimezone(UTC).replace(microsecond=0)


def check_times(fixes: list[FixIn], now: datetime) -> None:
    """Refuse a batch with a fix from the future (beyond the skew): the phone's clock is wrong."""
    limit = now + timedelta(seconds=FUTURE_SKEW_SECONDS)
    for index, fix in enumerate(fixes):
        if fix_time(fix.at) > limit:
            raise FixInTheFuture(
                f"A fix is more than {FUTURE_SKEW_SECONDS} seconds in the future: check the phone's clock.",
                details={
                    "fields": [
                        {
                            "field": f"body.fixes.{index}.at",
                            "type": "future",
                            "message": f"at most {FUTURE_SKEW_SECONDS} s after the server's time",
                        }
                    ]
                },
            )


def _parse(at: str) -> datetime:
    return datetime.fromisoformat(at.replace("Z", "+00:00"))


def _point(fix: Fix) -> geo.Point:
    return (fix.lat, fix.lon)


def implied_speed_kmh(a: Fix, b: Fix) -> float:
    """The speed needed to go from ``a`` to ``b`` (straight line; infinite for the same second)."""
    seconds = abs((_parse(b.at) - _parse(a.at)).total_seconds())
    km = geo.straight_km(_point(a), _point(b))
    if seconds == 0:
        return math.inf if km > 0 else 0.0
    return km / (seconds / 3600)


@dataclass
class Filtered:
    """A batch after the filter: ``new`` to store (oldest first), ``stored`` already in the track,
    ``dropped`` refused."""

    new: list[Fix] = field(default_factory=list)
    stored: int = 0
    dropped: int = 0

    @property
    def accepted(self) -> int:
        return len(self.new) + self.stored


def filter_fixes(
    fixes: list[FixIn],
    *,
    now: datetime,
    not_before: datetime,
    retention_days: int,
    anchor: Fix | None = None,
    stored_times: frozenset[str] = frozenset(),
) -> Filtered:
    """De-duplicate, sort and filter a batch (see the module's rules). ``anchor``: the booking's
    stored latest position; ``stored_times``: the times (ISO) of fixes already stored around the
    batch's."""
    out = Filtered()
    oldest = max(now - timedelta(days=retention_days), not_before)
    by_second: dict[str, FixIn] = {}
    for fix in fixes:
        at = fix_time(fix.at)
        if at < oldest or (fix.accuracy_m is not None and fix.accuracy_m > MAX_ACCURACY_M):
            out.dropped += 1
            continue
        key = clock.iso(at)
        kept = by_second.get(key)
        if kept is None:
            by_second[key] = fix
            continue
        out.dropped += 1  # the same second twice: keep the more accurate
        if (fix.accuracy_m or MAX_ACCURACY_M) < (kept.accuracy_m or MAX_ACCURACY_M):
            by_second[key] = fix
    previous: Fix | None = None
    for second in sorted(by_second):
        candidate = Fix(lat=by_second[second].lat, lon=by_second[second].lon, at=second)
        if anchor is not None and anchor.at < second and (previous is None or previous.at < anchor.at):
            previous = anchor  # the stored position lies between the previous fix and this one
        if second in stored_times or (anchor is not None and anchor.at == second):
            out.stored += 1
            previous = candidate
            continue
        if previous is not None and implied_speed_kmh(previous, candidate) > MAX_SPEED_KMH:
            out.dropped += 1
            continue
        out.new.append(candidate)
        previous = candidate
    return out


def smooth_speed(previous: float | None, path: list[Fix]) -> float | None:
    """Exponential smoothing of the fix-to-fix speeds along ``path`` (oldest first), starting from
    ``previous`` (None: the first segment's speed starts it)."""
    speed = previous
    start = path[0] if path else None
    for fix in path[1:]:
        assert start is not None
        seconds = (_parse(fix.at) - _parse(start.at)).total_seconds()
        if seconds < MIN_SEGMENT_SECONDS:
            continue  # too short to tell speed from jitter: measured from ``start`` at the next fix
        segment = geo.straight_km(_point(start), _point(fix)) / (seconds / 3600)
        speed = segment if speed is None else SPEED_ALPHA * segment + (1 - SPEED_ALPHA) * speed
        start = fix
    return None if speed is None else round(speed, 1)


def remaining_km(position: Fix, status: BookingStatus, pickup: geo.Point, dropoff: geo.Point) -> float:
    """By road to the drop-off: through the pickup while the produce is not yet on board."""
    here = _point(position)
    if status == "picked_up":
        return round(geo.road_km(here, dropoff), 2)
    return round(geo.road_km(here, pickup) + geo.road_km(pickup, dropoff), 2)


def eta_minutes(remaining: float, speed_kmh: float | None, *, inside_geofence: bool = False) -> int | None:
    """Minutes to the drop-off: None before any movement, 0 inside the geofence, else the remaining
    distance at the smoothed speed (at least FLOOR_SPEED_KMH), rounded up."""
    if inside_geofence:
        return 0
    if speed_kmh is None:
        return None
    return math.ceil(remaining / max(speed_kmh, FLOOR_SPEED_KMH) * 60)


def first_arrival(fixes: list[Fix], dropoff: geo.Point) -> Fix | None:
    """The first fix (in time) within the drop-off's geofence."""
    return next(
        (f for f in sorted(fixes, key=lambda f: f.at) if geo.within_geofence(_point(f), dropoff)), None
    )


@dataclass(frozen=True)
class Tracked:
    """The booking's tracking attributes after a batch (what the booking item is updated with)."""

    position: Fix
    speed_kmh: float | None
    eta_minutes: int | None
    remaining_km: float

    def stored(self) -> dict[str, Any]:
        return {
            "position": self.position.model_dump(),
            "speed_kmh": self.speed_kmh,
            "eta_minutes": self.eta_minutes,
            "remaining_km": self.remaining_km,
        }


def track(booking: Booking, new: list[Fix]) -> Tracked | None:
    """The booking's new tracking state from the batch's new fixes (None when none is newer than
    its stored position: an old batch arriving late adds to the track only)."""
    anchor = booking.position
    newer = [f for f in new if anchor is None or f.at > anchor.at]
    if not newer:
        return None
    path = ([anchor] if anchor is not None else []) + newer
    speed = smooth_speed(booking.speed_kmh, path)
    latest = newer[-1]
    dropoff = (booking.dropoff.lat, booking.dropoff.lon)
    remaining = remaining_km(latest, booking.status, (booking.pickup.lat, booking.pickup.lon), dropoff)
    inside = booking.status == "picked_up" and geo.within_geofence(_point(latest), dropoff)
    return Tracked(latest, speed, eta_minutes(remaining, speed, inside_geofence=inside), remaining)


# ---------------------------------------------------------------------------- events
def _parties(booking: Booking) -> dict[str, object]:
    return {
        "booking_id": booking.id,
        "order_id": booking.order_id,
        "transporter_id": booking.transporter_id,
        "buyer_id": booking.buyer_id,
        "farmer_id": booking.farmer_id,
        "fare_ugx": booking.fare_ugx,
    }


ARRIVED_TITLE = Texts(en="Your produce has arrived", lg="Ebirime byo bituuse")
ARRIVED_BODY = Texts(
    en="The driver of {plate} is within {m} m of your drop-off point. Have your delivery PIN ready.",
    lg="Omuvuzi wa {plate} ali mu mita {m} okuva w'ebirime byo bituukira. Tegeka PIN yo ey'okukakasa.",
)
ARRIVED_SMS = Texts(
    en="Soko: your produce has arrived. The driver ({plate}) is near your drop-off point. "
    "Have your delivery PIN ready.",
    lg="Soko: ebirime byo bituuse. Omuvuzi ({plate}) ali kumpi n'w'obitwala. Tegeka PIN yo ey'okukakasa.",
)


def arrival_events(booking: Booking, fix: Fix) -> tuple[TransportArrived, TransportNoticeIssued]:
    """``TransportArrived`` and the buyer's notice (EN + Luganda; the SMS is one part)."""

    def fill(texts: Texts) -> Texts:
        return Texts(
            en=texts.en.format(plate=booking.plate, m=geo.GEOFENCE_M),
            lg=texts.lg.format(plate=booking.plate, m=geo.GEOFENCE_M),
        )

    return (
        TransportArrived(**_parties(booking), lat=fix.lat, lon=fix.lon, at=fix.at),
        TransportNoticeIssued(
            notice_id=f"transport-arrived:{booking.id}",
            user_id=booking.buyer_id,
            category="orders",
            title=ARRIVED_TITLE,
            body=fill(ARRIVED_BODY),
            sms=fill(ARRIVED_SMS),
            data={"booking_id": booking.id, "order_id": booking.order_id},
        ),
    )


def position_event(booking: Booking, tracked: Tracked) -> TransportPositionUpdated:
    return TransportPositionUpdated(
        **_parties(booking),
        lat=tracked.position.lat,
        lon=tracked.position.lon,
        at=tracked.position.at,
        speed_kmh=tracked.speed_kmh,
        eta_minutes=tracked.eta_minutes,
        remaining_km=tracked.remaining_km,
    )


# ---------------------------------------------------------------------------- the use case
class PositionStore(Protocol):
    def booking(self, booking_id: str) -> Booking | None: ...

    def claim_batch(self, booking_id: str, now: int, interval_seconds: int) -> int:
        """Claim the booking's next batch slot: 0 when claimed, else the seconds until the next."""
        ...

    def stored_times(self, booking_id: str, first: str, last: str) -> frozenset[str]: ...

    def put_fixes(self, booking_id: str, fixes: list[Fix], expires_at: dict[str, int]) -> None: ...

    def update_tracking(
        self,
        booking_id: str,
        statuses: tuple[BookingStatus, ...],
        state: dict[str, Any] | None,
        arrival: Fix | None,
    ) -> tuple[bool, bool]:
        """Write the booking's tracking ``state`` if its position is newer than the stored one, and
        ``arrived_at`` from ``arrival`` if not set yet, while the booking is in one of ``statuses``:
        (state written, arrival set by this call)."""
        ...

    def undo_arrival(self, booking_id: str, arrived_at: str) -> None: ...


class Publisher(Protocol):
    def publish(self, events: list[EventDetail]) -> None: ...


@dataclass(frozen=True)
class Tracking:
    store: PositionStore
    publisher: Publisher
    retention_days: int = DEFAULT_RETENTION_DAYS


def _tracked_booking(caller: Caller, booking_id: str, deps: Tracking) -> Booking:
    caller.require("transporter")
    booking = deps.store.booking(booking_id)
    if booking is None or booking.transporter_id != caller.user_id:
        raise BookingNotFound("No such booking among your jobs.")
    if booking.status not in TRACKING:
        raise BookingNotInTransit(
            "Positions are taken only while a booking is accepted or picked up.",
            details={"status": booking.status},
        )
    return booking


def post_positions(
    caller: Caller, booking_id: str, request: PositionsRequest, deps: Tracking
) -> PositionsResult:
    """Ingest a batch of fixes: validate, claim the rate slot, filter, store the new fixes with their
    TTL, update the booking's tracking state, and publish (arrival once; a position update per batch
    that moved the booking's position)."""
    booking = _tracked_booking(caller, booking_id, deps)
    now = clock.now()
    check_times(request.fixes, now)
    wait = deps.store.claim_batch(booking_id, int(now.timestamp()), MIN_BATCH_SECONDS)
    if wait > 0:
        raise PositionsRateLimited(
            f"At most one batch of positions every {MIN_BATCH_SECONDS} seconds per booking.",
            retry_after_seconds=wait,
        )
    times = sorted(clock.iso(fix_time(f.at)) for f in request.fixes)
    filtered = filter_fixes(
        request.fixes,
        now=now,
        not_before=_parse(booking.created_at),
        retention_days=deps.retention_days,
        anchor=booking.position,
        stored_times=deps.store.stored_times(booking_id, times[0], times[-1]),
    )
    ttl = {f.at: int(_parse(f.at).timestamp()) + deps.retention_days * 86400 for f in filtered.new}
    deps.store.put_fixes(booking_id, filtered.new, ttl)
    tracked = track(booking, filtered.new)
    arrival = None
    if booking.status == "picked_up" and booking.arrived_at is None:
        arrival = first_arrival(filtered.new, (booking.dropoff.lat, booking.dropoff.lon))
    state = tracked.stored() if tracked is not None else None
    written, arrived_now = deps.store.update_tracking(booking_id, TRACKING, state, arrival)
    if arrived_now and arrival is not None:
        try:
            deps.publisher.publish(list(arrival_events(booking, arrival)))
        except Exception:
            # The arrival and its event go together: forget it, so the phone's retry arrives again.
            deps.store.undo_arrival(booking_id, arrival.at)
            raise
    if written and tracked is not None:
        try:
            deps.publisher.publish([position_event(booking, tracked)])
        except Exception:  # a live view's update: the booking holds the truth, the next batch repeats it
            logger.warning("could not publish a position update", extra={"booking_id": booking_id})
    now_tracked = tracked if written else None
    return PositionsResult(
        accepted=filtered.accepted,
        dropped=filtered.dropped,
        position=now_tracked.position if now_tracked else booking.position,
        speed_kmh=now_tracked.speed_kmh if now_tracked else booking.speed_kmh,
        eta_minutes=now_tracked.eta_minutes if now_tracked else booking.eta_minutes,
        remaining_km=now_tracked.remaining_km if now_tracked else booking.remaining_km,
        arrived=booking.arrived_at is not None or arrived_now,
    )


class TrackingConfig(BaseConfig):
    """``POST /transport/bookings/{id}/positions``: the table, the bus and the fixes' retention."""

    logistics_table_name: str = Field(min_length=1)
    event_bus_name: str = Field(min_length=1)
    position_retention_days: int = Field(default=DEFAULT_RETENTION_DAYS, ge=1, le=365)
