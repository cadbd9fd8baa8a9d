"""Bulk-buying groups' rules: start, join, leave, completion at the target or at the deadline,
expiry, and what the market's and payments' events do to a group (docs/aggregation.md "Bulk-buying
groups"). Pydantic and plain items in and out; the ports below are implemented by ``dal.GroupsDal``,
``soko.market.public.MarketReads``, ``soko.shared.bus.EventPublisher`` and
``soko.shared.timers.SchedulerTimers``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from soko.groups.events import GroupCompleted, GroupExpired, GroupRepriced, MemberGrams
from soko.groups.models import (
    MAX_MEMBERS,
    Group,
    GroupCreate,
    GroupPage,
    GroupStatus,
    JoinRefused,
    JoinRequest,
    group_view,
)
from soko.groups.notices import notice
from soko.market.public import ListingTerms, PriceTier, tier_for, tier_price, to_grams, to_kg
from soko.shared import clock, ids
from soko.shared.dynamo import Page
from soko.shared.errors import Conflict, Forbidden, NotFound, Unprocessable
from soko.shared.events import EventDetail
from soko.shared.identity import Caller
from soko.shared.observability import logger
from soko.shared.timers import TimerMessage, timer_name

DEADLINE_KIND = "group.deadline"
MAX_DEADLINE = timedelta(days=30)
_EVENTS: dict[str, type[EventDetail]] = {
    "completed": GroupCompleted,
    "expired": GroupExpired,
    "repriced": GroupRepriced,
}


# ---------------------------------------------------------------------------- errors
class GroupNotFound(NotFound):
    code = "GROUP_NOT_FOUND"


class ListingNotFound(NotFound):
    code = "LISTING_NOT_FOUND"


class BuyersOnly(Forbidden):
    code = "BUYERS_ONLY"


class OwnListing(Forbidden):
    code = "OWN_LISTING"


class ListingNotActive(Conflict):
    code = "LISTING_NOT_ACTIVE"


class ListingHasNoTiers(Conflict):
    code = "LISTING_HAS_NO_TIERS"


class GroupClosed(Conflict):
    code = "GROUP_CLOSED"


class GroupFull(Conflict):
    code = "GROUP_FULL"


class WouldOverfill(Conflict):
    code = "WOULD_OVERFILL"


class AlreadyMember(Conflict):
    code = "ALREADY_MEMBER"


class NotMember(Conflict):
    code = "NOT_A_MEMBER"


class TimerEarly(Exception):
    """A deadline timer that fired before the deadline: the message is retried, never acted on."""


# ---------------------------------------------------------------------------- ports
class GroupStore(Protocol):
    def group(self, group_id: str) -> dict[str, Any] | None: ...
    def member(self, group_id: str, buyer_id: str) -> dict[str, Any] | None: ...
    def members(self, group_id: str) -> list[dict[str, Any]]: ...
    def order_member(self, order_id: str) -> dict[str, Any] | None: ...
    def listing_groups(self, listing_id: str, *, limit: int, cursor: str | None) -> Page: ...
    def buyer_memberships(self, buyer_id: str, *, limit: int, cursor: str | None) -> Page: ...
    def create(self, group: dict[str, Any], starter: dict[str, Any]) -> None: ...
    def join(self, group_id: str, member: dict[str, Any], *, target_g: int) -> None: ...
    def leave(self, group_id: str, buyer_id: str, grams: int, now: str) -> bool: ...
    def complete(
        self,
        group: dict[str, Any],
        members: list[dict[str, Any]],
        changes: dict[str, Any],
        pending: dict[str, Any],
    ) -> bool: ...
    def set_status(
        self,
        group: dict[str, Any],
        status: GroupStatus,
        changes: dict[str, Any],
        pending: dict[str, Any],
        *,
        expect: GroupStatus,
    ) -> bool: ...
    def drop_member(self, group_id: str, buyer_id: str, now: str) -> int | None: ...
    def reprice(self, group: dict[str, Any], changes: dict[str, Any], pending: dict[str, Any]) -> bool: ...
    def member_paid(self, group_id: str, buyer_id: str, now: str) -> bool: ...
    def record_order(self, order_id: str, group_id: str, buyer_id: str, now: str) -> None: ...
    def published(self, group_id: str, pending_key: str) -> None: ...


class Listings(Protocol):
    def listing_terms(self, listing_id: str) -> ListingTerms | None: ...


class Publisher(Protocol):
    def publish(self, events: Iterable[EventDetail]) -> None: ...


class DeadlineTimers(Protocol):
    def set(self, name: str, due: datetime, *, kind: str, subject: str, **fields: Any) -> None: ...


@dataclass(frozen=True)
class GroupDeps:
    store: GroupStore
    publisher: Publisher
    listings: Listings | None = None
    timers: DeadlineTimers | None = None
    pay_hours: int = 48
    min_deadline_minutes: int = 60


def deadline_timer(group_id: str) -> str:
    return timer_name("group", group_id, "deadline")


def _moment(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


# ---------------------------------------------------------------------------- reads
def get(caller: Caller, group_id: str, store: GroupStore) -> Group:
    group = store.group(group_id)
    if group is None:
        raise GroupNotFound("No group has that id.")
    return group_view(group, store.member(group_id, caller.user_id))


def listing_page(listing_id: str, *, limit: int, cursor: str | None, store: GroupStore) -> GroupPage:
    """The listing's open groups before their deadline, soonest deadline first."""
    page = store.listing_groups(listing_id, limit=limit, cursor=cursor)
    now = clock.now_iso()
    return GroupPage(
        items=[group_view(item) for item in page.items if item["deadline"] > now],
        next_cursor=page.next_cursor,
    )


