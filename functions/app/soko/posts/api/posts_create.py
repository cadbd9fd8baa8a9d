"""POST /posts/"""

from soko.posts import logic
from soko.posts.deps import posts
from soko.posts.models import Post, PostCreate
from soko.shared.http import create_app
from soko.shared.idempotency import IdempotentCreate
from soko.shared.identity import Caller

app = create_app()


def _create(author: Caller, request: PostCreate) -> Post:
    return logic.create_post(author, request, posts())


create_once = IdempotentCreate("create_post", "post", PostCreate, Post, _create)
create_once.route(
    app,
    "/posts/",
    name="create",
    summary="Write a farming-knowledge post",
    description="Any signed-in user. `body` is markdown. `crops` may be any names, synonyms or Luganda "
    "names (at most 10); they are stored as catalogue ids. Only admins may set `pinned`. With an "
    "`Idempotency-Key`, a retry with the same body returns the first post.",
    tags=["posts"],
    created="Posted",
    errors=(400, 401, 403, 409, 422),
)
lambda_handler = create_once.lambda_handler(app)
