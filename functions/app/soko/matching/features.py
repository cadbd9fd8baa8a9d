"""The feature store: farmer and buyer features kept current by other domains' events (parsed with
their producers' contracts by :mod:`soko.matching.consumers`), and the crop keys they hold.

A specialty or interest is kept as the catalogue's crop id; a catalogue category (``Grains``,
``Legumes``: the seed's own example of a buyer's interests) stands for every crop in it, so such a
buyer overlaps the farmers who grow those crops. A tag that is neither is kept as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

from soko.identity.events import ProfileUpdated, UserRegistered
from soko.market.events import ListingCreated, ListingUpdated, OrderCompleted, OrderRejected, ReviewSubmitted
from soko.matching.context import RETRIES, Matching
from soko.matching.dal import StaleFeatures
from soko.matching.models import BuyerFeatures, FarmerFeatures
from soko.shared import crops as catalogue
from soko.shared import places
from soko.shared.errors import Unprocessable

MAX_CROP_KEYS = 20


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


@cache
def _categories() -> dict[str, tuple[str, ...]]:
    """Each way of naming a catalogue category -> the ids of its crops (``grains``, ``grain``;
    ``fruit_veg``: ``fruit veg``, ``fruit and veg``, ``fruits and vegetables``, ...)."""
    names: dict[str, tuple[str, ...]] = {}
    for category in catalogue.CATEGORIES:
        members = tuple(sorted(c.id for c in catalogue.CATALOGUE if c.category == category))
        spoken = _words(category)
        aliases = {spoken, spoken.removesuffix("s")}
        if category == "fruit_veg":
            aliases |= {
                "fruit and veg",
                "fruits and vegetables",
                "fruit and vegetables",
                "fruits",
                "vegetables",
            }
        names.update(dict.fromkeys(aliases, members))
    return names


def crop_keys_of(tag: str) -> list[str]:
    """A specialty or interest as comparable keys: a category's crop ids, else the catalogue's crop
    id, else the tag itself (lower case, single spaces)."""
    category = _categories().get(_words(tag))
    if category is not None:
        return list(category)
    crop = catalogue.find(tag)
    return [crop.id] if crop else [" ".join(tag.lower().split())]


def crop_key(tag: str) -> str:
    """A single crop's key (the catalogue's crop id, else the tag itself)."""
    crop = catalogue.find(tag)
    return crop.id if crop else " ".join(tag.lower().split())


def crop_keys(tags: list[str]) -> list[str]:
    return sorted({key for t in tags if t.strip() for key in crop_keys_of(t)})[:MAX_CROP_KEYS]


def coords(district: str | None) -> tuple[float | None, float | None]:
    if not district:
        return None, None
    try:
        lat, lon = places.coordinates(district)
    except Unprocessable:
        return None, None
    return lat, lon


def update_features[R: (FarmerFeatures, BuyerFeatures)](
    deps: Matching, kind: type[R], user_id: str, change: Callable[[R], R]
) -> None:
    """Apply ``change`` to the user's stored farmer or buyer features (``kind``; a blank record when
    there is none) under its optimistic lock, retrying a stale write; a change that changes nothing
    writes nothing (unless the record's candidate items must move to their current keys)."""
    dal = deps.dal
    for attempt in range(RETRIES):
        old = dal.get_features(kind, user_id)
        new = change(old or kind(id=user_id))
        if old is not None and new == old and not dal.rekeyed(old):
            return
        try:
            dal.save_features(old, new)
            return
        except StaleFeatures:
            if attempt == RETRIES - 1:
                raise


def user_changed(deps: Matching, event: UserRegistered | ProfileUpdated) -> None:
    """UserRegistered / ProfileUpdated: the profile (from identity when it is there, else the
    event) becomes the user's farmer and/or buyer features."""
    user_id = event.user_id
    profile = deps.sources.users.get(user_id)
    role = profile.role if profile else event.role
    district = (profile.district if profile and profile.district is not None else event.district) or None
    lat, lon = coords(district)
    common = {
        "full_name": profile.full_name if profile else None,
        "district": district,
        "lat": lat,
        "lon": lon,
    }
    if role in ("farmer", "both"):
        specialties = crop_keys(profile.specialties if profile else event.specialties)
        rating: dict[str, int] = {}
        if profile is not None:
            rating = {"rating_sum": profile.rating_sum, "rating_count": profile.rating_count}
        update_features(
            deps,
            FarmerFeatures,
            user_id,
            lambda f: f.model_copy(update={**common, "specialties": specialties, **rating}),
        )
    if role in ("buyer", "both"):
        interests = crop_keys(profile.interests if profile else event.interests)
        update_features(
            deps, BuyerFeatures, user_id, lambda b: b.model_copy(update={**common, "interests": interests})
        )


def order_decided(deps: Matching, order: OrderCompleted | OrderRejected) -> None:
    """OrderCompleted / OrderRejected: the farmer's fulfilment; a completed order adds to the
    buyer's spend (the consumer runs each event once)."""
    completed = isinstance(order, OrderCompleted)
    field = "completed" if completed else "rejected"
    update_features(
        deps, FarmerFeatures, order.farmer_id, lambda f: f.model_copy(update={field: getattr(f, field) + 1})
    )
    if completed:
        update_features(
            deps,
            BuyerFeatures,
            order.buyer_id,
            lambda b: b.model_copy(
                update={
                    "spend_ugx": b.spend_ugx + order.total_ugx,
                    "orders_completed": b.orders_completed + 1,
                }
            ),
        )


def review_submitted(deps: Matching, review: ReviewSubmitted) -> None:
    """The event carries the farmer's new totals: the larger count wins (late events never undo)."""
    total, count = review.farmer_rating_sum, review.farmer_rating_count

    def change(f: FarmerFeatures) -> FarmerFeatures:
        return (
            f.model_copy(update={"rating_sum": total, "rating_count": count}) if count > f.rating_count else f
        )

    update_features(deps, FarmerFeatures, review.farmer_id, change)


def payment_settled(deps: Matching, buyer_id: str, ok: bool) -> None:
    """PaymentCompleted / PaymentFailed (soko.payments): the buyer's payment reliability."""
    field = "payments_completed" if ok else "payments_failed"
    update_features(
        deps, BuyerFeatures, buyer_id, lambda b: b.model_copy(update={field: getattr(b, field) + 1})
    )


def listing_changed(deps: Matching, listing: ListingCreated | ListingUpdated) -> None:
    listing_id = listing.listing_id
    active = not isinstance(listing, ListingUpdated) or listing.status == "active"

    def change(f: FarmerFeatures) -> FarmerFeatures:
        ids = set(f.active_listings)
        ids = ids | {listing_id} if active else ids - {listing_id}
        return f.model_copy(update={"active_listings": sorted(ids)})

    update_features(deps, FarmerFeatures, listing.farmer_id, change)
