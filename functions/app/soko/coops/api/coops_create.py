"""POST /coops"""

from soko.coops import logic
from soko.coops.deps import with_accounts
from soko.coops.models import Coop, CoopCreate
from soko.shared.http import create_app
from soko.shared.idempotency import IdempotentCreate
from soko.shared.identity import Caller

app = create_app()


def _create(caller: Caller, request: CoopCreate) -> Coop:
    return logic.create_coop(caller, request, with_accounts())


create_once = IdempotentCreate("create_coop", "coop", CoopCreate, Coop, _create)
create_once.route(
    app,
    "/coops",
    name="create_coop",
    summary="Start a cooperative",
    description="A farmer starts a cooperative and becomes its manager and first member (403 "
    "`NOT_A_FARMER` for a buyer or a transporter). `crops`: the crops it pools (catalogue ids or names); "
    "`fee_percent`: the coop's cut of its members' net proceeds (0-20, default 2). With an "
    "`Idempotency-Key`, a retry with the same body returns the first coop.",
    tags=["coops"],
    created="Started",
    errors=(400, 401, 403, 409, 422),
)
lambda_handler = create_once.lambda_handler(app)
