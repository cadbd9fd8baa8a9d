"""PUT /posts/{id}"""

from aws_lambda_powertools.event_handler import Response

from soko.posts import logic
from soko.posts.deps import posts
from soko.posts.models import Post, PostUpdate
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.put(
    "/posts/<id>",
    summary="Change a post",
    description="The author or an admin. Fields left out are kept. Only admins may change `pinned`.",
    tags=["posts"],
    responses={
        200: {"description": "The post", "content": {JSON: {"model": Post}}},
        **error_responses(400, 401, 403, 404, 409, 422),
    },
)
def update(id: str, update: PostUpdate) -> Response[str]:
    return json_body(logic.update_post(caller(app), id, update, posts()))


lambda_handler = entry(app)
