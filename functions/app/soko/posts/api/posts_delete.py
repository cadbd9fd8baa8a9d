"""DELETE /posts/{id}"""

from aws_lambda_powertools.event_handler import Response

from soko.posts import logic
from soko.posts.deps import posts
from soko.shared.http import caller, create_app, entry, error_responses

app = create_app()


@app.delete(
    "/posts/<id>",
    summary="Delete a post",
    description="The author or an admin. The post leaves every list at once.",
    tags=["posts"],
    responses={204: {"description": "Deleted"}, **error_responses(401, 403, 404, 409)},
)
def delete(id: str) -> Response[str]:
    logic.delete_post(caller(app), id, posts())
    return Response(204, None, "")


lambda_handler = entry(app)
