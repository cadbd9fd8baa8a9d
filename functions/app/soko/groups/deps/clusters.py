"""The clusters' dependencies: the projection and model store (``dal_clusters``), the open groups
(groups' documented read ``GroupsDal.open_groups_by_crop``), the market's listings and the caller's
profile. Cheap per request; the current model document is cached per version in the process."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from soko.groups.dal import GroupsDal
from soko.groups.dal_clusters import ClustersDal
from soko.groups.recommend import Sources
from soko.shared.config import BaseConfig, load


class ClustersConfig(BaseConfig):
    """Every clusters function: GroupsTable (GROUPS_TABLE_NAME)."""

    groups_table_name: str = Field(min_length=1)


class ClusterModelsConfig(ClustersConfig):
    """Training and recommending: the models bucket (MODELS_BUCKET_NAME)."""

    models_bucket_name: str = Field(min_length=1)


class RecommendConfig(ClusterModelsConfig):
    """GET /groups/recommended also reads listings and the caller's profile."""

    market_table_name: str = Field(min_length=1)
    users_table_name: str = Field(min_length=1)


def projection() -> ClustersDal:
    return ClustersDal(load(ClustersConfig).groups_table_name)


def models() -> ClustersDal:
    config = load(ClusterModelsConfig)
    return ClustersDal(config.groups_table_name, config.models_bucket_name)


_MODELS: dict[str, dict[str, Any]] = {}


class CachedModels:
    """The current model: one GetItem for the pointer per request, the document from S3 once per
    version per process."""

    def __init__(self, dal: ClustersDal):
        self._dal = dal

    def current_model(self) -> dict[str, Any] | None:
        pointer = self._dal.current()
        if pointer is None:
            return None
        key = str(pointer["key"])
        if key not in _MODELS:
            _MODELS.clear()
            _MODELS[key] = self._dal.model(key)
        return _MODELS[key]


def sources() -> Sources:
    from soko.market.public import MarketReads  # noqa: PLC0415

    config = load(RecommendConfig)
    dal = ClustersDal(config.groups_table_name, config.models_bucket_name)
    return Sources(
        models=CachedModels(dal),
        behaviours=dal,
        groups=GroupsDal(config.groups_table_name),
        listings=MarketReads(config.market_table_name),
    )


def users() -> Any:
    from soko.identity.public import Users  # noqa: PLC0415

    return Users(load(RecommendConfig).users_table_name)