def mine(caller: Caller, *, limit: int, cursor: str | None, store: GroupStore) -> GroupPage:
    """The groups the caller is (or was, once completed) a member of, newest join first."""
    page = store.buyer_memberships(caller.user_id, limit=limit, cursor=cursor)
    items = []
    for member in page.items:
        group = store.group(str(member["group_id"]))
        if group is not None:
            items.append(group_view(group, store.member(group["id"], caller.user_id)))
    return GroupPage(items=items, next_cursor=page.next_cursor)


# ---------------------------------------------------------------------------- start, join, leave
def _tiers(listing: ListingTerms) -> list[PriceTier]:
    return sorted(listing.price_tiers, key=lambda t: t.min_kg)


def start(caller: Caller, request: GroupCreate, deps: GroupDeps) -> Group:
    """A buyer starts a group on an active tiered listing, joining it with their own quantity."""
    assert deps.listings is not None and deps.timers is not None
    if not caller.can_buy():
        raise BuyersOnly("Only buyers start or join buying groups.")
    listing = deps.listings.listing_terms(request.listing_id)
    if listing is None:
        raise ListingNotFound("No listing has that id.", details={"field": "listing_id"})
    if listing.farmer_id == caller.user_id:
        raise OwnListing("You cannot buy from your own listing.")
    if listing.status != "active":
        raise ListingNotActive("This listing is not on sale.")
    tiers = _tiers(listing)
    if not tiers:
        raise ListingHasNoTiers("This listing has no volume price tiers to buy together for.")
    target_g, own_g = to_grams(request.target_kg), to_grams(request.quantity_kg)
    _check_request(request, tiers, listing, timedelta(minutes=deps.min_deadline_minutes))
    group_id = ids.ulid()
    deadline = clock.iso(request.deadline)
    stamp = clock.now_iso()
    group = {
        "id": group_id,
        "listing_id": listing.id,
        "crop": listing.crop,
        "title": listing.title,
        "district": listing.district,
        "farmer_id": listing.farmer_id,
        "starter_id": caller.user_id,
        "target_g": target_g,
        "filled_g": own_g,
        "members": 1,
        "deadline": deadline,
        "status": "open",
        "list_price_per_kg": listing.price_per_kg,
        "tiers": [t.model_dump(mode="json") for t in tiers],
        "pending": {},
        "version": 1,
        "created_at": stamp,
        "updated_at": stamp,
    }
    member = {
        "group_id": group_id,
        "buyer_id": caller.user_id,
        "grams": own_g,
        "joined_at": stamp,
        "status": "joined",
    }
    # the timer first: one that fires for a group never written does nothing
    deps.timers.set(deadline_timer(group_id), _moment(deadline), kind=DEADLINE_KIND, subject=group_id)
    deps.store.create(group, member)
    if own_g == target_g:
        _complete(group_id, deps, at_deadline=False)
    return get(caller, group_id, deps.store)


