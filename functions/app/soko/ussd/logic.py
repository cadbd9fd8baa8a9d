"""USSD rules: a request's screen from its input history, sessions, once-only changes and PINs.

The menu itself is :mod:`soko.ussd.menu`; this module gives it the world (:class:`CallerServices`).
USSD is a channel, like the HTTP API: it reads accounts through identity's public interface and
runs identity's and the marketplace's use cases (registration and language; orders and listings)
through their logic, and prices through the price layer's public forecast; a transporter's jobs
through logistics' public reads and its booking steps, and their vehicles through its vehicle
registration (:mod:`soko.ussd.transport`). No business rule of
theirs is repeated here. Market and price code is imported on first use: most screens need
neither, and it stays off the cold start.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from soko.identity.public import PhoneTaken, Users, hash_secret, verify_secret
from soko.shared import clock
from soko.shared.errors import Conflict, Forbidden, NotFound, Unprocessable
from soko.shared.identity import Caller
from soko.shared.observability import logger
from soko.ussd import menu, screens
from soko.ussd.dal import UssdDal
from soko.ussd.models import (
    MAX_PARTS,
    SESSION_SECONDS,
    JobLine,
    ListingLine,
    Member,
    MenuState,
    OrderLine,
    PinCheck,
    PriceOutlook,
    Reply,
    UssdConfig,
    UssdRequest,
)
from soko.ussd.texts import Language

if TYPE_CHECKING:
    from soko.alerts.logic import Alerts
    from soko.coops.logic import Coops
    from soko.identity.logic import Identity
    from soko.identity.models import SelfRegisteredRole
    from soko.logistics.public import LogisticsReads
    from soko.logistics.steps import StepDeps
    from soko.logistics.vehicles import VehicleStore
    from soko.market.logic import Market
    from soko.market.public import MarketReads
    from soko.ml.public import PriceReader
    from soko.weather.public import DistrictWeather

PIN_MAX_TRIES = 3
PIN_LOCK_SECONDS = 15 * 60


@dataclass
class Ussd:
    """What the USSD logic needs, injected by the handler (and by tests)."""

    config: UssdConfig
    dal: UssdDal
    users: Users
    identity: Callable[[], Identity]
    market: Callable[[], Market]
    prices: Callable[[], PriceReader]
    alerts: Callable[[], Alerts] | None = None  # price alerts (menu 7)
    weather: Callable[[str], DistrictWeather] | None = None  # a district's forecast (menu 8)
    # a transporter's jobs (menu 2): logistics' reads, the market's (each job's crop), and the
    # dependencies of logistics' booking steps (soko.logistics.steps)
    logistics: Callable[[], LogisticsReads] | None = None
    market_reads: Callable[[], MarketReads] | None = None
    steps: Callable[[bool], StepDeps] | None = None  # with the market's handover when True
    vehicles: Callable[[], VehicleStore] | None = None  # "3 Add vehicle": logistics' vehicle store
    coops: Callable[[], Coops] | None = None  # "9 My coop": the coops domain's use cases


def history_key(session_id: str, parts: list[str]) -> str:
    """A session's input history, hashed: the session item never holds the inputs (PINs)."""
    return hashlib.sha256(f"{session_id}\x00{'*'.join(parts)}".encode()).hexdigest()


# ---------------------------------------------------------------------------- the request
def respond(request: UssdRequest, deps: Ussd) -> Reply:
    parts = request.parts
    now = clock.epoch()
    session = deps.dal.get_session(request.session_id)
    if session is not None and session.get("phone") != request.phone_number:
        session = None  # another phone with this session id: it starts its own history
    services = CallerServices(request, deps, language=session.get("language") if session else None)
    if len(parts) > MAX_PARTS:
        return screens.too_long(services.language)
    key = history_key(request.session_id, parts)
    if session is not None and session.get("key") == key:
        return Reply.model_validate(session["reply"])  # a retry: the same screen, nothing redone
    state, start = None, 0
    if session is not None and parts and session.get("key") == history_key(request.session_id, parts[:-1]):
        state, start = MenuState.model_validate(session["state"]), len(parts) - 1  # one step on
    state = menu.fold(parts, services, state, start)
    reply = screens.render(state, services.language)
    deps.dal.put_session(
        request.session_id,
        {
            "phone": request.phone_number,
            "key": key,
            "state": state.model_dump(mode="json"),
            "reply": reply.model_dump(),
            "language": services.language,
        },
        now + SESSION_SECONDS,
    )
    return reply


