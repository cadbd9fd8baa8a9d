"""DELETE /listings/{id}"""

from aws_lambda_powertools.event_handler import Response

from soko.market import listings
from soko.market.deps import market
from soko.shared.http import caller, create_app, entry, error_responses

app = create_app()


@app.delete(
    "/listings/<id>",
    summary="Withdraw my listing",
    description="The owner only. A soft delete: it leaves every list, but its orders can still be read.",
    tags=["listings"],
    responses={204: {"description": "Withdrawn"}, **error_responses(401, 403, 404, 409)},
)
def delete(id: str) -> Response[str]:
    listings.delete_listing(caller(app), id, market())
    return Response(204, None, "")


lambda_handler = entry(app)
