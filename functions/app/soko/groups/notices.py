"""What a group's members are told (``GroupNoticeIssued``, category ``orders``, English and Luganda;
each SMS one part, at most 160 characters):

- ``joined``: the starter, when someone joins (the fill now);
- ``completed``: every member, what to pay (their kg at the group's price) and by when;
- ``repriced``: members who have not paid yet, their new total after others dropped out;
- ``expired``: every member, the group did not reach a tier, nobody pays;
- ``failed``: every member, the seller could not supply the group, nobody pays.

A notice's id is ``group:<id>:<step>:<user>`` (``joined`` and ``repriced``: plus what makes the
step unique), so a retried publish delivers once.
"""

from __future__ import annotations

from typing import Any

from soko.groups.events import GroupNoticeIssued
from soko.market.public import to_kg, total_ugx
from soko.shared.notices import Texts

TITLE_CHARS = 24  # a listing's title is cut to this in texts (an SMS stays one part)

# step -> (title en, title lg, text en, text lg); the SMS is "Soko: " + the text
TEXTS: dict[str, tuple[str, str, str, str]] = {
    "joined": (
        "Someone joined your group",
        "Omuntu yeegasse ku kibiina kyo",
        "A buyer joined your group for {title}: {filled} of {target} kg.",
        "Omuguzi yeegasse ku kibiina kyo ekya {title}: kg {filled} ku {target}.",
    ),
    "completed": (
        "Your group is complete",
        "Ekibiina kyo kiwedde",
        "Group for {title} complete. Pay UGX {amount} for {kg} kg by {pay_by}.",
        "Ekibiina kya {title} kiwedde. Sasula UGX {amount} ku kg {kg} nga {pay_by} tekunnatuuka.",
    ),
    "repriced": (
        "Your group's price changed",
        "Omuwendo gw'ekibiina gukyuse",
        "Some members left the group for {title}. Pay UGX {amount} for {kg} kg by {pay_by}.",
        "Abamu bavudde mu kibiina kya {title}. Sasula UGX {amount} ku kg {kg} nga {pay_by} tekunnatuuka.",
    ),
    "expired": (
        "Your group ended",
        "Ekibiina kyo kikomye",
        "The group for {title} did not reach a price tier in time. Nobody pays.",
        "Ekibiina kya {title} tekyatuuka ku muwendo gwa kibiina mu budde. Tewali asasula.",
    ),
    "failed": (
        "Your group failed",
        "Ekibiina kyo kigudde",
        "The seller could not supply the group for {title}. Nobody pays.",
        "Omutunzi tasobodde kuwa kibiina kya {title}. Tewali asasula.",
    ),
}


def _day(iso: str | None) -> str:
    return (iso or "")[:16].replace("T", " ") + (" UTC" if iso else "")


def notice(
    step: str, group: dict[str, Any], user_id: str, *, grams: int = 0, suffix: str = ""
) -> GroupNoticeIssued:
    """The notice of ``step`` to ``user_id`` (``grams``: their quantity, for what to pay)."""
    price = int(group.get("price_per_kg") or group["list_price_per_kg"])
    values = {
        "title": str(group["title"])[:TITLE_CHARS].strip(),
        "filled": f"{to_kg(int(group['filled_g'])).normalize():f}",
        "target": f"{to_kg(int(group['target_g'])).normalize():f}",
        "kg": f"{to_kg(grams).normalize():f}",
        "amount": f"{total_ugx(price, grams):,}",
        "pay_by": _day(group.get("pay_by")),
    }
    title_en, title_lg, en, lg = TEXTS[step]
    text = Texts(en=en.format(**values), lg=lg.format(**values))
    return GroupNoticeIssued(
        notice_id=f"group:{group['id']}:{step}{suffix}:{user_id}",
        user_id=user_id,
        category="orders",
        title=Texts(en=title_en, lg=title_lg),
        body=text,
        sms=Texts(en=f"Soko: {text.en}", lg=f"Soko: {text.lg}"),
        data={"group_id": group["id"], "listing_id": group["listing_id"], "step": step},
    )
