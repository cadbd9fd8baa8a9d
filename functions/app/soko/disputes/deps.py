"""The disputes service's dependencies (cheap per request: config and clients cache themselves)."""

from __future__ import annotations

from soko.disputes.dal import DisputesDal
from soko.disputes.logic import Disputes
from soko.disputes.models import PHOTO_URL_SECONDS, DisputesConfig
from soko.shared.config import load
from soko.shared.media import S3Media


def disputes() -> Disputes:
    config = load(DisputesConfig)
    photos = S3Media(view_seconds=PHOTO_URL_SECONDS)
    return Disputes(dal=DisputesDal(config.disputes_table_name), photos=photos)
