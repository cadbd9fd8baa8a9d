"""Listing rules: creating, reading (with a view event), changing, soft-deleting, images, and
browsing (a query plan over the sparse browse indexes, never a scan)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from soko.market import events as ev
from soko.market.dal import BROWSE_INDEXES, BrowseQuery, ListingNotFound, listing_index_keys
from soko.market.models import (
    ImageUpload,
    ImageUploadRequest,
    Listing,
    ListingCreate,
    ListingModeration,
    ListingPage,
    ListingUpdate,
    Sort,
    to_grams,
    to_kg,
)
from soko.market.ports import Market
from soko.market.tiers import PriceTier
from soko.shared import clock, crops, ids
from soko.shared.errors import Conflict, Forbidden, Unprocessable
from soko.shared.identity import Caller

MAX_IMAGES = 8
IMAGE_MAX_BYTES = 10 * 1024 * 1024
VIEW_TTL_SECONDS = 2 * 24 * 3600


# ---------------------------------------------------------------------------- text search keys
def phonetic(word: str) -> str:
    """A rough sound-alike key (``maize`` and ``maze`` -> ``ms``; ``matooke`` and ``matoke`` -> ``mtk``)."""
    text = re.sub("[^a-z]", "", word.lower()).replace("ph", "f").replace("ck", "k")
    text = text.translate(str.maketrans("cqzv", "kksf"))
    if not text:
        return ""
    key = text[0]
    for letter in re.sub("[aeiouyhw]", "", text[1:]):
        if letter != key[-1]:
            key += letter
    return key


def title_keys(*texts: str) -> list[str]:
    words = {w for text in texts for w in re.findall(r"[a-zA-Z]{3,}", text)}
    return sorted({phonetic(w) for w in words} - {""})


# ---------------------------------------------------------------------------- volume price tiers
def stored_tiers(tiers: list[PriceTier]) -> list[dict[str, Any]]:
    """Tiers as a listing item stores them: ``min_kg`` an exact decimal string."""
    return [{"min_kg": str(t.min_kg), "discount_percent": t.discount_percent} for t in tiers]


def item_tiers(item: dict[str, Any]) -> list[PriceTier]:
    """A listing item's tiers (none stored: none)."""
    return [
        PriceTier(min_kg=Decimal(str(t["min_kg"])), discount_percent=int(t["discount_percent"]))
        for t in item.get("price_tiers") or []
    ]


# ---------------------------------------------------------------------------- listings
def moderation(item: dict[str, Any]) -> ListingModeration | None:
    """Why a listing is hidden (None when nothing hides it)."""
    takedown = item.get("takedown")
    if not takedown and not item.get("farmer_suspended"):
        return None
    return ListingModeration(
        taken_down=bool(takedown),
        reason=(takedown or {}).get("reason"),
        taken_down_at=(takedown or {}).get("at"),
        farmer_suspended=bool(item.get("farmer_suspended")),
    )


def sees_hidden(viewer: Caller | None, item: dict[str, Any]) -> bool:
    """A hidden listing shows to its farmer and to admins only."""
    return viewer is not None and (viewer.is_admin or viewer.user_id == item["farmer_id"])


def _listing(item: dict[str, Any], deps: Market, *, with_moderation: bool = False) -> Listing:
    crop = crops.by_id(item["crop"])
    return Listing(
        id=item["id"],
        farmer_id=item["farmer_id"],
        title=item["title"],
        category=item["category"],
        crop=item["crop"],
        crop_name=crop.name if crop else item["crop"],
        price_per_kg=int(item["price_per_kg"]),
        quantity_kg=to_kg(int(item["quantity_g"])),
        district=item["district"],
        description=item.get("description"),
        harvest_date=item.get("harvest_date"),
        status=item["status"],
        images=[deps.media.view_url(key) for key in item.get("images", [])],
        created_at=item["created_at"],
        updated_at=item["updated_at"],
        moderation=moderation(item) if with_moderation else None,
        price_tiers=item_tiers(item),
        coop_id=item.get("coop_id"),
    )


def _listing_event(item: dict[str, Any], kind: type[ev.ListingCreated] | type[ev.ListingUpdated]) -> Any:
    fields = {
        "listing_id": item["id"],
        "farmer_id": item["farmer_id"],
        "crop": item["crop"],
        "category": item["category"],
        "district": item["district"],
        "price_per_kg_ugx": int(item["price_per_kg"]),
        "quantity_kg": to_kg(int(item["quantity_g"])),
    }
    return kind(**fields) if kind is ev.ListingCreated else ev.ListingUpdated(**fields, status=item["status"])


