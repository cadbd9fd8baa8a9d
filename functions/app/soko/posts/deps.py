"""The posts service's dependencies (cheap per request: config and clients cache themselves)."""

from __future__ import annotations

from soko.posts.dal import PostsDal
from soko.posts.logic import Posts
from soko.posts.models import PostsConfig
from soko.shared.config import load
from soko.shared.media import S3Media


def posts() -> Posts:
    config = load(PostsConfig)
    return Posts(config=config, dal=PostsDal(config.posts_table_name), media=S3Media())
