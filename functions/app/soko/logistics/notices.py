"""What the parties of a booking are told at each step (``TransportNoticeIssued``, category
``orders``, English and Luganda; each SMS one part, at most 160 characters): accepted, declined,
expired and cancelled -> the buyer and the farmer (a cancellation also the transporter, unless they
cancelled it themselves); picked up -> the buyer; delivered -> the buyer and the farmer."""

from __future__ import annotations

from typing import Any

from soko.logistics.events import TransportNoticeIssued
from soko.shared.notices import Texts

NAME_CHARS = 24  # a transporter's name is cut to this in texts (an SMS stays one part)

# (status, recipient) -> (title en, title lg, text en, text lg); the SMS is "Soko: " + the text
TEXTS: dict[tuple[str, str], tuple[str, str, str, str]] = {
    ("accepted", "party"): (
        "Transport accepted",
        "Entambula ekkiriziddwa",
        "{name} ({plate}) accepted to carry the order on {day}.",
        "{name} ({plate}) akkirizza okutwala oda nga {day}.",
    ),
    ("declined", "party"): (
        "Transport declined",
        "Entambula egaaniddwa",
        "The transporter declined to carry the order on {day}. Book another one.",
        "Omutambuza agaanye okutwala oda nga {day}. Londa omulala.",
    ),
    ("expired", "party"): (
        "Transport not answered",
        "Entambula teyaddiddwamu",
        "The transporter did not answer in time for {day}; the booking lapsed. Book another one.",
        "Omutambuza teyaddamu mu budde ku lwa {day}; okusaba kuweddewo. Londa omulala.",
    ),
    ("cancelled", "party"): (
        "Transport cancelled",
        "Entambula esaziddwaamu",
        "The transport of the order on {day} ({plate}) was cancelled.",
        "Entambula y'oda nga {day} ({plate}) esaziddwaamu.",
    ),
    ("picked_up", "buyer"): (
        "Order picked up",
        "Oda esitudde",
        "{name} ({plate}) picked up your order. Give your delivery PIN only when it reaches you.",
        "{name} ({plate}) asitudde oda yo. Wa PIN yo ng'ebintu bikutuuse bokka.",
    ),
    ("delivered", "buyer"): (
        "Order handed over",
        "Oda ekukwasiddwa",
        "{name} ({plate}) handed your order over. Thank you for using Soko.",
        "{name} ({plate}) akutuusizza oda yo. Webale kukozesa Soko.",
    ),
    ("delivered", "farmer"): (
        "Order delivered",
        "Oda etuusiddwa",
        "{name} ({plate}) delivered the order to the buyer.",
        "{name} ({plate}) atuusizza oda eri omuguzi.",
    ),
}


def _recipients(status: str, booking: dict[str, Any], by: str) -> list[tuple[str, str]]:
    """(user id, text key's recipient) of who must know that ``booking`` became ``status``."""
    if status == "picked_up":
        return [(booking["buyer_id"], "buyer")]
    if status == "delivered":
        return [(booking["buyer_id"], "buyer"), (booking["farmer_id"], "farmer")]
    parties = [(booking["buyer_id"], "party"), (booking["farmer_id"], "party")]
    if status == "cancelled":
        parties.append((booking["transporter_id"], "party"))
        return [(user, key) for user, key in parties if user != by]
    return parties


def notices(status: str, booking: dict[str, Any], by: str) -> list[TransportNoticeIssued]:
    """The notices of ``booking`` moving to ``status`` (by ``by``), one per recipient."""
    values = {
        "name": str(booking.get("transporter_name") or "The transporter")[:NAME_CHARS].strip(),
        "plate": booking["plate"],
        "day": str(booking["pickup_day"]),
    }
    out = []
    for user_id, key in _recipients(status, booking, by):
        title_en, title_lg, en, lg = TEXTS[(status, key)]
        text = Texts(en=en.format(**values), lg=lg.format(**values))
        out.append(
            TransportNoticeIssued(
                notice_id=f"transport:{booking['id']}:{status}:{user_id}",
                user_id=user_id,
                category="orders",
                title=Texts(en=title_en, lg=title_lg),
                body=text,
                sms=Texts(en=f"Soko: {text.en}", lg=f"Soko: {text.lg}"),
                data={"booking_id": booking["id"], "order_id": booking["order_id"], "status": status},
            )
        )
    return out