def create_listing(caller: Caller, request: ListingCreate, deps: Market) -> Listing:
    if not caller.can_sell():
        raise Forbidden("Only farmers can list produce.", details={"role": caller.role})
    crop = crops.by_id(request.crop)
    assert crop is not None  # the model validated it
    now = clock.now_iso()
    item: dict[str, Any] = {
        "id": ids.ulid(),
        "farmer_id": caller.user_id,
        "title": request.title,
        "category": request.category or crop.category,
        "crop": crop.id,
        "price_per_kg": request.price_per_kg,
        "quantity_g": to_grams(request.quantity_kg),
        "district": request.district,
        "description": request.description,
        "harvest_date": request.harvest_date.isoformat() if request.harvest_date else None,
        "status": "active",
        "images": [],
        "title_keys": title_keys(request.title, *crop.names),
        "price_tiers": stored_tiers(request.price_tiers) or None,
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }
    item.update(pk=f"LISTING#{item['id']}", sk="LISTING", **listing_index_keys(item))
    deps.dal.create_listing(item, [_listing_event(item, ev.ListingCreated)])
    return _listing(item, deps)


def load_listing(listing_id: str, deps: Market) -> dict[str, Any]:
    item = deps.dal.get_listing(listing_id)
    if item is None:
        raise ListingNotFound("No such listing.", details={"id": listing_id})
    return item


def _own_listing(caller: Caller, listing_id: str, deps: Market) -> dict[str, Any]:
    item = load_listing(listing_id, deps)
    if item["farmer_id"] != caller.user_id:
        raise Forbidden("Only the farmer who listed this can change it.")
    if item["status"] == "deleted":
        raise ListingNotFound("No such listing.", details={"id": listing_id})
    return item


def get_listing(viewer: Caller | None, listing_id: str, deps: Market) -> Listing:
    """A hidden listing (taken down, or its farmer suspended) is not found, but by its farmer and
    admins, who see why."""
    item = load_listing(listing_id, deps)
    if item["status"] == "hidden" and not sees_hidden(viewer, item):
        raise ListingNotFound("No such listing.", details={"id": listing_id})
    if viewer is not None and viewer.user_id != item["farmer_id"] and item["status"] == "active":
        day = clock.now().date().isoformat()
        viewed = ev.ListingViewed(
            listing_id=listing_id,
            farmer_id=item["farmer_id"],
            viewer_id=viewer.user_id,
            crop=item["crop"],
            day=day,
        )
        deps.dal.record_view(listing_id, viewer.user_id, day, clock.epoch() + VIEW_TTL_SECONDS, [viewed])
    return _listing(item, deps, with_moderation=sees_hidden(viewer, item))


def update_listing(caller: Caller, listing_id: str, update: ListingUpdate, deps: Market) -> Listing:
    item = _own_listing(caller, listing_id, deps)
    changes = update.model_dump(exclude_unset=True)
    if item.get("coop_id") and "quantity_kg" in changes:
        raise Conflict(
            "A pooled listing's stock is its cooperative members' commitments; it changes as they "
            "commit, not by editing the listing.",
            code="POOLED_STOCK",
            details={"coop_id": item["coop_id"]},
        )
    if not changes:
        return _listing(item, deps, with_moderation=True)
    new = dict(item)
    if "quantity_kg" in changes:
        new["quantity_g"] = to_grams(Decimal(changes.pop("quantity_kg")))
    if changes.get("harvest_date"):
        changes["harvest_date"] = changes["harvest_date"].isoformat()
    if "price_tiers" in changes:  # [] clears them
        changes["price_tiers"] = stored_tiers(update.price_tiers or []) or None
    new.update(changes)
    if "title" in changes:
        crop = crops.by_id(item["crop"])
        new["title_keys"] = title_keys(new["title"], *(crop.names if crop else ()))
    if new["status"] == "active":  # a hidden listing stays out of the browse indexes
        new.update(listing_index_keys(new))
    new.update(updated_at=clock.now_iso(), version=int(item["version"]) + 1)
    sets = {k: v for k, v in new.items() if k not in ("pk", "sk") and item.get(k) != v and v is not None}
    removes = [k for k, v in new.items() if v is None and item.get(k) is not None]
    deps.dal.update_listing(
        listing_id, int(item["version"]), sets, removes, [_listing_event(new, ev.ListingUpdated)]
    )
    return _listing(new, deps, with_moderation=True)


