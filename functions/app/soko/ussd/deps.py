"""The USSD function's dependencies (cheap per request: config, clients and secrets cache themselves;
the marketplace and price layers are imported only when a screen needs them)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from soko.identity.dal import UsersDal
from soko.shared.config import load
from soko.ussd.dal import UssdDal
from soko.ussd.logic import Ussd, _NoImages
from soko.ussd.models import UssdConfig

if TYPE_CHECKING:
    from soko.identity.logic import Identity
    from soko.market.logic import Market
    from soko.ml.logic import Prices


def _no_tokens() -> str:
    raise RuntimeError("the USSD function issues no tokens")


def ussd() -> Ussd:
    config = load(UssdConfig)
    users = UsersDal(config.users_table_name)

    def identity() -> Identity:
        from soko.identity.logic import Identity  # noqa: PLC0415
        from soko.identity.models import IdentityConfig  # noqa: PLC0415

        return Identity(config=load(IdentityConfig), dal=users, signing_secret=_no_tokens)

    def market() -> Market:
        from soko.market.dal import MarketDal  # noqa: PLC0415
        from soko.market.logic import Market  # noqa: PLC0415
        from soko.market.models import MarketConfig  # noqa: PLC0415

        return Market(config=load(MarketConfig), dal=MarketDal(config.market_table_name), media=_NoImages())

    def prices() -> Prices:
        from soko.ml.dal import MlDal  # noqa: PLC0415
        from soko.ml.logic import Prices  # noqa: PLC0415
        from soko.ml.models import MlConfig  # noqa: PLC0415

        return Prices(config=load(MlConfig), dal=MlDal(config.ml_table_name))

    return Ussd(
        config=config,
        dal=UssdDal(config.users_table_name),
        users=users,
        identity=identity,
        market=market,
        prices=prices,
    )
