"""POST /groups"""

from soko.groups import logic
from soko.groups.deps.groups import groups
from soko.groups.models import Group, GroupCreate
from soko.shared.http import create_app
from soko.shared.idempotency import IdempotentCreate
from soko.shared.identity import Caller

app = create_app()


def _start(caller: Caller, request: GroupCreate) -> Group:
    return logic.start(caller, request, groups(listings=True, timers=True))


start_once = IdempotentCreate("start_group", "group", GroupCreate, Group, _start)
start_once.route(
    app,
    "/groups",
    name="start_group",
    summary="Start a bulk-buying group",
    description="A buyer starts a group on an active listing with volume price tiers and joins it with "
    "`quantity_kg` (not a buyer, or the listing's own farmer: 403 `BUYERS_ONLY`/`OWN_LISTING`; an "
    "unknown listing: 404 `LISTING_NOT_FOUND`; a listing not on sale: 409 `LISTING_NOT_ACTIVE`; one "
    "without tiers: 409 `LISTING_HAS_NO_TIERS`). `target_kg` reaches at least the lowest tier and is at "
    "most the listing's stock, `quantity_kg` at most the target, `deadline` 1 hour to 30 days ahead "
    "(else 422 with the field). Others join until the fill reaches the target exactly (the group "
    "completes at once) or the deadline (it completes at the tier the fill reached, or expires and "
    "nobody pays). With an `Idempotency-Key`, a retry with the same body returns the first group.",
    tags=["groups"],
    created="Started",
    errors=(400, 401, 403, 404, 409, 422),
)
lambda_handler = start_once.lambda_handler(app)
