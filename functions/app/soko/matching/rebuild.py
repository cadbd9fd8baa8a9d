"""The bootstrap: rebuild the feature store from the sources of truth (identity's directory, the
marketplace's stats, listings and orders), a page at a time, then reset every cached list; and the
admin endpoints that start it and report on it. The Lambda tasks are :mod:`soko.matching.bootstrap`."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from soko.matching.context import Matching
from soko.matching.dal import BootstrapRuns
from soko.matching.features import coords, crop_keys, update_features
from soko.matching.models import BootstrapStarted, BootstrapStatus, BuyerFeatures, FarmerFeatures
from soko.shared import clock, ids
from soko.shared.identity import Caller


def rebuild_page(role: str, cursor: str | None, limit: int, deps: Matching) -> dict[str, Any]:
    """One page of the directory of ``role`` rebuilt from the sources of truth; ``cursor`` is the
    directory's opaque cursor (None for the first page), and the answer carries the next one."""
    entries, next_cursor = deps.sources.users.directory_page(
        "buyer" if role == "buyer" else "farmer", limit, cursor
    )
    for entry in entries:
        user_id = entry.id
        district = entry.district or None
        lat, lon = coords(district)
        common = {"full_name": entry.full_name, "district": district, "lat": lat, "lon": lon}
        if role == "farmer":
            stats = deps.sources.market.farmer_stats(user_id)
            fields = {
                **common,
                "specialties": crop_keys(entry.specialties),
                **stats.model_dump(),
                "active_listings": deps.sources.market.active_listing_ids(user_id),
            }
            update_features(deps, FarmerFeatures, user_id, _replacing(fields))
        else:
            history = deps.sources.market.buyer_history(user_id)
            fields = {
                **common,
                "interests": crop_keys(entry.interests),
                **history.model_dump(),
            }  # payment counters have no source of truth to rebuild from here: they are kept
            update_features(deps, BuyerFeatures, user_id, _replacing(fields))
    return {"role": role, "rebuilt": len(entries), "cursor": next_cursor}


def _replacing[R: (FarmerFeatures, BuyerFeatures)](fields: dict[str, Any]) -> Callable[[R], R]:
    """A change that sets ``fields`` on the record."""
    return lambda record: record.model_copy(update=fields)


def reset_caches(deps: Matching) -> None:
    deps.dal.bump(["EPOCH"])


def start_bootstrap(caller: Caller, runs: BootstrapRuns) -> BootstrapStarted:
    caller.require("admin")
    arn = runs.start(f"bootstrap-{ids.ulid()}")
    return BootstrapStarted(execution_id=arn, status="RUNNING")


def bootstrap_status(caller: Caller, runs: BootstrapRuns) -> BootstrapStatus:
    caller.require("admin")
    latest = runs.latest()
    if latest is None:
        return BootstrapStatus(execution_id=None, status="NONE")
    stopped = latest.get("stopDate")
    output = latest.get("output")
    return BootstrapStatus(
        execution_id=str(latest["executionArn"]),
        status=str(latest["status"]),
        started_at=clock.iso(latest["startDate"]) if latest.get("startDate") else None,
        stopped_at=clock.iso(stopped) if stopped else None,
        output=json.loads(output) if output else None,
    )