def _check_request(
    request: GroupCreate, tiers: list[PriceTier], listing: ListingTerms, min_deadline: timedelta
) -> None:
    """The target reaches the lowest tier and is within the stock; the starter's quantity within
    the target; the deadline ``min_deadline`` (1 hour unless the stack's GroupMinDeadlineMinutes
    says otherwise) to 30 days ahead (422 with the field)."""
    if request.target_kg < tiers[0].min_kg:
        raise Unprocessable(
            f"The target must reach the lowest tier, {tiers[0].min_kg.normalize():f} kg.",
            details={"field": "target_kg", "min_kg": str(tiers[0].min_kg)},
        )
    if to_grams(request.target_kg) > listing.quantity_g:
        raise Unprocessable(
            f"The listing has only {to_kg(listing.quantity_g).normalize():f} kg.",
            details={"field": "target_kg", "available_kg": str(to_kg(listing.quantity_g))},
        )
    if request.quantity_kg > request.target_kg:
        raise Unprocessable("Your quantity is more than the target.", details={"field": "quantity_kg"})
    now = clock.now()
    if not now + min_deadline <= request.deadline <= now + MAX_DEADLINE:
        minutes = int(min_deadline.total_seconds() // 60)
        least = "1 hour" if minutes == 60 else f"{minutes} minutes"
        raise Unprocessable(
            f"The deadline must be at least {least} and at most 30 days ahead.", details={"field": "deadline"}
        )


def join(caller: Caller, group_id: str, request: JoinRequest, deps: GroupDeps) -> Group:
    """Join with a quantity: ONE transaction adds it to the fill (never beyond the target) and puts
    the member; the join that reaches the target exactly completes the group."""
    if not caller.can_buy():
        raise BuyersOnly("Only buyers start or join buying groups.")
    group = deps.store.group(group_id)
    if group is None:
        raise GroupNotFound("No group has that id.")
    if group["farmer_id"] == caller.user_id:
        raise OwnListing("You cannot buy from your own listing.")
    grams = to_grams(request.quantity_kg)
    now = clock.now_iso()
    member = {
        "group_id": group_id,
        "buyer_id": caller.user_id,
        "grams": grams,
        "joined_at": now,
        "status": "joined",
    }
    try:
        deps.store.join(group_id, member, target_g=int(group["target_g"]))
    except JoinRefused as refused:
        _refuse(refused.reason, refused.group or group)
    logger.info("group joined", extra={"group_id": group_id, "grams": grams})
    completed = _complete(group_id, deps, at_deadline=False)
    now_group = completed or deps.store.group(group_id) or group
    if now_group["status"] == "open" and now_group["starter_id"] != caller.user_id:
        joined = notice("joined", now_group, now_group["starter_id"], suffix=f"-{caller.user_id}")
        _best_effort(deps, [joined])
    return get(caller, group_id, deps.store)


def _refuse(reason: str, group: dict[str, Any]) -> None:
    if reason == "member":
        raise AlreadyMember("You are in this group already.")
    if reason == "closed":
        raise GroupClosed("This group is no longer open to join.")
    if reason == "full":
        raise GroupFull(f"This group has its {MAX_MEMBERS} members already.")
    room = to_kg(max(0, int(group["target_g"]) - int(group["filled_g"])))
    raise WouldOverfill(
        f"That is more than the room left: {room.normalize():f} kg.", details={"room_kg": str(room)}
    )


def leave(caller: Caller, group_id: str, deps: GroupDeps) -> Group:
    """Leave an open group before its deadline (ONE transaction: the member's item and its grams)."""
    group = deps.store.group(group_id)
    if group is None:
        raise GroupNotFound("No group has that id.")
    member = deps.store.member(group_id, caller.user_id)
    if member is None:
        raise NotMember("You are not in this group.")
    now = clock.now_iso()
    if group["status"] != "open" or group["deadline"] <= now or member["status"] != "joined":
        raise GroupClosed("This group is closed: you can no longer leave it.")
    if not deps.store.leave(group_id, caller.user_id, int(member["grams"]), now):
        raise GroupClosed("This group is closed: you can no longer leave it.")
    return get(caller, group_id, deps.store)


# ---------------------------------------------------------------------------- completion and expiry
def _complete(group_id: str, deps: GroupDeps, *, at_deadline: bool) -> dict[str, Any] | None:
    """Complete the open group if its fill is the target (or, ``at_deadline``, reaches a tier):
    the completed group, or None when it does not complete (yet). Races (a join or leave meanwhile)
    are retried on a fresh read."""
    for _ in range(5):
        group = deps.store.group(group_id)
        if group is None or group["status"] != "open":
            return None
        filled = int(group["filled_g"])
        if not at_deadline and filled != int(group["target_g"]):
            return None
        tiers = [PriceTier.model_validate(t) for t in group["tiers"]]
        tier = tier_for(tiers, to_kg(filled))
        if tier is None:
            return None
        members = deps.store.members(group_id)
        price = tier_price(int(group["list_price_per_kg"]), tier)
        now = clock.now()
        pay_by = clock.iso(now + timedelta(hours=deps.pay_hours))
        event = GroupCompleted(
            group_id=group_id,
            listing_id=group["listing_id"],
            farmer_id=group["farmer_id"],
            price_per_kg=price,
            discount_percent=tier.discount_percent,
            pay_by=pay_by,
            members=[MemberGrams(buyer_id=m["buyer_id"], grams=int(m["grams"])) for m in members],
        )
        changes = {
            "price_per_kg": price,
            "discount_percent": tier.discount_percent,
            "tier": tier.model_dump(mode="json"),
            "pay_by": pay_by,
            "active_g": filled,
            "completed_at": clock.iso(now),
            "updated_at": clock.iso(now),
        }
        pending = {"key": "completed", "kind": "completed", "event": event.model_dump_json()}
        if deps.store.complete(group, members, changes, pending):
            logger.info("group completed", extra={"group_id": group_id, "price_per_kg": price})
            done = deps.store.group(group_id)
            if done is not None:
                _flush_safely(done, deps)
            return done
    return None


def on_timer(message: TimerMessage, deps: GroupDeps) -> str | None:
    """The deadline: an open group completes at the tier its fill reached, or expires (nobody is
    charged). A group that moved on publishes what it still owes; otherwise nothing."""
    if message.kind != DEADLINE_KIND:
        raise ValueError(f"unknown group timer kind {message.kind!r}")
    group = deps.store.group(message.subject)
    if group is None:
        return None
    if clock.now() < _moment(group["deadline"]):
        raise TimerEarly(f"the deadline {group['deadline']} has not passed")
    if group["status"] == "open":
        done = _complete(group["id"], deps, at_deadline=True)
        if done is not None:
            return "completed"
        group = deps.store.group(group["id"]) or group
        if group["status"] == "open":
            event = GroupExpired(
                group_id=group["id"],
                listing_id=group["listing_id"],
                members=[
                    MemberGrams(buyer_id=m["buyer_id"], grams=int(m["grams"]))
                    for m in deps.store.members(group["id"])
                ],
            )
            changes = {"updated_at": clock.now_iso(), "expired_at": clock.now_iso()}
            pending = {"key": "expired", "kind": "expired", "event": event.model_dump_json()}
            if deps.store.set_status(group, "expired", changes, pending, expect="open"):
                group = deps.store.group(group["id"]) or group
    flush(group, deps)
    return str(group["status"])


# ---------------------------------------------------------------------------- market and payments events
def on_group_order(order_id: str, group_id: str, buyer_id: str, store: GroupStore) -> None:
    """The market created the member's order: remember it (a payment finds the member by it)."""
    store.record_order(order_id, group_id, buyer_id, clock.now_iso())


def on_paid(order_id: str, store: GroupStore) -> bool:
    """A member's order was paid (their price is final). False: not a group's order, or not
    awaiting payment."""
    found = store.order_member(order_id)
    if found is None:
        return False
    return store.member_paid(found["group_id"], found["buyer_id"], clock.now_iso())


def on_dropped(group_id: str, buyer_id: str, deps: GroupDeps) -> str | None:
    """A member's order expired unpaid or was cancelled before paying: the member drops out, their
    grams leave the group's ``active_g`` and the tier is recomputed (:func:`recompute`). Idempotent:
    a member drops once; the recompute compares with the stored price."""
    grams = deps.store.drop_member(group_id, buyer_id, clock.now_iso())
    logger.info("group member dropped", extra={"group_id": group_id, "dropped": grams is not None})
    return recompute(group_id, deps)


def recompute(group_id: str, deps: GroupDeps) -> str | None:
    """THE DROP-OUT RULE: the tier is the best one the grams of the members still in (``ordered``
    or ``paid``: ``active_g``) reach; the price is that tier's (the list price below the lowest
    tier). If it differs from the group's price, the group takes it and ``GroupRepriced`` tells the
    market to re-price the orders still unpaid (paid orders keep their price: it never rises for
    someone who paid). The new price per kg, or None when unchanged."""
    for _ in range(5):
        group = deps.store.group(group_id)
        if group is None or group["status"] != "completed":
            return None
        tiers = [PriceTier.model_validate(t) for t in group["tiers"]]
        tier = tier_for(tiers, to_kg(int(group["active_g"])))
        price = tier_price(int(group["list_price_per_kg"]), tier)
        if price == int(group["price_per_kg"]):
            flush(group, deps)
            return None
        discount = tier.discount_percent if tier else 0
        event = GroupRepriced(
            group_id=group_id, listing_id=group["listing_id"], price_per_kg=price, discount_percent=discount
        )
        key = f"repriced-{int(group['version'])}"
        changes = {
            "price_per_kg": price,
            "discount_percent": discount,
            "tier": tier.model_dump(mode="json") if tier else {},
            "updated_at": clock.now_iso(),
        }
        entry = {"key": key, "kind": "repriced", "event": event.model_dump_json()}
        if deps.store.reprice(group, changes, entry):
            logger.info("group repriced", extra={"group_id": group_id, "price_per_kg": price})
            flush(deps.store.group(group_id) or group, deps)
            return str(price)
    raise Conflict("The group kept changing; retry.")


def on_refused(group_id: str, deps: GroupDeps) -> bool:
    """The market could not supply the completed group (``GroupOrdersRefused``): it fails, nobody
    is charged (no order was created), every member is told."""
    group = deps.store.group(group_id)
    if group is None:
        return False
    moved = False
    if group["status"] == "completed":
        changes = {"updated_at": clock.now_iso(), "failed_at": clock.now_iso()}
        pending = {"key": "failed", "kind": "failed", "event": None}
        moved = deps.store.set_status(group, "failed", changes, pending, expect="completed")
        group = deps.store.group(group_id) or group
    flush(group, deps)
    return moved


# ---------------------------------------------------------------------------- publishing what a change owes
def _recipients(kind: str, group: dict[str, Any], members: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if kind == "repriced":
        return [m for m in members if m["status"] == "ordered"]
    if kind == "completed":
        return [m for m in members if m["status"] != "dropped"]
    return members


def flush(group: dict[str, Any], deps: GroupDeps) -> None:
    """Publish the group's pending entries (the event and its members' notices), then forget each.
    Raises when the bus refuses (the caller's retry, or the deadline timer, publishes again: the
    event keeps its id and each notice its notice id)."""
    pending: dict[str, Any] = group.get("pending") or {}
    if not pending:
        return
    members = deps.store.members(group["id"])
    for key, entry in sorted(pending.items()):
        kind = str(entry["kind"])
        events: list[EventDetail] = []
        if entry.get("event"):
            events.append(_EVENTS[kind].model_validate_json(str(entry["event"])))
        suffix = f"-{key}" if kind == "repriced" else ""
        events.extend(
            notice(kind, group, m["buyer_id"], grams=int(m["grams"]), suffix=suffix)
            for m in _recipients(kind, group, members)
        )
        deps.publisher.publish(events)
        deps.store.published(group["id"], key)


def _flush_safely(group: dict[str, Any], deps: GroupDeps) -> None:
    """Flush after a change a caller made (a join): a bus that fails now does not undo the join;
    the deadline timer publishes what is still pending."""
    try:
        flush(group, deps)
    except Exception:  # the change is stored; its events wait in ``pending``
        logger.exception("group events not published yet", extra={"group_id": group["id"]})


def _best_effort(deps: GroupDeps, events: list[EventDetail]) -> None:
    try:
        deps.publisher.publish(events)
    except Exception:  # a "someone joined" notice is not worth failing the join for
        logger.exception("group notice not published")