def delete_listing(caller: Caller, listing_id: str, deps: Market) -> None:
    """A soft delete: the listing leaves every list but stays readable for its orders."""
    item = _own_listing(caller, listing_id, deps)
    new = {**item, "status": "deleted", "updated_at": clock.now_iso(), "version": int(item["version"]) + 1}
    removes = [k for k in listing_index_keys(item) if k in item]
    sets = {"status": "deleted", "updated_at": new["updated_at"], "version": new["version"]}
    deps.dal.update_listing(
        listing_id, int(item["version"]), sets, removes, [_listing_event(new, ev.ListingUpdated)]
    )


def image_upload(caller: Caller, listing_id: str, request: ImageUploadRequest, deps: Market) -> ImageUpload:
    item = _own_listing(caller, listing_id, deps)
    if len(item.get("images", [])) >= MAX_IMAGES:
        raise Conflict(f"A listing has at most {MAX_IMAGES} images.", code="TOO_MANY_IMAGES")
    extension = request.content_type.split("/")[1].replace("jpeg", "jpg")
    key = f"listings/{listing_id}/{ids.ulid()}.{extension}"
    form = deps.media.upload_form(key, request.content_type, IMAGE_MAX_BYTES, 900)
    deps.dal.update_listing(
        listing_id,
        int(item["version"]),
        {"images": [*item.get("images", []), key], "version": int(item["version"]) + 1},
        [],
        [],
    )
    return ImageUpload(
        url=form["url"], fields=form["fields"], key=key, max_bytes=IMAGE_MAX_BYTES, expires_in=900
    )


@dataclass
class BrowseFilters:
    category: str | None = None
    crop: str | None = None
    district: str | None = None
    min_price: int | None = None
    max_price: int | None = None
    farmer_id: str | None = None
    q: str | None = None
    sort: Sort = "newest"


def _plan(filters: BrowseFilters) -> BrowseQuery | None:
    crop_id, title = filters.crop, None
    if filters.q:
        found = crops.find(filters.q)
        if found is None:
            title = title_keys(filters.q)
            if not title:
                return None  # no word of 3 or more letters to search for: nothing can match
        elif crop_id not in (None, found.id):
            return None  # two different crops asked for: nothing can match
        else:
            crop_id = found.id
    order = "newest" if filters.sort == "newest" else "price"
    if filters.farmer_id:
        dimension, partition = "farmer", f"FARMER#{filters.farmer_id}"
    elif crop_id:
        dimension, partition = "crop", f"CROP#{crop_id}"
    elif filters.district:
        dimension, partition = "district", f"DIST#{filters.district}"
    else:
        dimension, partition = "all", "ACTIVE"
    equality = {"crop": crop_id, "district": filters.district, "category": filters.category}
    covered = {"crop": dimension == "crop", "district": dimension == "district"}
    priced = order == "price" and (filters.min_price is not None or filters.max_price is not None)
    return BrowseQuery(
        index=BROWSE_INDEXES[(dimension, order)],
        partition=partition,
        ascending=filters.sort == "price",  # cheapest first; newest and -price read backwards
        price_range=(
            filters.min_price or 0,
            999_999_999_999 if filters.max_price is None else filters.max_price,
        )
        if priced
        else None,
        filters={k: v for k, v in equality.items() if v and not covered.get(k)},
        min_price=None if priced else filters.min_price,
        max_price=None if priced else filters.max_price,
        title_keys=title,
    )


def browse(filters: BrowseFilters, limit: int, cursor: str | None, deps: Market) -> ListingPage:
    if (
        filters.min_price is not None
        and filters.max_price is not None
        and filters.min_price > filters.max_price
    ):
        raise Unprocessable("min_price is more than max_price.", details={"field": "min_price"})
    query = _plan(filters)
    if query is None:
        _came_up_empty(filters, cursor, deps)
        return ListingPage(items=[], next_cursor=None)
    scope = "listings:" + "|".join(f"{k}={v}" for k, v in sorted(vars(filters).items()) if v is not None)
    page = deps.dal.browse(query, limit, cursor, scope)
    if not page.items:
        _came_up_empty(filters, cursor, deps)
    return ListingPage(items=[_listing(item, deps) for item in page.items], next_cursor=page.next_cursor)


def _came_up_empty(filters: BrowseFilters, cursor: str | None, deps: Market) -> None:
    """A filtered search's first page found nothing: tell analytics where buyers look and nobody
    sells (the crop and district only; never the words searched)."""
    if cursor is not None or deps.searched_empty is None:
        return
    if not (filters.crop or filters.district or filters.category or filters.q):
        return
    deps.searched_empty(
        ev.SearchCameUpEmpty(
            crop=filters.crop or (found.id if filters.q and (found := crops.find(filters.q)) else None),
            district=filters.district,
            category=filters.category,
            with_query=bool(filters.q),
        )
    )
