"""Cooperatives' rules (pydantic in, pydantic out; the table behind the :class:`CoopStore` port).

Who may do what: any farmer creates a coop and becomes its manager and first member; a manager adds
registered farmers (by phone or user id) and publishes pooled listings; a member commits quantities
of the coop's crops and confirms their allocations; managers and admins read the whole coop, a
member the coop and their own part. Allocation, release and payouts come from the market's and
payments' events (:func:`allocate`, :func:`release`, ...); the rule is docs/aggregation.md's
"Cooperatives".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from soko.coops.allocation import largest_remainder
from soko.coops.dal import MAX_POOL_COMMITMENTS, AlreadyMember, CoopNotFound, PoolFull
from soko.coops.events import CommitmentPooled, CoopNoticeIssued, OrderAllocated, PoolPublished, Share
from soko.coops.models import (
    Allocation,
    Commitment,
    CommitmentCreate,
    Coop,
    CoopCreate,
    CoopDetail,
    Member,
    MemberAdd,
    MyCoops,
    PooledListing,
    PoolListingCreate,
)
from soko.market.public import to_grams, to_kg
from soko.shared import clock, ids, phone
from soko.shared.errors import Conflict, Forbidden, NotFound, Unprocessable
from soko.shared.events import EventDetail
from soko.shared.identity import Caller
from soko.shared.notices import Texts

__all__ = ["AlreadyMember", "CoopNotFound", "PoolFull"]

ALLOCATION_ATTEMPTS = 6


# ---------------------------------------------------------------------------------------- errors
class NotAMember(Forbidden):
    code = "NOT_A_MEMBER"


class NotAManager(Forbidden):
    code = "NOT_A_MANAGER"


class NotAFarmer(Forbidden):
    code = "NOT_A_FARMER"


class UserNotFound(NotFound):
    code = "USER_NOT_FOUND"


class AllocationNotFound(NotFound):
    code = "ALLOCATION_NOT_FOUND"


class CropNotInCoop(Unprocessable):
    code = "CROP_NOT_IN_COOP"


class NoOpenCommitments(Conflict):
    code = "NO_OPEN_COMMITMENTS"


class PoolLive(Conflict):
    code = "POOL_LIVE"


class AllocationReleased(Conflict):
    code = "ALLOCATION_RELEASED"


class PoolShort(Conflict):
    """The pool's unallocated grams cannot cover a confirmed order (the market's stock is the pool's,
    so only a bug gets here): the event fails and is retried, then dead-lettered (an alarm)."""

    code = "POOL_SHORT"


# ----------------------------------------------------------------------------------------- ports
class CoopStore(Protocol):
    def create_coop(self, coop: dict[str, Any], manager: dict[str, Any]) -> None: ...
    def add_member(self, coop_id: str, member: dict[str, Any]) -> None: ...
    def coop(self, coop_id: str) -> dict[str, Any] | None: ...
    def member(self, coop_id: str, user_id: str) -> dict[str, Any] | None: ...
    def members(self, coop_id: str) -> list[dict[str, Any]]: ...
    def commitments(self, coop_id: str) -> list[dict[str, Any]]: ...
    def pools(self, coop_id: str) -> list[dict[str, Any]]: ...
    def coop_allocations(self, coop_id: str) -> list[dict[str, Any]]: ...
    def memberships(self, user_id: str) -> list[dict[str, Any]]: ...
    def member_commitments(self, user_id: str) -> list[dict[str, Any]]: ...
    def member_allocations(self, user_id: str) -> list[dict[str, Any]]: ...
    def add_commitment(self, commitment: dict[str, Any]) -> None: ...
    def add_pooled_commitment(self, commitment: dict[str, Any], coop_id: str, listing_id: str) -> bool: ...
    def open_commitments(self, coop_id: str, crop: str) -> list[dict[str, Any]]: ...
    def pooled_commitments(self, listing_id: str) -> list[dict[str, Any]]: ...
    def live_pool(self, coop_id: str, crop: str) -> dict[str, Any] | None: ...
    def pool_by_listing(self, listing_id: str) -> dict[str, Any] | None: ...
    def create_pool(
        self, pool: dict[str, Any], commitments: list[dict[str, Any]], *, replaces: str | None
    ) -> bool: ...
    def pool_published(self, coop_id: str, listing_id: str) -> None: ...
    def order(self, order_id: str) -> dict[str, Any] | None: ...
    def order_allocations(self, order_id: str) -> list[dict[str, Any]]: ...
    def allocate(
        self,
        header: dict[str, Any],
        draws: list[tuple[dict[str, Any], int]],
        allocations: list[dict[str, Any]],
    ) -> str: ...
    def release(self, order_id: str, header: dict[str, Any], allocations: list[dict[str, Any]]) -> bool: ...
    def complete(self, order_id: str, allocations: list[dict[str, Any]]) -> bool: ...
    def confirm_by_member(self, order_id: str, member_id: str) -> dict[str, Any] | None: ...
    def record_payout(self, order_id: str, payout_id: str, member_id: str, net_ugx: int) -> bool: ...


class Account(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def full_name(self) -> str | None: ...


class Accounts(Protocol):
    def get(self, user_id: str) -> Account | None: ...
    def by_phone(self, phone: str) -> Account | None: ...


class Publisher(Protocol):
    def publish(self, events: Iterable[EventDetail]) -> None: ...


@dataclass
class Coops:
    store: CoopStore
    accounts: Callable[[], Accounts] | None = None
    publisher: Publisher | None = None

    def publish(self, *events: EventDetail) -> None:
        assert self.publisher is not None, "this function is wired with the bus"
        self.publisher.publish(events)


# ----------------------------------------------------------------------------------------- views
def _coop(item: dict[str, Any], role: str | None) -> Coop:
    return Coop.model_validate({**item, "fee_percent": Decimal(str(item["fee_percent"])), "my_role": role})


def _commitment(item: dict[str, Any]) -> Commitment:
    return Commitment(
        id=item["id"],
        coop_id=item["coop_id"],
        member_id=item["member_id"],
        crop=item["crop"],
        quantity_kg=to_kg(int(item["quantity_g"])),
        allocated_kg=to_kg(int(item.get("allocated_g", 0))),
        listing_id=item.get("listing_id"),
        created_at=item["created_at"],
    )


def _pool(item: dict[str, Any]) -> PooledListing:
    return PooledListing(
        listing_id=item["listing_id"],
        coop_id=item["coop_id"],
        crop=item["crop"],
        quantity_kg=to_kg(int(item["quantity_g"])),
        commitments=int(item["commitments"]),
        status=item["status"],
        created_at=item["created_at"],
    )


def _allocation(item: dict[str, Any]) -> Allocation:
    return Allocation(
        order_id=item["order_id"],
        listing_id=item["listing_id"],
        coop_id=item["coop_id"],
        member_id=item["member_id"],
        crop=item["crop"],
        quantity_kg=to_kg(int(item["grams"])),
        status=item["status"],
        confirmed_by_member=bool(item.get("confirmed_by_member", False)),
        share_ugx=int(item["share_ugx"]) if item.get("share_ugx") is not None else None,
        created_at=item["created_at"],
    )


def _member(item: dict[str, Any]) -> Member:
    return Member(
        user_id=item["user_id"], name=item.get("name"), role=item["role"], joined_at=item["joined_at"]
    )


def _require_coop(coop_id: str, deps: Coops) -> dict[str, Any]:
    coop = deps.store.coop(coop_id)
    if coop is None:
        raise CoopNotFound("No such cooperative.")
    return coop


def _require_member(caller: Caller, coop_id: str, deps: Coops) -> tuple[dict[str, Any], dict[str, Any]]:
    coop = _require_coop(coop_id, deps)
    member = deps.store.member(coop_id, caller.user_id)
    if member is None:
        raise NotAMember("Only the cooperative's members may do this.")
    return coop, member


def _require_manager(caller: Caller, coop_id: str, deps: Coops) -> dict[str, Any]:
    coop, member = _require_member(caller, coop_id, deps)
    if member["role"] != "manager":
        raise NotAManager("Only the cooperative's managers may do this.")
    return coop


# ------------------------------------------------------------------------------------- endpoints
def create_coop(caller: Caller, request: CoopCreate, deps: Coops) -> Coop:
    if not caller.can_sell():
        raise NotAFarmer("Only farmers start cooperatives.")
    now = clock.now_iso()
    coop = {
        "id": ids.ulid(),
        "name": request.name,
        "district": request.district,
        "crops": list(dict.fromkeys(request.crops)),
        "fee_percent": str(request.fee_percent),
        "created_by": caller.user_id,
        "created_at": now,
    }
    name = _name(caller.user_id, deps)
    deps.store.create_coop(
        coop, {"user_id": caller.user_id, "role": "manager", "name": name, "joined_at": now}
    )
    return _coop({**coop, "member_count": 1}, "manager")


def _name(user_id: str, deps: Coops) -> str | None:
    account = deps.accounts().get(user_id) if deps.accounts else None
    return account.full_name if account else None


def get_coop(caller: Caller, coop_id: str, deps: Coops) -> CoopDetail:
    coop = _require_coop(coop_id, deps)
    member = deps.store.member(coop_id, caller.user_id)
    if member is None and not caller.is_admin:
        raise NotAMember("Only the cooperative's members see it.")
    role = member["role"] if member else None
    everything = caller.is_admin or role == "manager"
    mine = (lambda item: True) if everything else (lambda item: item["member_id"] == caller.user_id)
    return CoopDetail(
        **_coop(coop, role).model_dump(),
        members=[_member(m) for m in deps.store.members(coop_id)]
        if everything
        else [_member(member)]
        if member
        else [],
        commitments=[_commitment(c) for c in deps.store.commitments(coop_id) if mine(c)],
        pools=[_pool(p) for p in deps.store.pools(coop_id)],
        allocations=[_allocation(a) for a in deps.store.coop_allocations(coop_id) if mine(a)],
    )


def add_member(caller: Caller, coop_id: str, request: MemberAdd, deps: Coops) -> Member:
    _require_manager(caller, coop_id, deps)
    if (request.phone is None) == (request.user_id is None):
        raise Unprocessable(
            "Give the farmer's phone number or their user id (one of the two).",
            details={"field": "phone"},
            code="PHONE_OR_USER_ID",
        )
    assert deps.accounts is not None, "this function is wired with identity's accounts"
    accounts = deps.accounts()
    if request.phone is not None:
        try:
            number = phone.normalize(request.phone)
        except ValueError as err:
            raise Unprocessable(str(err), details={"field": "phone"}, code="INVALID_PHONE") from None
        account = accounts.by_phone(number)
    else:
        account = accounts.get(str(request.user_id))
    if account is None:
        raise UserNotFound("No registered farmer has this phone number or id.")
    if account.role not in ("farmer", "both"):
        raise NotAFarmer("Only farmers join a cooperative.")
    member = {
        "user_id": account.id,
        "role": request.role,
        "name": account.full_name,
        "joined_at": clock.now_iso(),
    }
    deps.store.add_member(coop_id, member)
    return _member(member)


def commit(caller: Caller, coop_id: str, request: CommitmentCreate, deps: Coops) -> Commitment:
    coop, _ = _require_member(caller, coop_id, deps)
    if request.crop not in coop["crops"]:
        raise CropNotInCoop(
            "The cooperative does not pool this crop.", details={"field": "crop", "crops": coop["crops"]}
        )
    commitment = {
        "id": ids.ulid(),
        "coop_id": coop_id,
        "member_id": caller.user_id,
        "crop": request.crop,
        "quantity_g": to_grams(request.quantity_kg),
        "allocated_g": 0,
        "created_at": clock.now_iso(),
    }
    pool = deps.store.live_pool(coop_id, request.crop)
    if (
        pool is not None
        and pool["status"] == "live"
        and deps.store.add_pooled_commitment(commitment, coop_id, pool["listing_id"])
    ):
        commitment["listing_id"] = pool["listing_id"]
        deps.publish(
            CommitmentPooled(
                coop_id=coop_id,
                listing_id=pool["listing_id"],
                commitment_id=commitment["id"],
                member_id=caller.user_id,
                grams=commitment["quantity_g"],
            )
        )
    else:  # no live pool (or it is full): the next pool of the crop takes it
        deps.store.add_commitment(commitment)
    return _commitment(commitment)


def publish_pool(caller: Caller, coop_id: str, request: PoolListingCreate, deps: Coops) -> PooledListing:
    coop = _require_manager(caller, coop_id, deps)
    if request.crop not in coop["crops"]:
        raise CropNotInCoop(
            "The cooperative does not pool this crop.", details={"field": "crop", "crops": coop["crops"]}
        )
    live = deps.store.live_pool(coop_id, request.crop)
    replaces = None
    if live is not None:
        if live["status"] == "publishing":  # a retry after the market was not told: tell it again
            _announce(live, coop, request, deps)
            return _pool({**live, "status": "live"})
        if int(live.get("allocated_g", 0)) < int(live["quantity_g"]):
            raise PoolLive(
                "The cooperative's pool of this crop is still selling; new commitments join it.",
                details={"listing_id": live["listing_id"]},
            )
        replaces = live["listing_id"]
    commitments = deps.store.open_commitments(coop_id, request.crop)[:MAX_POOL_COMMITMENTS]
    if not commitments:
        raise NoOpenCommitments("No member has an open commitment of this crop to pool.")
    pool = {
        "listing_id": ids.ulid(),
        "coop_id": coop_id,
        "crop": request.crop,
        "manager_id": caller.user_id,
        "quantity_g": sum(int(c["quantity_g"]) for c in commitments),
        "allocated_g": 0,
        "commitments": len(commitments),
        "status": "publishing",
        "created_at": clock.now_iso(),
    }
    if not deps.store.create_pool(pool, commitments, replaces=replaces):
        raise Conflict("The pool changed at the same moment; try again.", code="CONCURRENT_UPDATE")
    _announce(pool, coop, request, deps)
    return _pool({**pool, "status": "live"})


def _announce(pool: dict[str, Any], coop: dict[str, Any], request: PoolListingCreate, deps: Coops) -> None:
    deps.publish(
        PoolPublished(
            coop_id=coop["id"],
            listing_id=pool["listing_id"],
            manager_id=pool["manager_id"],
            crop=pool["crop"],
            title=request.title,
            district=coop["district"],
            price_per_kg=request.price_per_kg,
            price_tiers=list(request.price_tiers),
            description=request.description,
            quantity_g=int(pool["quantity_g"]),
        )
    )
    deps.store.pool_published(coop["id"], pool["listing_id"])


def mine(caller: Caller, deps: Coops) -> MyCoops:
    coops = []
    for membership in deps.store.memberships(caller.user_id):
        coop = deps.store.coop(membership["coop_id"])
        if coop:
            coops.append(_coop(coop, membership["role"]))
    allocations = [_allocation(a) for a in deps.store.member_allocations(caller.user_id)]
    return MyCoops(
        coops=coops,
        commitments=[_commitment(c) for c in deps.store.member_commitments(caller.user_id)],
        allocations=allocations,
        earnings_ugx=sum(a.share_ugx or 0 for a in allocations if a.status == "paid"),
    )


def confirm_allocation(caller: Caller, coop_id: str, order_id: str, deps: Coops) -> Allocation:
    _require_member(caller, coop_id, deps)
    order = deps.store.order(order_id)
    if order is None or order["coop_id"] != coop_id:
        raise AllocationNotFound("You have no allocation in this order.")
    item = deps.store.confirm_by_member(order_id, caller.user_id)
    if item is None:
        part = next(
            (a for a in deps.store.order_allocations(order_id) if a["member_id"] == caller.user_id), None
        )
        if part is None:
            raise AllocationNotFound("You have no allocation in this order.")
        raise AllocationReleased("The order ended unpaid: your part was given back to your commitment.")
    return _allocation(item)


# -------------------------------------------------------------------------------------- consumers
def split(total: int, commitments: list[dict[str, Any]]) -> list[int]:
    """The order's grams drawn from each commitment, in proportion to what each has unallocated
    (largest remainder; ties to the earliest commitment: the list is oldest first)."""
    free = [int(c["quantity_g"]) - int(c.get("allocated_g", 0)) for c in commitments]
    if total > sum(free):
        raise PoolShort(f"The pool has {sum(free)} g unallocated, the order {total} g.")
    return largest_remainder(total, free)


def allocate(order_id: str, listing_id: str, quantity_kg: Decimal, deps: Coops) -> list[Share] | None:
    """Allocate a confirmed order of a pooled listing (None: not a pool's, or allocated before)."""
    pool = deps.store.pool_by_listing(listing_id)
    if pool is None:
        return None
    grams = to_grams(quantity_kg)
    coop = _require_coop(pool["coop_id"], deps)
    for _ in range(ALLOCATION_ATTEMPTS):
        if deps.store.order(order_id) is not None:
            return None
        commitments = [
            c
            for c in deps.store.pooled_commitments(listing_id)
            if int(c["quantity_g"]) > int(c.get("allocated_g", 0))
        ]
        commitments.sort(key=lambda c: c["id"])
        draws = [(c, g) for c, g in zip(commitments, split(grams, commitments), strict=True) if g > 0]
        per_member: dict[str, dict[str, int]] = {}
        for commitment, drawn in draws:
            per_member.setdefault(commitment["member_id"], {})[commitment["id"]] = drawn
        shares = [Share(member_id=m, grams=sum(parts.values())) for m, parts in per_member.items()]
        now = clock.now_iso()
        header = {
            "order_id": order_id,
            "coop_id": pool["coop_id"],
            "listing_id": listing_id,
            "crop": pool["crop"],
            "grams": grams,
            "status": "allocated",
            "fee_percent": str(coop["fee_percent"]),
            "fee_payee_id": pool["manager_id"],
            "shares": [s.model_dump() for s in shares],
            "created_at": now,
        }
        allocations = [
            {
                "order_id": order_id,
                "listing_id": listing_id,
                "coop_id": pool["coop_id"],
                "member_id": member_id,
                "crop": pool["crop"],
                "grams": sum(parts.values()),
                "parts": parts,
                "status": "proposed",
                "confirmed_by_member": False,
                "created_at": now,
            }
            for member_id, parts in per_member.items()
        ]
        try:
            outcome = deps.store.allocate(header, draws, allocations)
        except Conflict:  # a transaction conflict with another allocation: read again
            continue
        if outcome == "exists":
            return None
        if outcome == "done":
            deps.publish(
                OrderAllocated(
                    coop_id=pool["coop_id"], order_id=order_id, listing_id=listing_id, shares=shares
                )
            )
            return shares
    raise Conflict(
        "The pool kept changing while allocating; the event will be retried.", code="CONCURRENT_UPDATE"
    )


def release(order_id: str, deps: Coops) -> bool:
    """An order that ended unpaid gives its grams back to the commitments (once)."""
    header = deps.store.order(order_id)
    if header is None or header["status"] != "allocated":
        return False
    return deps.store.release(order_id, header, deps.store.order_allocations(order_id))


def complete(order_id: str, deps: Coops) -> bool:
    header = deps.store.order(order_id)
    if header is None or header["status"] != "allocated":
        return False
    return deps.store.complete(order_id, deps.store.order_allocations(order_id))


PAID_TITLE = Texts(en="Pooled order paid", lg="Oda y'ekibiina esasuddwa")
PAID_BODY = (
    "The buyer paid for the cooperative's order of {crop}: your part is {kg} kg. You are paid your "
    "share once the buyer receives it.",
    "Omuguzi asasudde oda y'ekibiina eya {crop}: omugabo gwo gwa kg {kg}. Ofuna ssente zo omuguzi "
    "bw'afuna ebintu.",
)
PAID_SMS = (
    "Soko: the coop's {crop} order is paid. Your part: {kg}kg. You are paid when the buyer receives it.",
    "Soko: oda y'ekibiina eya {crop} esasuddwa. Omugabo gwo: {kg}kg. Osasulwa omuguzi bw'afuna.",
)


def paid_notices(order_id: str, deps: Coops) -> list[CoopNoticeIssued]:
    """Each allocated member hears that the pooled order is paid (English and Luganda)."""
    header = deps.store.order(order_id)
    if header is None or header["status"] == "released":
        return []
    notices = []
    for part in deps.store.order_allocations(order_id):
        values = {"crop": part["crop"].replace("_", " "), "kg": _kg_text(int(part["grams"]))}
        notices.append(
            CoopNoticeIssued(
                notice_id=f"coop-paid:{order_id}:{part['member_id']}",
                user_id=part["member_id"],
                category="payments",
                title=PAID_TITLE,
                body=Texts(en=PAID_BODY[0].format(**values), lg=PAID_BODY[1].format(**values)),
                sms=Texts(en=PAID_SMS[0].format(**values), lg=PAID_SMS[1].format(**values)),
                data={"order_id": order_id, "coop_id": header["coop_id"]},
            )
        )
    if notices:
        deps.publish(*notices)
    return notices


def _kg_text(grams: int) -> str:
    return format(to_kg(grams).normalize(), "f")


def record_payout(order_id: str, payout_id: str, member_id: str, net_ugx: int, deps: Coops) -> bool:
    """A member's payout for a pooled order (once per payout id); a payout to someone without a part
    (the coop's fee to a manager who supplied nothing) changes no allocation."""
    if deps.store.order(order_id) is None:
        return False
    return deps.store.record_payout(order_id, payout_id, member_id, net_ugx)
