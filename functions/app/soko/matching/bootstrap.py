"""The bootstrap state machine's tasks (statemachines/bootstrap.asl.json): rebuild one page of
farmers or buyers from the sources of truth, then reset every recommendation cache."""

from __future__ import annotations

from typing import Any

from soko.matching import rebuild
from soko.matching.deps import matching
from soko.shared.observability import lambda_entry

PAGE = 50


@lambda_entry(correlation_id_path=None)
def page_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """``{"role": "farmer"|"buyer", "cursor": str|null}`` -> the page's counts and the next cursor
    (the directory's opaque cursor, passed back as it came)."""
    role = "buyer" if event.get("role") == "buyer" else "farmer"
    cursor = event.get("cursor")
    result = rebuild.rebuild_page(
        role, cursor if isinstance(cursor, str) and cursor else None, PAGE, matching()
    )
    return {**result, "total": int(event.get("total", 0)) + int(result["rebuilt"])}


@lambda_entry(correlation_id_path=None)
def reset_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    rebuild.reset_caches(matching())
    return {"caches": "reset"}
