"""GET /posts/{id}"""

from aws_lambda_powertools.event_handler import Response

from soko.posts import logic
from soko.posts.deps import posts
from soko.posts.models import Post
from soko.shared.http import JSON, create_app, entry, error_responses, json_body

app = create_app()


@app.get(
    "/posts/<id>",
    summary="Read one post",
    description="Public. Media come as presigned GET URLs, valid for an hour.",
    tags=["posts"],
    responses={
        200: {"description": "The post", "content": {JSON: {"model": Post}}},
        **error_responses(404),
    },
)
def get(id: str) -> Response[str]:
    return json_body(logic.get_post(id, posts()))


lambda_handler = entry(app)
