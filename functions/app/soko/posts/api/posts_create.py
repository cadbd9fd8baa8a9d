"""POST /posts/"""

from aws_lambda_powertools.event_handler import Response

from soko.posts import logic
from soko.posts.deps import posts
from soko.posts.models import Post, PostCreate
from soko.shared.http import JSON, caller, create_app, error_responses
from soko.shared.idempotency import IdempotencyKey, IdempotentCreate
from soko.shared.identity import Caller

app = create_app()


def _create(author: Caller, request: PostCreate) -> Post:
    return logic.create_post(author, request, posts())


create_once = IdempotentCreate("create_post", "post", PostCreate, Post, _create)


@app.post(
    "/posts/",
    summary="Write a farming-knowledge post",
    description="Any signed-in user. `body` is markdown. `crops` may be any names, synonyms or Luganda "
    "names (at most 10); they are stored as catalogue ids. Only admins may set `pinned`. With an "
    "`Idempotency-Key`, a retry with the same body returns the first post.",
    tags=["posts"],
    responses={
        201: {"description": "Posted", "content": {JSON: {"model": Post}}},
        **error_responses(400, 401, 403, 409, 422),
    },
)
def create(request: PostCreate, idempotency_key: IdempotencyKey = None) -> Response[str]:
    return create_once.respond(caller(app), request, idempotency_key)


lambda_handler = create_once.lambda_handler(app)
