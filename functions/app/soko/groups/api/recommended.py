"""GET /groups/recommended"""

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from soko.groups import recommend
from soko.groups.deps import clusters
from soko.groups.models import GroupRecommendations
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()
Limit = Annotated[int, Query(ge=1, le=20, description="how many recommendations, 1-20")]
Lang = Annotated[
    Literal["en", "lg"] | None,
    Query(description="the explanations' language; the caller's profile language when omitted"),
]
_DOC = {
    "summary": "Groups to join or start",
    "description": "Buyers only (403 otherwise). The caller is placed in a trader cluster (what, where, how "
    "much and how often they buy; k-means retrained weekly) and gets open groups to join and tiered "
    "listings to start a group on, for the crops their cluster buys near them, best first, each with a "
    "plain-language explanation in English or Luganda. Empty items before the first training or for a "
    "buyer with neither orders nor interests.",
    "tags": ["groups"],
    "responses": {
        200: {"description": "Best first", "content": {JSON: {"model": GroupRecommendations}}},
        **error_responses(401, 403, 422),
    },
}


@app.get("/groups/recommended", **_DOC)  # type: ignore[arg-type]
def recommended(limit: Limit = 5, lang: Lang = None) -> Response[str]:
    who = caller(app)
    profile = clusters.users().get(who.user_id)
    language = lang or (profile.language if profile else "en")
    return json_body(recommend.recommend(who, profile, language, limit, clusters.sources()))


lambda_handler = entry(app)
