"""POST /posts/"""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Header

from soko.posts import logic
from soko.posts.deps import posts
from soko.posts.models import Post, PostCreate
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body
from soko.shared.idempotency import KEY_PATTERN, IdempotentWrite, register_errors
from soko.shared.identity import Caller

app = create_app()
register_errors(app)


def _create(request: dict[str, Any]) -> dict[str, Any]:
    author = Caller.model_validate(request["body"]["caller"])
    post = logic.create_post(author, PostCreate.model_validate(request["body"]["post"]), posts())
    return post.model_dump(mode="json")


create_once = IdempotentWrite("create_post", _create)


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
def create(
    request: PostCreate,
    idempotency_key: Annotated[str | None, Header(alias="idempotency-key", pattern=KEY_PATTERN)] = None,
) -> Response[str]:
    author = caller(app)
    if idempotency_key is None:
        return json_body(logic.create_post(author, request, posts()), 201)
    body = {"caller": author.model_dump(), "post": request.model_dump(mode="json")}
    result = create_once(caller=author.user_id, key=idempotency_key, body=body)
    return Response(201, JSON, Post.model_validate(result).model_dump_json())


lambda_handler = entry(app, on_context=create_once.config.register_lambda_context)