# ---------------------------------------------------------------------------- the menu's world
class _NoImages:
    """USSD shows no images: listings are read without presigning their image URLs."""

    def upload_form(self, key: str, content_type: str, max_bytes: int, expires_in: int) -> dict[str, Any]:
        raise NotImplementedError

    def view_url(self, key: str) -> str:
        return ""


class CallerServices:
    """The caller's view of Soko, for one request (implements :class:`soko.ussd.menu.Services`)."""

    language: Language

    def __init__(self, request: UssdRequest, deps: Ussd, language: Any = None):
        self.request, self.deps = request, deps
        self._member: Member | None = None
        self._looked_up = False
        if language in ("en", "lg"):
            self.language = language
        else:
            member = self.member()
            saved = member.language if member else deps.dal.get_language(request.phone_number)
            self.language = "lg" if saved == "lg" else "en"

    # ------------------------------------------------------------------ reads
    def member(self) -> Member | None:
        if not self._looked_up:
            self._looked_up = True
            # only a verified phone names an account (identity's by_phone); a suspended one acts on nothing
            user = self.deps.users.by_phone(self.request.phone_number)
            if user is not None and not user.suspended:
                self._member = Member(
                    user_id=user.id,
                    role=user.role,
                    email=user.email,
                    name=(user.full_name or "")[:30] or "Soko user",
                    district=user.district,
                    language=user.language,
                    has_pin=self.deps.dal.get_pin(user.id) is not None,
                )
        return self._member

    def _caller(self) -> Caller:
        member = self.member()
        assert member is not None  # the menu asks only for a registered caller
        return Caller(user_id=member.user_id, role=member.role, email=member.email or "")

    def caller(self) -> Caller:
        """The registered caller, as the use cases they run take them."""
        return self._caller()

    def input_at(self, position: int) -> str:
        """An input of the history by its position (a PIN or code is read so, never kept)."""
        return self.request.parts[position]

    def forecast(self, crop_id: str, market_id: str) -> PriceOutlook | None:
        reader = self.deps.prices()
        forecast = reader.forecast(market_id, crop_id, weeks_ahead=4)
        if forecast is None:
            return None
        return PriceOutlook(
            weeks=[(week.week_start, week.price) for week in forecast.predictions],
            data_through=forecast.data_through,
            age_days=forecast.data_age_days,
            stale=forecast.stale,
            last_price=forecast.last_price,
            last_price_day=forecast.last_price_day,
            last_price_age_days=reader.freshness(forecast.last_price_day).age_days,
        )

    def _orders(self, incoming: bool, limit: int) -> list[OrderLine]:
        from soko.market.logic import list_orders  # noqa: PLC0415
        from soko.market.models import PAID  # noqa: PLC0415

        page = list_orders(self._caller(), incoming, 50 if incoming else limit, None, self.deps.market())
        # a farmer's orders to act on: to answer (pending), to dispatch or deliver, or to enter the
        # buyer's delivery code on (paid)
        orders = (
            [
                o
                for o in page.items
                if o.status == "pending" or (o.status in PAID_TO_ACT_ON and o.payment_status == PAID)
            ]
            if incoming
            else page.items
        )
        return [
            OrderLine(
                id=o.id,
                crop=o.crop,
                kg=screens.kg_text(o.quantity_kg),
                price=o.price_per_kg,
                total=o.total_ugx,
                status=o.status,
                paid=o.payment_status == PAID,
            )
            for o in orders[:limit]
        ]

    def pending_orders(self, limit: int) -> list[OrderLine]:
        return self._orders(True, limit)

    def my_orders(self, limit: int) -> list[OrderLine]:
        return self._orders(False, limit)

    def my_listings(self, limit: int) -> list[ListingLine]:
        from soko.market.logic import BrowseFilters, browse  # noqa: PLC0415

        member = self.member()
        assert member is not None
        page = browse(BrowseFilters(farmer_id=member.user_id), limit, None, self.deps.market())
        return [
            ListingLine(id=x.id, crop=x.crop, kg=screens.kg_text(x.quantity_kg), price=x.price_per_kg)
            for x in page.items
        ]

    def my_alerts(self, limit: int) -> list[dict[str, Any]]:
        return my_alerts(self, limit)

    def my_jobs(self, limit: int) -> list[JobLine]:
        from soko.ussd import transport  # noqa: PLC0415

        return transport.my_jobs(self, limit)

    def _job(self, args: dict[str, Any]) -> str:
        from soko.ussd import transport  # noqa: PLC0415

        return transport.job_step(self, args)

    def _job_deliver(self, args: dict[str, Any]) -> str:
        from soko.ussd import transport  # noqa: PLC0415

        return transport.job_deliver(self, args)

    def _add_vehicle(self, args: dict[str, Any]) -> str:
        from soko.ussd import transport  # noqa: PLC0415

        return transport.add_vehicle(self, args)

    def my_coops(self, limit: int) -> list[dict[str, Any]]:
        from soko.ussd import coops  # noqa: PLC0415

        return coops.my_coops(self, limit)

    def coop_allocations(self, coop_id: str, limit: int) -> list[dict[str, Any]]:
        from soko.ussd import coops  # noqa: PLC0415

        return coops.allocations(self, coop_id, limit)

    def _coop_commit(self, args: dict[str, Any]) -> str:
        from soko.ussd import coops  # noqa: PLC0415

        return coops.commit(self, args)

    def _coop_confirm(self, args: dict[str, Any]) -> str:
        from soko.ussd import coops  # noqa: PLC0415

        return coops.confirm(self, args)

    def _alert_add(self, args: dict[str, Any]) -> str:
        return alert_add(self, args)

    def _alert_stop(self, args: dict[str, Any]) -> str:
        return alert_stop(self, args)

    def weather(self, district: str) -> dict[str, Any] | None:
        """The district's forecast as the weather screen shows it; None when there is none (the
        provider failed and nothing was ever cached)."""
        from soko.shared.errors import DependencyUnavailable  # noqa: PLC0415

        if self.deps.weather is None:
            return None
        try:
            forecast = self.deps.weather(district)
        except (DependencyUnavailable, NotFound):
            return None
        return {
            "district": forecast.district,
            "fetched_at": forecast.fetched_at,
            "stale": forecast.stale,
            # whole numbers: the screen shows them so, and the session item (DynamoDB) takes no floats
            "days": [
                [d.date.isoformat(), round(d.rain_mm), round(d.temp_min_c), round(d.temp_max_c)]
                for d in forecast.days
            ],
        }

    def district(self, text: str) -> str | None:
        from soko.shared import places  # noqa: PLC0415

        try:
            return places.district(text)
        except Unprocessable:
            return None

    # ------------------------------------------------------------------ PIN
    def check_pin(self, pin: str) -> PinCheck:
        member = self.member()
        if member is None or not member.has_pin:
            return PinCheck(outcome="no_pin")
        return check_pin(member.user_id, pin, self.deps)

    def _pin_from_history(self, position: int) -> str:
        return self.request.parts[position]

    # ------------------------------------------------------------------ changes (once per input)
    def perform(self, step: int, action: str, args: dict[str, Any]) -> str:
        dal, session = self.deps.dal, self.request.session_id
        expires = clock.epoch() + SESSION_SECONDS
        earlier = dal.claim_action(session, step, expires)
        if earlier is not None:
            return "busy" if earlier == "pending" else earlier
        try:
            outcome = self._do(action, args)
        except Exception:
            dal.release_action(session, step)
            raise
        dal.finish_action(session, step, outcome)
        logger.info("ussd change", extra={"action": action, "outcome": outcome})
        return outcome

    def _do(self, action: str, args: dict[str, Any]) -> str:
        actions: dict[str, Callable[[dict[str, Any]], str]] = {
            "decide": self._decide,
            "fulfil": self._fulfil,
            "receipt": self._receipt,
            "delivery_code": self._delivery_code,
            "sell": self._sell,
            "update_listing": self._update_listing,
            "register": self._register,
            "set_pin": self._set_pin,
            "language": self._set_language,
            "alert_add": self._alert_add,
            "alert_stop": self._alert_stop,
            "job": self._job,
            "job_deliver": self._job_deliver,
            "add_vehicle": self._add_vehicle,
            "coop_commit": self._coop_commit,
            "coop_confirm": self._coop_confirm,
        }
        return actions[action](args)

    def _decide(self, args: dict[str, Any]) -> str:
        from soko.market.logic import change_status  # noqa: PLC0415
        from soko.market.models import StatusChange  # noqa: PLC0415

        change = StatusChange(new_status="confirmed" if args["accept"] else "rejected")
        return _guarded(lambda: change_status(self._caller(), args["order_id"], change, self.deps.market()))

    def _fulfil(self, args: dict[str, Any]) -> str:
        """The farmer marks a paid order dispatched or delivered."""
        from soko.market.logic import change_status  # noqa: PLC0415
        from soko.market.models import StatusChange  # noqa: PLC0415

        if args["to"] not in FULFIL_TO:
            return "gone"
        change = StatusChange.model_validate({"new_status": args["to"]})
        return _guarded(lambda: change_status(self._caller(), args["order_id"], change, self.deps.market()))

    def _receipt(self, args: dict[str, Any]) -> str:
        """The buyer confirms the produce arrived: the order completes and escrow is released."""
        from soko.market.logic import confirm_receipt  # noqa: PLC0415

        return _guarded(lambda: confirm_receipt(self._caller(), args["order_id"], self.deps.market()))

    def _delivery_code(self, args: dict[str, Any]) -> str:
        """The farmer enters the buyer's delivery PIN (read from the history, never kept): the
        market's own rule (POST /orders/{id}/delivery-pin) completes the order and releases escrow.
        ok, ``wrong:<tries left>``, locked, no_code, gone or busy."""
        from soko.market import logic as market  # noqa: PLC0415
        from soko.market.models import DeliveryPin  # noqa: PLC0415

        code = DeliveryPin(pin=self._pin_from_history(int(args["code_at"])))
        refused: list[str] = []

        def enter() -> None:
            try:
                market.enter_delivery_pin(
                    self._caller(), args["order_id"], code, self.deps.market(), verify=verify_secret
                )
            except market.WrongDeliveryPin as err:
                refused.append(f"wrong:{int(err.details.get('tries_left', 0))}")
            except market.DeliveryPinLocked:
                refused.append("locked")
            except market.NoDeliveryPin:
                refused.append("no_code")

        outcome = _guarded(enter)
        return refused[0] if refused else outcome

    def _sell(self, args: dict[str, Any]) -> str:
        from soko.market.logic import create_listing  # noqa: PLC0415
        from soko.market.models import ListingCreate  # noqa: PLC0415
        from soko.shared import crops  # noqa: PLC0415

        member = self.member()
        assert member is not None and member.district
        crop = crops.by_id(args["crop"])
        assert crop is not None
        request = ListingCreate(
            title=f"{crop.name} from {member.district}",
            crop=crop.id,
            price_per_kg=int(args["price"]),
            quantity_kg=Decimal(int(args["kg"])),
            district=member.district,
        )
        return _guarded(lambda: create_listing(self._caller(), request, self.deps.market()))

    def _update_listing(self, args: dict[str, Any]) -> str:
        from soko.market.logic import update_listing  # noqa: PLC0415
        from soko.market.models import ListingUpdate  # noqa: PLC0415

        change = (
            ListingUpdate(quantity_kg=Decimal(int(args["kg"])))
            if "kg" in args
            else ListingUpdate(price_per_kg=int(args["price"]))
        )
        return _guarded(
            lambda: update_listing(self._caller(), args["listing_id"], change, self.deps.market())
        )

    def _register(self, args: dict[str, Any]) -> str:
        from soko.identity.logic import register_by_phone  # noqa: PLC0415

        try:
            user = register_by_phone(
                self.request.phone_number,
                args["name"],
                args["district"],
                self.language,
                self.deps.identity(),
                role=_REGISTER_ROLES.get(str(args.get("role") or "farmer"), "farmer"),
            )
        except PhoneTaken:
            return "taken"
        self.deps.dal.put_pin(
            user.id, hash_secret(self._pin_from_history(int(args["pin_at"]))), clock.now_iso()
        )
        return "ok"

    def _set_pin(self, args: dict[str, Any]) -> str:
        member = self.member()
        assert member is not None
        pin = self._pin_from_history(int(args["pin_at"]))
        self.deps.dal.put_pin(member.user_id, hash_secret(pin), clock.now_iso())
        return "ok"

    def _set_language(self, args: dict[str, Any]) -> str:
        language: Language = "lg" if args["language"] == "lg" else "en"
        member = self.member()
        if member is None:
            self.deps.dal.put_language(self.request.phone_number, language)
        else:
            from soko.identity.logic import update_me  # noqa: PLC0415
            from soko.identity.models import ProfileUpdate  # noqa: PLC0415

            update_me(
                self._caller(), ProfileUpdate.model_validate({"language": language}), self.deps.identity()
            )
        self.language = language
        return "ok"


