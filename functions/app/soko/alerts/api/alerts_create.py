"""POST /alerts"""

from soko.alerts import logic
from soko.alerts.deps import alerts
from soko.alerts.models import Alert, AlertCreate
from soko.shared.http import create_app
from soko.shared.idempotency import IdempotentCreate
from soko.shared.identity import Caller

app = create_app()


def _create(caller: Caller, request: AlertCreate) -> Alert:
    return logic.create(caller, request, alerts())


create_once = IdempotentCreate("create_alert", "alert", AlertCreate, Alert, _create)
create_once.route(
    app,
    "/alerts",
    name="create_alert",
    summary="Subscribe to a crop's prices in a market",
    description="Any signed-in user. `crop`: any name, synonym or Luganda name of a forecast crop; "
    "`market` (a market's id, name or alias) or `district` (the market nearest its main town). At "
    "least one rule: `above_ugx` / `below_ugx` (a price at or beyond the threshold), "
    "`forecast_move_pct` (the 4-week forecast moves more than this), `digest` (the weekly digest). "
    "Each rule fires at most once a week, in the subscriber's language (SMS, push, e-mail, in-app as "
    "their preferences say). At most 20 alerts per user (409 `TOO_MANY_ALERTS`). With an "
    "`Idempotency-Key`, a retry with the same body returns the first alert.",
    tags=["alerts"],
    created="Subscribed",
    errors=(400, 401, 409, 422),
)
lambda_handler = create_once.lambda_handler(app)
