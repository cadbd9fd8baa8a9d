"""The payments domain's errors (each with its HTTP status and code)."""

from __future__ import annotations

from soko.shared.errors import Conflict, DependencyUnavailable, NotFound, Unprocessable


class PaymentNotFound(NotFound):
    code = "PAYMENT_NOT_FOUND"


class OrderNotFound(NotFound):
    code = "ORDER_NOT_FOUND"


class OrderNotPayable(Conflict):
    code = "ORDER_NOT_PAYABLE"


class OrderAlreadyPaid(Conflict):
    code = "ORDER_ALREADY_PAID"


class PaymentInProgress(Conflict):
    code = "PAYMENT_IN_PROGRESS"


class ProviderUnavailable(DependencyUnavailable):
    code = "PAYMENT_PROVIDER_UNAVAILABLE"


class NoOpenMismatch(Conflict):
    code = "NO_OPEN_MISMATCH"


class MismatchNotResolvable(Conflict):
    code = "MISMATCH_NOT_RESOLVABLE"


class AccountNotFound(NotFound):
    code = "ACCOUNT_NOT_FOUND"


class InvalidAccount(Unprocessable):
    code = "INVALID_ACCOUNT"
