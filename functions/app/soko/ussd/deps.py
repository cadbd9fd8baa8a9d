"""The USSD function's dependencies (cheap per request: config, clients and secrets cache themselves;
the marketplace is imported only when a screen needs it). USSD is a channel: it builds identity's
and the marketplace's use cases with their own data access, as their handlers' deps do, but
without what a phone menu never uses (token signing, SMS, image URLs); a transporter's jobs with
logistics' public reads and the dependencies of its booking steps, built only when a transporter
opens "2 My jobs"; logistics' vehicle store when one adds a vehicle ("3 Add vehicle"); the coops domain's use
cases when a member opens "9 My coop"."""

from __future__ import annotations

from typing import TYPE_CHECKING

from soko.identity.dal import UsersDal
from soko.identity.public import Users
from soko.shared.config import load
from soko.ussd.dal import UssdDal
from soko.ussd.logic import Ussd, _NoImages
from soko.ussd.models import UssdConfig

if TYPE_CHECKING:
    from soko.alerts.logic import Alerts
    from soko.coops.logic import Coops
    from soko.identity.logic import Identity
    from soko.logistics.dal.vehicles import VehiclesDal
    from soko.logistics.public import LogisticsReads
    from soko.logistics.steps import StepDeps
    from soko.market.logic import Market
    from soko.market.public import MarketReads
    from soko.ml.public import PriceReader
    from soko.weather.public import DistrictWeather


def _no_tokens() -> str:
    raise RuntimeError("the USSD function issues no tokens")


def _coops(table_name: str) -> Coops:
    """A member's commitments and confirmations ("9 My coop"): the coops domain's use cases, with
    the bus (a commitment joining a live pool publishes ``CommitmentPooled``)."""
    from soko.coops.dal import CoopsDal  # noqa: PLC0415
    from soko.coops.logic import Coops  # noqa: PLC0415
    from soko.shared.bus import EventPublisher  # noqa: PLC0415
    from soko.shared.config import BusConfig  # noqa: PLC0415

    return Coops(store=CoopsDal(table_name), publisher=EventPublisher(load(BusConfig).event_bus_name))


def ussd() -> Ussd:
    config = load(UssdConfig)

    def identity() -> Identity:
        from soko.identity.logic import Identity  # noqa: PLC0415
        from soko.identity.models import IdentityConfig  # noqa: PLC0415

        dal = UsersDal(config.users_table_name)
        return Identity(config=load(IdentityConfig), dal=dal, signing_secret=_no_tokens)

    def market() -> Market:
        from soko.market.dal import MarketDal  # noqa: PLC0415
        from soko.market.logic import Market  # noqa: PLC0415
        from soko.market.models import MarketConfig  # noqa: PLC0415

        return Market(config=load(MarketConfig), dal=MarketDal(config.market_table_name), media=_NoImages())

    def prices() -> PriceReader:
        from soko.ml.public import FreshnessConfig, PriceReader  # noqa: PLC0415

        return PriceReader(config.ml_table_name, load(FreshnessConfig).price_stale_after_days)

    def alerts() -> Alerts:
        from soko.alerts.dal import AlertsDal  # noqa: PLC0415
        from soko.alerts.logic import Alerts  # noqa: PLC0415

        return Alerts(store=AlertsDal(config.alerts_table_name))

    def weather(district: str) -> DistrictWeather:
        from soko.weather.public import district_weather  # noqa: PLC0415

        return district_weather(district)

    def logistics() -> LogisticsReads:
        from soko.logistics.public import LogisticsReads  # noqa: PLC0415

        return LogisticsReads(config.logistics_table_name)

    def market_reads() -> MarketReads:
        from soko.market.public import MarketReads  # noqa: PLC0415

        return MarketReads(config.market_table_name)

    def steps(handover: bool) -> StepDeps:
        from soko.logistics.deps import steps as logistics_steps  # noqa: PLC0415

        return logistics_steps(handover=handover)

    def vehicles() -> VehiclesDal:
        from soko.logistics.dal.vehicles import VehiclesDal  # noqa: PLC0415

        return VehiclesDal(config.logistics_table_name)

    return Ussd(
        config=config,
        dal=UssdDal(config.users_table_name),
        users=Users(config.users_table_name),
        identity=identity,
        market=market,
        prices=prices,
        alerts=alerts,
        weather=weather,
        logistics=logistics,
        market_reads=market_reads,
        steps=steps,
        vehicles=vehicles,
        coops=lambda: _coops(config.coops_table_name),
    )
