"""Payments' dependencies (cheap per request: config, clients, secrets and tokens cache themselves)."""

from __future__ import annotations

from collections.abc import Callable

from soko.coops.public import CoopReads
from soko.logistics.public import LogisticsReads
from soko.market.public import MarketReads
from soko.payments.dal import PaymentsDal
from soko.payments.mail import ReceiptMailDeps, StatementMailDeps
from soko.payments.models import MomoConfig, PaymentsConfig, PesapalConfig
from soko.payments.ports import Payments, Reports
from soko.providers.email import configured_sender as configured_email
from soko.providers.momo import MomoCredentials, MtnMomo
from soko.providers.payments import PaymentProvider
from soko.providers.pesapal import PesaPal, PesapalCredentials
from soko.shared import secrets
from soko.shared.config import load
from soko.shared.timers import SchedulerTimers, TimerConfig, Timers


def provider(config: PaymentsConfig) -> PaymentProvider:
    if config.payment_provider == "momo":
        momo = load(MomoConfig)
        return MtnMomo(
            momo.momo_base_url,
            MomoCredentials.from_secret(secrets.get(momo.momo_secret_arn)),
            target_environment=momo.momo_target_environment,
            callback_url=momo.momo_callback_url or "",
        )
    pesapal = load(PesapalConfig)
    return PesaPal(
        pesapal.pesapal_base_url,
        PesapalCredentials.from_secret(secrets.get(pesapal.pesapal_secret_arn)),
        ipn_url=pesapal.pesapal_ipn_url,
        ipn_id=pesapal.pesapal_ipn_id,
        callback_url=pesapal.payment_callback_url or "",
    )


def payments(*, timers: bool = False) -> Payments:
    """``timers``: the function sets the attempts' expiry timers (TIMER_* settings required)."""
    config = load(PaymentsConfig)
    scheduler: Timers | None = SchedulerTimers(load(TimerConfig)) if timers else None
    return Payments(
        config=config,
        dal=PaymentsDal(config.payments_table_name),
        provider=lambda: provider(config),
        order=MarketReads(config.market_table_name).payable_order,
        timers=scheduler,
        transport=(
            LogisticsReads(config.logistics_table_name).order_transport
            if config.logistics_table_name
            else None
        ),
        payout_split=CoopReads(config.coops_table_name).payout_split if config.coops_table_name else None,
    )


def reports() -> Reports:
    """Earnings, statements and receipts: the ledger, the order's title and the reader's language."""
    from soko.identity.public import Users, UserView  # noqa: PLC0415  (only the report functions read accounts)
    from soko.payments.statements import ReportsConfig  # noqa: PLC0415

    config = load(ReportsConfig)
    users = Users(config.users_table_name)
    seen: dict[str, UserView | None] = {}

    def user(user_id: str) -> UserView | None:
        if user_id not in seen:
            seen[user_id] = users.get(user_id)
        return seen[user_id]

    return Reports(
        dal=PaymentsDal(config.payments_table_name),
        order=MarketReads(config.market_table_name).payable_order,
        language=lambda user_id: found.language if (found := user(user_id)) else "en",
        full_name=lambda user_id: (found.full_name or "") if (found := user(user_id)) else "",
    )


def receipt_mail() -> ReceiptMailDeps:
    """The receipt e-mail's consumer: the reports' reads, delivery records, SES, the PDF drawer."""
    from soko.payments import documents  # noqa: PLC0415  (fpdf2, from the reports layer)
    from soko.payments.statements import ReportsConfig  # noqa: PLC0415

    config = load(ReportsConfig)
    return ReceiptMailDeps(
        reports=reports(),
        deliveries=PaymentsDal(config.payments_table_name),
        email_address=_email_address(config.users_table_name),
        email=configured_email,
        pdf=documents.receipt_pdf,
    )


def _email_address(users_table_name: str) -> Callable[[str], str | None]:
    from soko.identity.public import Users  # noqa: PLC0415  (only the functions that read accounts)

    users = Users(users_table_name)

    def email_address(user_id: str) -> str | None:
        found = users.get(user_id)
        return found.email if found else None

    return email_address


def statement_mail() -> StatementMailDeps:
    """POST /payments/statements/email: the reports' reads, delivery records, SES, the PDF drawer."""
    from soko.payments import documents  # noqa: PLC0415  (fpdf2, from the reports layer)
    from soko.payments.statements import ReportsConfig  # noqa: PLC0415

    config = load(ReportsConfig)
    return StatementMailDeps(
        reports=reports(),
        deliveries=PaymentsDal(config.payments_table_name),
        email_address=_email_address(config.users_table_name),
        email=configured_email,
        pdf=documents.statement_pdf,
    )
