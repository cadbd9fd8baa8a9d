"""GET /posts/"""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from soko.posts import logic
from soko.posts.deps import posts
from soko.posts.models import CropName, Language, PostCategory, PostPage
from soko.shared.http import JSON, Cursor, Limit, create_app, entry, error_responses, json_body

app = create_app()


@app.get(
    "/posts/",
    summary="Read farming-knowledge posts",
    description="Public. Pinned posts first, then newest first. Filters combine: `category`, `crop` "
    "(any crop name; normalised) and `language`.",
    tags=["posts"],
    responses={
        200: {"description": "A page of posts", "content": {JSON: {"model": PostPage}}},
        **error_responses(400, 422),
    },
)
def list_posts(
    *,
    category: PostCategory | None = None,
    crop: Annotated[CropName | None, Query(description="any crop name; normalised")] = None,
    language: Language | None = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Response[str]:
    filters = logic.FeedFilters(category=category, crop=crop, language=language)
    return json_body(logic.feed(filters, limit, cursor, posts()))


lambda_handler = entry(app)
