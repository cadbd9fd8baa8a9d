"""Hidden listings: an admin's takedown and restore, and the listings of a suspended farmer.

A hidden listing (``status`` ``hidden``) has no browse-index keys, so it leaves browse and search;
``GET /listings/{id}`` finds it for its farmer and admins only, with ``moderation`` saying why;
and it cannot be ordered (placing an order requires ``status = active``). Two independent reasons
hide it, and it shows again only when neither holds:

- ``takedown``: an admin took it down, with a reason (``POST /admin/listings/{id}/takedown``),
  until an admin restores it; both publish the market's ``AdminActionTaken`` in the change's
  transaction (the outbox), which the admin domain's audit log records;
- ``farmer_suspended``: identity suspended its farmer (``UserSuspended``) until ``UserReinstated``.
  Reinstating never brings back a listing an admin took down.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from soko.market import events as ev
from soko.market.dal import ListingNotFound, listing_index_keys
from soko.market.listings import _listing, _listing_event, load_listing
from soko.market.models import Listing, ModerationRequest
from soko.market.ports import Item, Market
from soko.shared import clock
from soko.shared.errors import Conflict
from soko.shared.events import EventDetail
from soko.shared.identity import Caller
from soko.shared.observability import logger

RETRIES = 3


class ModerationStore(Protocol):
    def get_listing(self, listing_id: str) -> Item | None: ...
    def moderate_listing(
        self,
        listing_id: str,
        version: int,
        sets: Item,
        removes: list[str],
        events: list[EventDetail],
        *,
        marker: tuple[str, bool] | None = None,
        suspended: tuple[str, bool] | None = None,
    ) -> bool: ...
    def farmer_suspended(self, farmer_id: str) -> bool: ...
    def set_farmer_suspension(self, farmer_id: str, suspended: bool, at: str, event_id: str) -> bool: ...
    def active_listing_ids(self, farmer_id: str) -> list[str]: ...
    def suspended_listing_ids(self, farmer_id: str) -> list[str]: ...


@dataclass
class Moderation:
    market: Market  # the listing's view (media URLs)
    store: ModerationStore


class AlreadyTakenDown(Conflict):
    code = "LISTING_ALREADY_TAKEN_DOWN"


class NotTakenDown(Conflict):
    code = "LISTING_NOT_TAKEN_DOWN"


class ModerationConflict(Conflict):
    code = "CONCURRENT_UPDATE"


def _index_removes(item: Item) -> list[str]:
    return [k for k in listing_index_keys(item) if k in item]


def _hide(item: Item, sets: Item) -> tuple[Item, list[str]]:
    """The sets and removes that hide ``item`` (with ``sets`` besides)."""
    return {**sets, "status": "hidden"}, _index_removes(item)


def _show(item: Item, sets: Item) -> Item:
    return {**sets, "status": "active", **listing_index_keys(item)}


def _bump(item: Item) -> Item:
    return {"updated_at": clock.now_iso(), "version": int(item["version"]) + 1}


def _live(listing_id: str, deps: Moderation) -> Item:
    item = load_listing(listing_id, deps.market)
    if item["status"] == "deleted":
        raise ListingNotFound("No such listing.", details={"id": listing_id})
    return item


def _action(caller: Caller, item: Item, action: str, reason: str) -> ev.AdminActionTaken:
    return ev.AdminActionTaken(
        admin_id=caller.user_id,
        action=action,
        target_type="listing",
        target_id=str(item["id"]),
        reason=reason,
        at=clock.now_iso(),
        details={"farmer_id": item["farmer_id"], "title": item["title"]},
    )


def takedown(caller: Caller, listing_id: str, request: ModerationRequest, deps: Moderation) -> Listing:
    caller.require("admin")
    item = _live(listing_id, deps)
    if item.get("takedown"):
        raise AlreadyTakenDown("This listing is already taken down.", details={"id": listing_id})
    record = {"reason": request.reason, "by": caller.user_id, "at": clock.now_iso()}
    sets, removes = _hide(item, {"takedown": record, **_bump(item)})
    new = {**{k: v for k, v in item.items() if k not in removes}, **sets}
    events = [
        _listing_event(new, ev.ListingUpdated),
        _action(caller, item, "listing.takedown", request.reason),
    ]
    if not deps.store.moderate_listing(listing_id, int(item["version"]), sets, removes, events):
        raise ModerationConflict("The listing changed at the same moment; try again.")
    return _listing(new, deps.market, with_moderation=True)


def restore(caller: Caller, listing_id: str, request: ModerationRequest, deps: Moderation) -> Listing:
    """Lift an admin's takedown: the listing shows again, unless its farmer is suspended (then it
    stays hidden until the farmer is reinstated)."""
    caller.require("admin")
    item = _live(listing_id, deps)
    if not item.get("takedown"):
        raise NotTakenDown("This listing is not taken down.", details={"id": listing_id})
    farmer = str(item["farmer_id"])
    suspended = deps.store.farmer_suspended(farmer)
    base = _bump(item)
    if suspended:
        sets, removes = {**base, "status": "hidden", "farmer_suspended": True}, ["takedown"]
        marker: tuple[str, bool] | None = (farmer, True)
    else:
        sets, removes = (
            _show(item, base),
            ["takedown", *(["farmer_suspended"] if "farmer_suspended" in item else [])],
        )
        marker = None
    new = {**{k: v for k, v in item.items() if k not in removes}, **sets}
    events = [
        _listing_event(new, ev.ListingUpdated),
        _action(caller, item, "listing.restore", request.reason),
    ]
    if not deps.store.moderate_listing(
        listing_id, int(item["version"]), sets, removes, events, marker=marker, suspended=(farmer, suspended)
    ):
        raise ModerationConflict("The listing or its farmer changed at the same moment; try again.")
    return _listing(new, deps.market, with_moderation=True)


# ---------------------------------------------------------------------------- suspended farmers
def _retrying(listing_id: str, change: Callable[[Item], bool | None], deps: Moderation) -> None:
    """Apply ``change`` to the listing's current item (it returns None when there is nothing to do,
    False when its conditional write lost a race), re-reading it up to ``RETRIES`` times."""
    for _ in range(RETRIES):
        item = deps.store.get_listing(listing_id)
        if item is None:
            return
        outcome = change(item)
        if outcome is None or outcome:
            return
    raise ModerationConflict("A listing kept changing while its farmer's suspension was applied.")


def _hide_for_suspension(farmer: str, deps: Moderation) -> Callable[[Item], bool | None]:
    def change(item: Item) -> bool | None:
        if item["status"] != "active" or item.get("farmer_suspended"):
            return None  # deleted, already hidden (a takedown: restoring it will see the suspension)
        sets, removes = _hide(item, {"farmer_suspended": True, **_bump(item)})
        new = {**{k: v for k, v in item.items() if k not in removes}, **sets}
        return deps.store.moderate_listing(
            str(item["id"]),
            int(item["version"]),
            sets,
            removes,
            [_listing_event(new, ev.ListingUpdated)],
            marker=(farmer, True),
            suspended=(farmer, True),
        )

    return change


def _show_after_suspension(farmer: str, deps: Moderation) -> Callable[[Item], bool | None]:
    def change(item: Item) -> bool | None:
        base = _bump(item)
        events: list[EventDetail] = []
        if item["status"] == "hidden" and not item.get("takedown"):
            sets = _show(item, base)
            new = {**item, **sets}
            new.pop("farmer_suspended", None)
            events.append(_listing_event(new, ev.ListingUpdated))
        else:  # taken down (stays hidden) or deleted: only the suspension's mark goes
            sets = base
        removes = ["farmer_suspended"] if "farmer_suspended" in item else []
        return deps.store.moderate_listing(
            str(item["id"]),
            int(item["version"]),
            sets,
            removes,
            events,
            marker=(farmer, False),
            suspended=(farmer, False),
        )

    return change


def apply_suspension(farmer_id: str, suspended: bool, at: str, event_id: str, deps: Moderation) -> int:
    """Record the farmer's suspension state (unless a later change is recorded) and bring every
    listing of theirs in line with the recorded state: idempotent and convergent, whatever the
    order the events arrive in. The number of listings it looked at."""
    if not deps.store.set_farmer_suspension(farmer_id, suspended, at, event_id):
        logger.info("an older suspension change; applying the recorded state", extra={"user_id": farmer_id})
    if deps.store.farmer_suspended(farmer_id):
        ids = deps.store.active_listing_ids(farmer_id)
        change = _hide_for_suspension(farmer_id, deps)
    else:
        ids = deps.store.suspended_listing_ids(farmer_id)
        change = _show_after_suspension(farmer_id, deps)
    for listing_id in ids:
        _retrying(listing_id, change, deps)
    return len(ids)
