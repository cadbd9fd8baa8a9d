"""Every text the notifications domain writes itself, in English and Luganda: the in-app (and push,
and e-mail) titles and bodies of order, payment and dispute notifications, and the SMS about orders
(moved here from messaging, which sent them before the one pipeline: same words).

Notices (price alerts, digests, weather advice) come with their texts written by their domain.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from soko.shared import clock
from soko.shared import crops as catalogue
from soko.shared.notices import Texts

# notification type -> (title en, title lg)
TITLES: dict[str, tuple[str, str]] = {
    "order_placed": ("New order", "Oda empya"),
    "order_confirmed": ("Order confirmed", "Oda ekakasiddwa"),
    "order_rejected": ("Order declined", "Oda egaaniddwa"),
    "order_cancelled": ("Order cancelled", "Oda esaziddwaamu"),
    "order_dispatched": ("Order on its way", "Oda eri mu kkubo"),
    "order_delivered": ("Order delivered", "Oda etuuse"),
    "order_completed": ("Order completed", "Oda ewedde"),
    "order_expired": ("Order expired", "Oda eweddeko obudde"),
    "review_received": ("New review", "Endowooza empya"),
    "payment_completed": ("Payment received", "Okusasula kutuuse"),
    "buyer_paid": ("Buyer paid", "Omuguzi asasudde"),
    "payout_sent": ("Payout on its way", "Ssente zo ziri mu kkubo"),
    "dispute_opened": ("Dispute opened", "Enkaayana zitandise"),
    "order_disputed": ("Order disputed", "Oda ewakanyiziddwa"),
    "new_dispute": ("New dispute", "Enkaayana empya"),
    "dispute_resolved": ("Dispute resolved", "Enkaayana ziwedde"),
}

# key -> (body en, body lg); ``{crop}`` is the crop's name in the text's language
BODIES: dict[str, tuple[str, str]] = {
    "order_placed": (
        "You have a new order for {crop}. Accept or reject it.",
        "Olina oda empya ya {crop}. Gikkirize oba ogigaane.",
    ),
    "order_confirmed": (
        "The farmer accepted your order for {crop}.",
        "Omulimi akkirizza oda yo ya {crop}.",
    ),
    "order_confirmed.farmer": (
        "The order for {crop} is confirmed. Prepare it for the buyer.",
        "Oda ya {crop} ekakasiddwa. Gitegekere omuguzi.",
    ),
    "order_rejected": (
        "The farmer declined your order for {crop}.",
        "Omulimi agaanye oda yo ya {crop}.",
    ),
    "order_cancelled": (
        "The buyer cancelled the order for {crop}. Your produce is back on sale.",
        "Omuguzi asazizzaamu oda ya {crop}. Ebirime byo biddamu okutundibwa.",
    ),
    "order_dispatched": (
        "The farmer dispatched your order for {crop}.",
        "Omulimi asindise oda yo ya {crop}.",
    ),
    "order_delivered": (
        "The farmer says your order for {crop} was delivered. Confirm receipt, or open a dispute{by}; "
        "after that the payment goes to the farmer.",
        "Omulimi agamba nti oda yo ya {crop} etuuse. Kakasa nti ogifunye, oba wakanya{by_lg}; "
        "oluvannyuma ensimbi zigenda eri omulimi.",
    ),
    "order_completed.buyer": (
        "Your order for {crop} is completed.",
        "Oda yo ya {crop} ewedde.",
    ),
    "order_completed.farmer": (
        "The order for {crop} is completed: your payment is released for payout.",
        "Oda ya {crop} ewedde: ensimbi zo zisumuluddwa okusasulwa.",
    ),
    "order_expired.unanswered": (
        "The order for {crop} expired: the farmer did not answer in time.",
        "Oda ya {crop} eweddeko obudde: omulimi teyaddamu mu budde.",
    ),
    "order_expired.unpaid": (
        "The order for {crop} expired: it was not paid in time.",
        "Oda ya {crop} eweddeko obudde: tesasulwa mu budde.",
    ),
    "review_received": (
        "A buyer rated you {rating} of 5.",
        "Omuguzi akuwadde {rating} ku 5.",
    ),
    "payment_completed": (
        "Your payment{money} went through.",
        "Okusasula kwo{money_lg} kuyiseemu.",
    ),
    "buyer_paid": (
        "The buyer paid{money}; it is held until delivery.",
        "Omuguzi asasudde{money_lg}; ensimbi zikuumibwa okutuusa oda lw'etuuka.",
    ),
    "payout_sent": (
        "Your payout{money} is on its way.",
        "Ssente zo{money_lg} ziri mu kkubo.",
    ),
    "dispute_opened.buyer": (
        "We have your dispute about {crop}; the payment stays held until an admin decides.",
        "Enkaayana zo ku {crop} tuzifunye; ensimbi zikuumibwa okutuusa omukulu lw'asalawo.",
    ),
    "dispute_opened.farmer": (
        "The buyer disputed the order for {crop}; the payment stays held until an admin decides.",
        "Omuguzi awakanyizza oda ya {crop}; ensimbi zikuumibwa okutuusa omukulu lw'asalawo.",
    ),
    "dispute_opened.admins": (
        "A buyer disputed an order{money} ({crop}).",
        "Omuguzi awakanyizza oda{money_lg} ({crop}).",
    ),
    "dispute_resolved.release.buyer": (
        "An admin reviewed your dispute: the payment of {total} goes to the farmer.",
        "Omukulu yeetegerezza enkaayana zo: ensimbi {total} zigenda eri omulimi.",
    ),
    "dispute_resolved.release.farmer": (
        "An admin reviewed the dispute: the payment of {total} is released to you.",
        "Omukulu yeetegerezza enkaayana: ensimbi {total} zikuweereddwa.",
    ),
    "dispute_resolved.refund.buyer": (
        "An admin reviewed your dispute: {buyer} is refunded to you.",
        "Omukulu yeetegerezza enkaayana zo: ozzibwayo {buyer}.",
    ),
    "dispute_resolved.refund.farmer": (
        "An admin reviewed the dispute: the buyer is refunded {buyer}.",
        "Omukulu yeetegerezza enkaayana: omuguzi azzibwayo {buyer}.",
    ),
    "dispute_resolved.split.buyer": (
        "An admin reviewed your dispute: {buyer} is refunded to you and {farmer} goes to the farmer.",
        "Omukulu yeetegerezza enkaayana zo: ozzibwayo {buyer}, omulimi afuna {farmer}.",
    ),
    "dispute_resolved.split.farmer": (
        "An admin reviewed the dispute: {farmer} is released to you and {buyer} refunded to the buyer.",
        "Omukulu yeetegerezza enkaayana: ofuna {farmer}, omuguzi azzibwayo {buyer}.",
    ),
    "dispute_resolved.admins": (
        "A dispute was resolved: {outcome}.",
        "Enkaayana ziwedde: {outcome}.",
    ),
}

# The SMS about orders (messaging's texts, unchanged): "<role>.<detail type>" -> (en, lg).
# A farmer's SMS goes to a basic phone only (it tells them to dial the USSD code); a buyer's to any
# buyer with a verified phone who did not turn SMS off.
SMS: dict[str, tuple[str, str]] = {
    "farmer.OrderPlaced": (
        "Soko: new order for {kg}kg {crop} (UGX {total}). Dial the Soko USSD code "
        "and choose 2 My orders to accept or reject it.",
        "Soko: oda empya ya {kg}kg {crop} (UGX {total}). Kuba koodi ya Soko "
        "olonde 2 okugikkiriza oba okugigaana.",
    ),
    "farmer.OrderConfirmed": (
        "Soko: the order for {kg}kg {crop} (UGX {total}) is confirmed. Prepare it for the buyer.",
        "Soko: oda ya {kg}kg {crop} (UGX {total}) ekakasiddwa. Gitegekere omuguzi.",
    ),
    "farmer.OrderCancelled": (
        "Soko: the buyer cancelled the order for {kg}kg {crop}. Your produce is back on sale.",
        "Soko: omuguzi asazizzaamu oda ya {kg}kg {crop}. Ebirime byo biddamu okutundibwa.",
    ),
    "buyer.OrderConfirmed": (
        "Soko: the farmer accepted your order for {kg}kg {crop} (UGX {total}).",
        "Soko: omulimi akkirizza oda yo ya {kg}kg {crop} (UGX {total}).",
    ),
    "buyer.OrderRejected": (
        "Soko: the farmer declined your order for {kg}kg {crop}. The order is closed.",
        "Soko: omulimi agaanye oda yo ya {kg}kg {crop}. Oda eggaddwawo.",
    ),
    "farmer.OrderDisputed": (
        "Soko: the buyer disputed the order for {kg}kg {crop} (UGX {total}). "
        "The payment is held until Soko decides.",
        "Soko: omuguzi awakanyizza oda ya {kg}kg {crop} (UGX {total}). "
        "Ensimbi zikuumibwa okutuusa Soko lw'esalawo.",
    ),
    "buyer.OrderDelivered": (
        "Soko: your {kg}kg {crop} is marked delivered. Confirm receipt or dispute "
        "before {until}; then UGX {total} goes to the farmer.",
        "Soko: {kg}kg {crop} zo zituuse. Kakasa nti ozifunye "
        "oba wakanya nga {until} tannatuuka; oluvannyuma UGX {total} zigenda eri omulimi.",
    ),
    "farmer.OrderCompleted": (
        "Soko: the order for {kg}kg {crop} is complete. UGX {total} is released to you, less Soko's fee.",
        "Soko: oda ya {kg}kg {crop} ewedde. UGX {total} zikusasulwa, okuggyako ssente za Soko.",
    ),
    "farmer.OrderExpired": (
        "Soko: the order for {kg}kg {crop} expired. Your produce is back on sale.",
        "Soko: oda ya {kg}kg {crop} eweddeko obudde. Ebirime byo biddamu okutundibwa.",
    ),
    "buyer.OrderExpired": (
        "Soko: your order for {kg}kg {crop} expired and is closed.",
        "Soko: oda yo ya {kg}kg {crop} eweddeko obudde era eggaddwawo.",
    ),
    "farmer.DisputeResolved": (
        "Soko: the dispute is settled: UGX {farmer} is paid to you and UGX {buyer} refunded to the buyer.",
        "Soko: enkaayana ziwedde: osasulwa UGX {farmer}, omuguzi azzibwayo UGX {buyer}.",
    ),
    "buyer.DisputeResolved": (
        "Soko: your dispute is settled: UGX {buyer} is refunded to you and UGX {farmer} paid to the farmer.",
        "Soko: enkaayana zo ziwedde: ozzibwayo UGX {buyer}, omulimi asasulwa UGX {farmer}.",
    ),
}
SMS_BASIC_PHONE_ONLY = "farmer"  # the role whose SMS only basic phones get


def crop_names(crop: str | None) -> tuple[str, str]:
    """(English, Luganda) names of a crop id: the in-app texts' English keeps the id as it always
    did; Luganda uses the catalogue's name."""
    if not crop:
        return "produce", "ebirime"
    found = catalogue.by_id(crop)
    return crop, found.luganda if found else crop


def title(key: str) -> Texts:
    en, lg = TITLES[key]
    return Texts(en=en, lg=lg)


def body(key: str, crop: str | None = None, **values: str) -> Texts:
    en, lg = BODIES[key]
    crop_en, crop_lg = crop_names(crop)
    return Texts(en=en.format(crop=crop_en, **values), lg=lg.format(crop=crop_lg, **values))


def ugx(amount: int) -> str:
    return f"UGX {amount:,}"


def sms(
    key: str, *, crop: str | None, quantity_kg: object, total_ugx: int | None, **values: str
) -> Texts | None:
    """The SMS about an order in both languages, or None when the event lacks what it says."""
    if key not in SMS or not crop or quantity_kg is None or total_ugx is None:
        return None
    try:
        kg = format(Decimal(str(quantity_kg)).normalize(), "f")
    except InvalidOperation:
        return None
    found = catalogue.by_id(crop)
    names = (found.name, found.luganda) if found else (crop, crop)
    en, lg = SMS[key]
    common = {"kg": kg, "total": f"{total_ugx:,}", **values}
    return Texts(en=en.format(crop=names[0], **common), lg=lg.format(crop=names[1], **common))


def until(release_at: str | None) -> str:
    return clock.eat_text(release_at) if release_at else ""