_REGISTER_ROLES: dict[str, SelfRegisteredRole] = {
    "farmer": "farmer",
    "buyer": "buyer",
    "transporter": "transporter",
}
FULFIL_FROM = ("confirmed", "dispatched")  # a paid order in these is the farmer's to deliver
PAID_TO_ACT_ON = (*FULFIL_FROM, "delivered")  # ... or to enter the buyer's delivery code on
FULFIL_TO = ("dispatched", "delivered")


# ---------------------------------------------------------------------------- price alerts (menu 7)
def _alerts_of(services: CallerServices) -> tuple[Alerts, str, dict[str, Any]]:
    """The alerts use cases, the caller's owner key and who they are: the phone's account, else the
    phone itself (a phone-only subscriber, in the menu's language)."""
    from soko.alerts import logic as alerts  # noqa: PLC0415

    assert services.deps.alerts is not None, "the USSD function is wired with the alerts table"
    member = services.member()
    if member is not None:
        return services.deps.alerts(), alerts.user_owner(member.user_id), {"user_id": member.user_id}
    phone = services.request.phone_number
    return services.deps.alerts(), alerts.phone_owner(phone), {"phone": phone, "language": services.language}


def my_alerts(services: CallerServices, limit: int) -> list[dict[str, Any]]:
    from soko.alerts import logic as alerts  # noqa: PLC0415

    deps, owner, _ = _alerts_of(services)
    subs = sorted(alerts.owned(owner, deps), key=lambda s: s.id, reverse=True)[:limit]
    return [
        s.model_dump(
            include={"id", "crop", "market", "above_ugx", "below_ugx", "forecast_move_pct", "digest"}
        )
        for s in subs
    ]


