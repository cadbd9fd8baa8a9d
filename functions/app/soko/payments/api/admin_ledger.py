"""GET /admin/ledger/{account}"""

from urllib.parse import unquote

from aws_lambda_powertools.event_handler import Response

from soko.payments import admin
from soko.payments.deps import payments
from soko.payments.models import LedgerPage
from soko.shared.http import JSON, Cursor, Limit, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.get(
    "/admin/ledger/<account>",
    summary="The ledger entries of one account, with its balance",
    description="Admins only. `account` is `buyer:<user>`, `escrow:<order>`, `refund:<payment>`, "
    "`farmer:<user>`, `transporter:<user>`, `settled:<user>` or `platform:fees` (the colon may be sent "
    "as `%3A`). Its postings "
    "newest first (`amount` in UGX, a debit negative), each naming its entry's `kind` and `reference`, and "
    "the balance now. 422 `INVALID_ACCOUNT` for a name that is none of these, 404 for an account with no "
    "entries.",
    tags=["admin"],
    responses={
        200: {"description": "A page of postings", "content": {JSON: {"model": LedgerPage}}},
        **error_responses(400, 401, 403, 404, 422),
    },
)
def ledger(account: str, limit: Limit = 20, cursor: Cursor = None) -> Response[str]:
    return json_body(admin.ledger_of(caller(app), unquote(account), limit, cursor, payments()))


lambda_handler = entry(app)
