"""GET /ml/recommend/buyers-for-farmer/{farmer_id} (and the legacy /recommendations/... path)"""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from soko.matching import recommendations
from soko.matching.deps import matching
from soko.matching.models import Recommendations
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()
TopN = Annotated[int, Query(ge=1, le=50, description="how many buyers, 1-50")]
_DOC = {
    "summary": "Buyers for a farmer",
    "description": "The farmer themself (or an admin) only. Buyers scored by crop overlap (0.35), same "
    "district (0.20), payment reliability (0.25), spend volume (0.20) and recent interactions (up to "
    "+0.20), each with its reasons in plain words. Served from a cache that the events changing it "
    "invalidate.",
    "tags": ["matching"],
    "responses": {
        200: {"description": "Best first", "content": {JSON: {"model": Recommendations}}},
        **error_responses(401, 403, 404, 422),
    },
}


@app.get("/ml/recommend/buyers-for-farmer/<farmer_id>", **_DOC)  # type: ignore[arg-type]
@app.get("/recommendations/buyers-for-farmer/<farmer_id>", **_DOC)  # type: ignore[arg-type]
def buyers_for_farmer(farmer_id: str, top_n: TopN = 5) -> Response[str]:
    return json_body(recommendations.buyers_for_farmer(caller(app), farmer_id, top_n, matching()))


lambda_handler = entry(app)
