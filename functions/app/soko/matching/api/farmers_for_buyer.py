"""GET /ml/recommend/farmers-for-buyer/{buyer_id} (and the legacy /recommendations/... path)"""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from soko.matching import recommendations
from soko.matching.deps import matching
from soko.matching.models import Recommendations
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()
TopN = Annotated[int, Query(ge=1, le=50, description="how many farmers, 1-50")]
_DOC = {
    "summary": "Farmers for a buyer",
    "description": "The buyer themself (or an admin) only. Farmers scored by crop overlap (0.35), same "
    "district (0.20), rating (0.20), fulfilment (0.15) and recent interactions (up to +0.20), each "
    "with its reasons in plain words. Served from a cache that the events changing it invalidate.",
    "tags": ["matching"],
    "responses": {
        200: {"description": "Best first", "content": {JSON: {"model": Recommendations}}},
        **error_responses(401, 403, 404, 422),
    },
}


@app.get("/ml/recommend/farmers-for-buyer/<buyer_id>", **_DOC)  # type: ignore[arg-type]
@app.get("/recommendations/farmers-for-buyer/<buyer_id>", **_DOC)  # type: ignore[arg-type]
def farmers_for_buyer(buyer_id: str, top_n: TopN = 5) -> Response[str]:
    return json_body(recommendations.farmers_for_buyer(caller(app), buyer_id, top_n, matching()))


lambda_handler = entry(app)