def alert_add(services: CallerServices, args: dict[str, Any]) -> str:
    from soko.alerts import logic as alerts  # noqa: PLC0415
    from soko.alerts.dal import TooManyAlerts  # noqa: PLC0415
    from soko.alerts.models import AlertCreate  # noqa: PLC0415

    deps, owner, who = _alerts_of(services)
    try:
        alerts.subscribe(owner, AlertCreate.model_validate(args), deps, **who)
    except TooManyAlerts:
        return "too_many"
    return "ok"


def alert_stop(services: CallerServices, args: dict[str, Any]) -> str:

    deps, owner, _ = _alerts_of(services)
    return _guarded(lambda: deps.store.delete(owner, str(args["alert_id"])))


def _guarded(change: Callable[[], object]) -> str:
    """A marketplace change's outcome for the menu: gone (no longer possible), busy, or ok."""
    try:
        change()
    except (NotFound, Forbidden) as err:
        logger.info("ussd change refused", extra={"code": err.code})
        return "gone"
    except Conflict as err:
        logger.info("ussd change conflicted", extra={"code": err.code})
        return "gone" if err.code in ("ILLEGAL_TRANSITION", "ORDER_NOT_PAID") else "busy"
    return "ok"


def check_pin(user_id: str, pin: str, deps: Ussd) -> PinCheck:
    """Compare a PIN, counting the try first; the third wrong try in a row locks for 15 minutes."""
    now = clock.epoch()
    stored = deps.dal.get_pin(user_id)
    if stored is None:
        return PinCheck(outcome="no_pin")
    locked_until = int(stored.get("locked_until", 0))
    if locked_until > now:
        return PinCheck(outcome="locked", locked_minutes=max(1, -(-(locked_until - now) // 60)))
    tries = deps.dal.reserve_pin_try(user_id, now)
    if tries is None:
        return PinCheck(outcome="locked", locked_minutes=PIN_LOCK_SECONDS // 60)
    if verify_secret(str(stored["pin_hash"]), pin):
        deps.dal.reset_pin_tries(user_id)
        return PinCheck(outcome="ok")
    if tries >= PIN_MAX_TRIES:
        deps.dal.lock_pin(user_id, now + PIN_LOCK_SECONDS)
        logger.warning("ussd PIN locked", extra={"user_id": user_id})
        return PinCheck(outcome="locked", locked_minutes=PIN_LOCK_SECONDS // 60)
    return PinCheck(outcome="wrong", tries_left=PIN_MAX_TRIES - tries)
