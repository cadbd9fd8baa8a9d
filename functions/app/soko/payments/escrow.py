"""Escrow: what happens to a paid order's money, each once only.

- ``held``: paid, waiting for the order to complete; then released, refunded or frozen (or
  reversed by the provider).
- ``frozen``: the buyer disputed the order (market ``OrderDisputed``); only the dispute's
  resolution (``soko.disputes`` ``DisputeResolved``) moves it, and it is never paid out before.
- ``released``: paid out to the farmer, less the commission (settled in the next batch).
- ``refunded``: all of it back to the buyer, through the provider (see :mod:`soko.payments.refunds`).
- ``split``: a dispute's split: ``buyer_amount_ugx`` back to the buyer by a partial refund, the
  rest paid out to the farmer less the commission on that part only (rounded half up).

Transport fares (:mod:`soko.payments.fares`): the escrow's amount is the produce plus the fare the
buyer paid with the order; closing it pays the delivered transporter (from that fare, else the
farmer's proceeds), refunds an unused fare, or keeps the fare ``held`` while the booking is on the
road, until logistics' ``TransportDelivered`` (paid) or ``TransportCancelled``/``Declined``/
``Expired`` (given back). A dispute's outcome applies to the produce only.

Events: ``OrderCompleted`` (the buyer's receipt, the delivery PIN or the end of the dispute
window) schedules the payout; ``OrderCancelled``, ``OrderRejected`` and ``OrderExpired`` of a paid
order refund it; ``OrderDisputed`` freezes it; ``DisputeResolved`` releases, refunds or splits it.
Every change is conditioned on the payment's version and escrow state, and a resolution remembers
its dispute id, so a replayed or late event changes nothing twice (a ``DisputeResolved`` that
arrives before its ``OrderDisputed`` resolves a held escrow, and the late freeze then finds
nothing to freeze).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Literal

from soko.coops.public import PayoutSplit
from soko.disputes.events import DisputeResolved
from soko.logistics.events import TransportCancelled, TransportDeclined, TransportDelivered, TransportExpired
from soko.market.events import OrderCancelled, OrderCompleted, OrderDisputed, OrderExpired, OrderRejected
from soko.payments import events as ev
from soko.payments import fares, ledger, pooled, refunds
from soko.payments.ports import Payments
from soko.providers.http import ProviderError
from soko.shared import clock, ids
from soko.shared.errors import Conflict
from soko.shared.events import EventDetail, ReceivedEvent
from soko.shared.observability import logger

RETRIES = 3
OPEN = ("held", "frozen")
ENDED_AS: dict[type[EventDetail], str] = {
    TransportDelivered: "delivered",
    TransportCancelled: "cancelled",
    TransportDeclined: "declined",
    TransportExpired: "expired",
}


def _paid(order_id: str, deps: Payments) -> dict[str, Any] | None:
    attempt = deps.dal.get_attempt(order_id)
    if attempt is None or attempt.get("state") != "completed":
        return None
    return deps.dal.get_payment(str(attempt["payment_id"]))


def _payout(
    payment: dict[str, Any],
    gross: int,
    fee: int,
    deps: Payments,
    *,
    net: int | None = None,
    fare: int = 0,
) -> tuple[dict[str, Any], EventDetail]:
    """The farmer's payout record and its event: ``gross`` less ``fee`` less ``fare`` (a fare out of
    the farmer's proceeds) unless ``net`` says otherwise. A payout of nothing (a fare took the whole
    net) is recorded settled: there is nothing to send."""
    now = clock.now()
    due = clock.iso(now + timedelta(seconds=deps.config.payout_delay_seconds))
    payout_id = ids.ulid()
    net = gross - fee - fare if net is None else net
    payout = {
        "pk": f"PAYOUT#{payout_id}",
        "sk": "PAYOUT",
        "id": payout_id,
        "payee": "farmer",
        "payment_id": payment["id"],
        "order_id": payment["order_id"],
        "farmer_id": payment["farmer_id"],
        "gross_ugx": gross,
        "fee_ugx": fee,
        "fare_ugx": fare,
        "net_ugx": net,
        "status": "scheduled",
        "due_at": due,
        "created_at": clock.iso(now),
        "gsi2pk": "PAYOUTS#scheduled",
        "gsi2sk": f"{due}#{payout_id}",
    }
    if not net:
        payout = {k: v for k, v in payout.items() if not k.startswith("gsi2")}
        payout |= {"status": "settled", "settled_at": clock.iso(now)}
    event = ev.PayoutScheduled(
        payout_id=payout_id,
        payment_id=payment["id"],
        order_id=payment["order_id"],
        farmer_id=payment["farmer_id"],
        gross_ugx=gross,
        fee_ugx=fee,
        net_ugx=net,
        fare_ugx=fare,
        due_at=due,
    )
    return payout, event


def _pooled_payout(
    payment: dict[str, Any],
    payee_id: str,
    amount: int,
    coop_id: str,
    *,
    part: Literal["member", "fee"],
    deps: Payments,
) -> tuple[dict[str, Any], EventDetail]:
    """A pooled order's payout to one member (``part`` member) or to the coop's fee payee
    (``fee``): ``amount`` out of the order's farmer's account (see :mod:`soko.payments.pooled`)."""
    now = clock.now()
    due = clock.iso(now + timedelta(seconds=deps.config.payout_delay_seconds))
    payout_id = ids.ulid()
    payout = {
        "pk": f"PAYOUT#{payout_id}",
        "sk": "PAYOUT",
        "id": payout_id,
        "payee": "farmer",
        "payment_id": payment["id"],
        "order_id": payment["order_id"],
        "farmer_id": payee_id,
        "coop_id": coop_id,
        "coop_payee": part,
        "gross_ugx": amount,
        "fee_ugx": 0,
        "fare_ugx": 0,
        "net_ugx": amount,
        "status": "scheduled",
        "due_at": due,
        "created_at": clock.iso(now),
        "gsi2pk": "PAYOUTS#scheduled",
        "gsi2sk": f"{due}#{payout_id}",
    }
    event = ev.PayoutScheduled(
        payout_id=payout_id,
        payment_id=payment["id"],
        order_id=payment["order_id"],
        farmer_id=payee_id,
        gross_ugx=amount,
        fee_ugx=0,
        net_ugx=amount,
        due_at=due,
        coop_id=coop_id,
        coop_payee=part,
    )
    return payout, event


def _pooled_split(payment: dict[str, Any], deps: Payments) -> PayoutSplit | None:
    """The coop's split of a pooled order (soko.coops.public), or None for any other order.
    Raises :class:`soko.payments.pooled.SplitNotReady` while the coop has not allocated it (the
    event is retried)."""
    order = deps.order(str(payment["order_id"]))
    coop_id = getattr(order, "coop_id", None) if order is not None else None
    if not coop_id:
        return None
    split = deps.payout_split(str(payment["order_id"])) if deps.payout_split is not None else None
    if split is None:
        raise pooled.SplitNotReady(f"the split of pooled order {payment['order_id']} is not readable yet")
    if len(split.shares) > pooled.MAX_MEMBERS:
        raise pooled.SplitTooLarge(
            f"pooled order {payment['order_id']} has {len(split.shares)} members; at most "
            f"{pooled.MAX_MEMBERS} are paid in one transaction"
        )
    return split


def _pay_pooled(
    payment: dict[str, Any], plan: Closing, split: PayoutSplit, deps: Payments
) -> tuple[list[dict[str, Any]], list[ledger.Entry], list[EventDetail], list[str]]:
    """The members' and the fee payee's payouts of a pooled order, the ledger entries (the release
    to the order's farmer, less the commission, then the ``coop_split``) and their events."""
    order_id, farmer_id = str(payment["order_id"]), str(payment["farmer_id"])
    pay = pooled.split(plan.farmer_net, split.fee_percent, [(s.member_id, s.grams) for s in split.shares])
    items: list[dict[str, Any]] = []
    events: list[EventDetail] = []
    reference = ids.ulid()
    if pay.fee:
        payout, event = _pooled_payout(
            payment, split.fee_payee_id, pay.fee, split.coop_id, part="fee", deps=deps
        )
        items.append(payout)
        events.append(event)
        reference = payout["id"]
    for member in pay.members:
        if member.amount:
            payout, event = _pooled_payout(
                payment, member.member_id, member.amount, split.coop_id, part="member", deps=deps
            )
            items.append(payout)
            events.append(event)
    entries = [ledger.payout_scheduled(reference, order_id, farmer_id, plan.farmer_gross, plan.fee)]
    moved = pooled.split_entry(reference, farmer_id, split.fee_payee_id, pay)
    if moved is not None:
        entries.append(moved)
    return items, entries, events, [str(i["id"]) for i in items]


def _farmer_payouts(
    payment: dict[str, Any], plan: Closing, deps: Payments
) -> tuple[list[dict[str, Any]], list[ledger.Entry], list[EventDetail], dict[str, Any], str]:
    """The produce released to the farmer's side: one payout to the farmer, or, for a cooperative's
    pooled order, one per member and one for the coop's fee (:mod:`soko.payments.pooled`); with
    their ledger entries, events, the payment's changes and a note for its history."""
    split = _pooled_split(payment, deps)
    if split is not None:
        payouts, entries, events, payout_ids = _pay_pooled(payment, plan, split, deps)
        changes: dict[str, Any] = {"payout_ids": payout_ids}
        if payout_ids:
            changes["payout_id"] = payout_ids[0]
        note = f"{len(payout_ids)} payouts of {plan.farmer_net} UGX scheduled (coop {split.coop_id})"
        return payouts, entries, events, changes, note
    order_id, farmer_id = str(payment["order_id"]), str(payment["farmer_id"])
    fare = plan.fare_from_farmer + plan.held_from_farmer
    payout, scheduled = _payout(payment, plan.farmer_gross, plan.fee, deps, fare=fare)
    entry = ledger.payout_scheduled(payout["id"], order_id, farmer_id, plan.farmer_gross, plan.fee)
    note = f"payout {payout['id']} of {plan.farmer_net} UGX scheduled"
    return [payout], [entry], [scheduled], {"payout_id": payout["id"]}, note


def _fare_payout(
    payment: dict[str, Any],
    transport: dict[str, Any],
    deps: Payments,
    *,
    from_buyer: int,
    from_farmer: int,
    unpaid: int,
    held: bool = False,
) -> tuple[dict[str, Any], ledger.Entry, EventDetail]:
    """The transporter's payout (the farmer's path: a ``PAYOUT#`` record the batch settles, no
    commission), its ledger entry and its event. ``transport``: ``booking_id``, ``transporter_id``.
    ``held``: all of it is in the escrow already (the farmer's part moved there when it was held)."""
    now = clock.now()
    due = clock.iso(now + timedelta(seconds=deps.config.payout_delay_seconds))
    payout_id = ids.ulid()
    net = from_buyer + from_farmer
    payout = {
        "pk": f"PAYOUT#{payout_id}",
        "sk": "PAYOUT",
        "id": payout_id,
        "payee": "transporter",
        "payment_id": payment["id"],
        "order_id": payment["order_id"],
        "booking_id": transport["booking_id"],
        "transporter_id": transport["transporter_id"],
        "gross_ugx": net,
        "fee_ugx": 0,
        "net_ugx": net,
        "from_buyer_ugx": from_buyer,
        "from_farmer_ugx": from_farmer,
        "fare_unpaid_ugx": unpaid,
        "status": "scheduled",
        "due_at": due,
        "created_at": clock.iso(now),
        "gsi2pk": "PAYOUTS#scheduled",
        "gsi2sk": f"{due}#{payout_id}",
    }
    entry = ledger.fare_paid(
        payout_id,
        str(payment["order_id"]),
        str(transport["transporter_id"]),
        from_escrow=net if held else from_buyer,
        from_farmer=0 if held else from_farmer,
        farmer_id=str(payment["farmer_id"]),
    )
    event = ev.FarePayoutScheduled(
        payout_id=payout_id,
        payment_id=payment["id"],
        order_id=payment["order_id"],
        booking_id=transport["booking_id"],
        transporter_id=transport["transporter_id"],
        net_ugx=net,
        from_buyer_ugx=from_buyer,
        from_farmer_ugx=from_farmer,
        unpaid_ugx=unpaid,
        due_at=due,
    )
    return payout, entry, event


def plan_closing(
    payment: dict[str, Any], produce_to_buyer: int | None, deps: Payments, *, hold: bool
) -> Closing:
    """How to close the payment's escrow (see :mod:`soko.payments.fares`): ``produce_to_buyer``
    of the produce back to the buyer (None: everything paid, the fare included, goes back); the
    fare as the order's transport says now (``hold``: an active transport keeps it in the escrow;
    otherwise an active transport counts as not delivered)."""
    amount = int(payment["amount_ugx"])
    if produce_to_buyer is None:
        return Closing(to_buyer=amount, produce_to_buyer=amount)
    fare_paid = min(int(payment.get("fare_ugx", 0)), amount)
    transport = fares.order_transport(str(payment["order_id"]), deps)
    state = fares.state(transport)
    if state == "on_the_road" and not hold:
        state = "none"
    return Closing(
        **ledger.closing(
            amount,
            fare_paid,
            produce_to_buyer,
            deps.config.commission_percent,
            transport=state,
            fare_due=int(transport.fare_ugx) if transport is not None and state != "none" else 0,
        ).model_dump(),
        transport=(
            {
                "booking_id": transport.booking_id,
                "transporter_id": transport.transporter_id,
                "fare_ugx": int(transport.fare_ugx),
            }
            if transport is not None and state != "none"
            else None
        ),
    )


class Closing(ledger.Closing):
    """A :class:`soko.payments.ledger.Closing` with the transport it was planned for."""

    transport: dict[str, Any] | None = None


def close(
    payment: dict[str, Any],
    plan: Closing | int,
    reason: str,
    deps: Payments,
    *,
    cause: str,
    dispute_id: str | None = None,
    extra_events: tuple[EventDetail, ...] = (),
    resolve_case: dict[str, Any] | None = None,
) -> bool:
    """Close an open escrow in one transaction as ``plan`` says (an int: that much back to the
    buyer, everything else to the farmer, no fare): the buyer's part back (a refund record, before
    any provider call), the farmer's produce paid out less the commission on that part and any fare
    out of the proceeds, the transporter's fare paid out, or the fare held in the escrow while the
    transport is on the road. False if the payment changed meanwhile."""
    if isinstance(plan, int):
        gross = int(payment["amount_ugx"])
        back, to_farmer, fee = ledger.split(gross, plan, deps.config.commission_percent)
        plan = Closing(to_buyer=back, produce_to_buyer=back, farmer_gross=to_farmer, fee=fee)
    changes: dict[str, Any] = {
        "escrow": "refunded"
        if not plan.farmer_gross
        else "released"
        if not plan.produce_to_buyer
        else "split",
    }
    entries: list[ledger.Entry] = []
    events: list[EventDetail] = []
    new_items: list[dict[str, Any]] = []
    notes = []
    order_id, farmer_id = str(payment["order_id"]), str(payment["farmer_id"])
    if plan.farmer_gross:
        payouts, payout_entries, payout_events, payout_changes, note = _farmer_payouts(payment, plan, deps)
        new_items += payouts
        entries += payout_entries
        events += payout_events
        changes |= payout_changes
        notes.append(note)
    fare_paid = plan.fare_from_escrow + plan.fare_from_farmer
    if plan.transport is not None and fare_paid:
        fare_payout, entry, fare_event = _fare_payout(
            payment,
            plan.transport,
            deps,
            from_buyer=plan.fare_from_escrow,
            from_farmer=plan.fare_from_farmer,
            unpaid=plan.fare_unpaid,
        )
        new_items.append(fare_payout)
        entries.append(entry)
        events.append(fare_event)
        changes |= {"fare_state": "paid", "fare_payout_id": fare_payout["id"]}
        notes.append(f"fare payout {fare_payout['id']} of {fare_paid} UGX scheduled")
    if plan.transport is not None and (plan.held or plan.held_from_farmer):
        if plan.held_from_farmer:
            entries.append(ledger.fare_held(str(payment["id"]), order_id, farmer_id, plan.held_from_farmer))
        changes |= {
            "fare_state": "held",
            "fare_held_ugx": plan.held,
            "fare_held_from_farmer_ugx": plan.held_from_farmer,
        }
        notes.append(f"fare of {plan.held + plan.held_from_farmer} UGX held until the transport ends")
    if plan.transport is not None:
        changes |= {
            "fare_booking_id": plan.transport["booking_id"],
            "fare_transporter_id": plan.transport["transporter_id"],
            "fare_due_ugx": plan.transport["fare_ugx"],
        }
    elif int(payment.get("fare_ugx", 0)):
        changes["fare_state"] = "refunded"
    if plan.to_buyer:
        refund, entry, requested = refunds.record(payment, plan.to_buyer, reason, cause)
        new_items.append(refund)
        entries.append(entry)
        events.append(requested)
        changes["refund_id"] = refund["id"]
        notes.append(f"refund of {plan.to_buyer} UGX requested: {reason}")
    if dispute_id is not None:
        changes["resolution"] = dispute_id
    at = clock.now_iso()
    return deps.dal.change_payment(
        payment,
        changes=changes,
        history={"status": payment["status"], "at": at, "note": "; ".join(notes)[:500]},
        now=at,
        entries=entries,
        events=[*events, *extra_events],
        new_items=new_items,
        resolve_case=resolve_case,
    )


def submit_refund(payment_id: str, deps: Payments) -> None:
    """Submit the payment's recorded refund now; an outage leaves it to the reconciliation job."""
    try:
        refunds.submit(payment_id, deps)
    except ProviderError as err:
        logger.warning("refund not submitted yet", extra={"payment_id": payment_id, "error": str(err)})


def schedule_payout(order_id: str, deps: Payments) -> bool:
    """The completed order's escrow goes to the farmer (less the commission) and the fare as its
    transport says (:mod:`soko.payments.fares`), once. A frozen escrow (under dispute) is never paid
    out: only the dispute's resolution moves it."""
    for _ in range(RETRIES):
        payment = _paid(order_id, deps)
        if payment is not None and payment.get("escrow") == "frozen":
            logger.warning("a frozen escrow is not paid out", extra={"order_id": order_id})
            return False
        if payment is None or payment.get("escrow") != "held":
            logger.info("no escrow to pay out", extra={"order_id": order_id})
            return False
        plan = plan_closing(payment, 0, deps, hold=True)
        if close(payment, plan, "order completed", deps, cause="order_completed"):
            if plan.to_buyer:
                submit_refund(str(payment["id"]), deps)  # the buyer's fare the transport did not use
            return True
    raise Conflict("The payment changed at the same moment; the event will be retried.")


def refund_payment(payment: dict[str, Any], reason: str, deps: Payments, *, cause: str) -> bool:
    """A paid order that will not be delivered: the whole held escrow back to the buyer, once, then
    submitted to the provider (record first, see :mod:`soko.payments.refunds`)."""
    for _ in range(RETRIES):
        if payment.get("escrow") == "refunded" and payment.get("refund_id"):
            break  # recorded before (an earlier run): submit it if that run did not
        if payment.get("escrow") != "held":
            return False
        if close(payment, plan_closing(payment, None, deps, hold=False), reason, deps, cause=cause):
            break
        payment = deps.dal.get_payment(str(payment["id"])) or payment
    else:
        raise Conflict("The payment changed at the same moment; the event will be retried.")
    submit_refund(str(payment["id"]), deps)
    return True


def request_refund(order_id: str, reason: str, deps: Payments, *, cause: str = "order_ended") -> bool:
    payment = _paid(order_id, deps)
    return False if payment is None else refund_payment(payment, reason, deps, cause=cause)


def freeze(order_id: str, dispute_id: str, deps: Payments) -> bool:
    """The buyer disputed the order: its held escrow is frozen until the dispute is resolved."""
    for _ in range(RETRIES):
        payment = _paid(order_id, deps)
        if payment is None:
            logger.warning("a disputed order without a completed payment", extra={"order_id": order_id})
            return False
        if payment.get("escrow") == "frozen" or payment.get("resolution") == dispute_id:
            return False  # frozen already, or this dispute was resolved before its freeze arrived
        if payment.get("escrow") != "held":
            logger.warning(
                "a dispute came after the escrow moved",
                extra={"order_id": order_id, "escrow": payment.get("escrow")},
            )
            return False
        at = clock.now_iso()
        if deps.dal.change_payment(
            payment,
            changes={"escrow": "frozen", "dispute_id": dispute_id},
            history={"status": payment["status"], "at": at, "note": f"escrow frozen: dispute {dispute_id}"},
            now=at,
        ):
            return True
    raise Conflict("The payment changed at the same moment; the event will be retried.")


def resolve_dispute(resolved: DisputeResolved, deps: Payments) -> bool:
    """An admin resolved the dispute: release (the payout, as a completion), refund (all of it back
    to the buyer through the provider) or split (``buyer_amount_ugx`` back by a partial refund, the
    rest to the farmer less the commission on that part)."""
    for _ in range(RETRIES):
        payment = _paid(resolved.order_id, deps)
        if payment is None:
            logger.warning(
                "a resolved dispute without a completed payment", extra={"order_id": resolved.order_id}
            )
            return False
        if payment.get("resolution") == resolved.dispute_id:
            if payment.get("refund_id"):
                submit_refund(str(payment["id"]), deps)  # an earlier run recorded it; submit if it did not
            return False
        if payment.get("escrow") not in OPEN:
            logger.warning(
                "a dispute resolved after the escrow moved",
                extra={"order_id": resolved.order_id, "escrow": payment.get("escrow")},
            )
            return False
        produce = int(payment["amount_ugx"]) - int(payment.get("fare_ugx", 0))
        if resolved.total_ugx != produce:
            logger.warning("a dispute's total is not the escrow's", extra={"order_id": resolved.order_id})
        to_buyer = {"release": 0, "refund": produce, "split": resolved.buyer_amount_ugx}[resolved.outcome]
        reason = f"dispute {resolved.dispute_id} resolved ({resolved.outcome}): {resolved.reason}"
        plan = plan_closing(payment, to_buyer, deps, hold=False)  # the split is of the produce
        if close(
            payment,
            plan,
            reason,
            deps,
            cause=f"dispute_{resolved.outcome}",
            dispute_id=resolved.dispute_id,
        ):
            if plan.to_buyer:
                submit_refund(str(payment["id"]), deps)
            return True
    raise Conflict("The payment changed at the same moment; the event will be retried.")


def transport_ended(order_id: str, booking_id: str, status: str, deps: Payments) -> bool:
    """Logistics says the order's booking ended (delivered, cancelled, declined, expired). A fare
    held in the escrow (the order completed while the booking was active) is settled, once: a
    delivered transporter is paid, otherwise the buyer's fare is refunded and the farmer's part
    given back. A payment whose escrow is still open is touched (its version moves), so a
    completion racing this event re-reads the transport instead of holding a delivered fare."""
    for _ in range(RETRIES):
        payment = _paid(order_id, deps)
        if payment is None:
            return False
        if payment.get("fare_state") == "held":
            if payment.get("fare_booking_id") != booking_id:
                logger.warning(
                    "a held fare's booking is not the one that ended", extra={"order_id": order_id}
                )
                return False
            if _settle_held_fare(payment, status == fares.DELIVERED, deps):
                return True
            continue
        seen = f"{booking_id}:{status}"
        if payment.get("escrow") not in OPEN or payment.get("transport_seen") == seen:
            return False
        at = clock.now_iso()
        if deps.dal.change_payment(
            payment,
            changes={"transport_seen": seen},
            history={"status": payment["status"], "at": at, "note": f"transport {status}"},
            now=at,
        ):
            return True
    raise Conflict("The payment changed at the same moment; the event will be retried.")


def _settle_held_fare(payment: dict[str, Any], delivered: bool, deps: Payments) -> bool:
    outcome = ledger.fare_outcome(
        int(payment.get("fare_held_ugx", 0)),
        int(payment.get("fare_held_from_farmer_ugx", 0)),
        int(payment.get("fare_due_ugx", 0)),
        delivered,
    )
    order_id, farmer_id = str(payment["order_id"]), str(payment["farmer_id"])
    entries: list[ledger.Entry] = []
    events: list[EventDetail] = []
    new_items: list[dict[str, Any]] = []
    changes: dict[str, Any] = {"fare_state": "paid" if outcome.to_transporter else "refunded"}
    notes = []
    if outcome.to_transporter:
        transport = {
            "booking_id": payment["fare_booking_id"],
            "transporter_id": payment["fare_transporter_id"],
        }
        from_farmer = int(payment.get("fare_held_from_farmer_ugx", 0)) - outcome.to_farmer
        payout, entry, event = _fare_payout(
            payment,
            transport,
            deps,
            from_buyer=outcome.to_transporter - from_farmer,
            from_farmer=from_farmer,
            unpaid=outcome.fare_unpaid,
            held=True,
        )
        new_items.append(payout)
        entries.append(entry)
        events.append(event)
        changes["fare_payout_id"] = payout["id"]
        notes.append(f"held fare paid: payout {payout['id']} of {outcome.to_transporter} UGX")
    if outcome.to_farmer:
        back, scheduled = _payout(payment, outcome.to_farmer, 0, deps)
        new_items.append(back)
        entries.append(ledger.fare_released(str(payment["id"]), order_id, farmer_id, outcome.to_farmer))
        events.append(scheduled)
        changes["fare_release_payout_id"] = back["id"]
        notes.append(f"the farmer's held part of the fare, {outcome.to_farmer} UGX, paid out")
    if outcome.to_buyer:
        reason = "the buyer's transport fare: not used" if delivered else "the transport did not deliver"
        refund, entry, requested = refunds.record(payment, outcome.to_buyer, reason, "fare")
        new_items.append(refund)
        entries.append(entry)
        events.append(requested)
        changes["refund_id"] = refund["id"]
        notes.append(f"refund of {outcome.to_buyer} UGX requested: {reason}")
    at = clock.now_iso()
    if not deps.dal.change_payment(
        payment,
        changes=changes,
        history={"status": payment["status"], "at": at, "note": "; ".join(notes)[:500]},
        now=at,
        entries=entries,
        events=events,
        new_items=new_items,
    ):
        return False
    if outcome.to_buyer:
        submit_refund(str(payment["id"]), deps)
    return True


def on_order_event(event: ReceivedEvent, deps: Payments) -> None:
    """OrderCompleted schedules the payout; OrderCancelled, OrderRejected and OrderExpired refund a
    paid order; OrderDisputed freezes the escrow; DisputeResolved moves it as the admin decided."""
    match event.parse_any(OrderCompleted, OrderCancelled, OrderRejected, OrderExpired, OrderDisputed):
        case OrderCompleted(order_id=order_id):
            schedule_payout(order_id, deps)
        case OrderCancelled(order_id=order_id):
            request_refund(order_id, "order cancelled", deps)
        case OrderRejected(order_id=order_id):
            request_refund(order_id, "order rejected", deps)
        case OrderExpired(order_id=order_id):
            request_refund(order_id, "order expired", deps)
        case OrderDisputed(order_id=order_id, dispute_id=dispute_id):
            freeze(order_id, dispute_id, deps)
    match event.parse_any(DisputeResolved):
        case DisputeResolved() as resolved:
            resolve_dispute(resolved, deps)
    match event.parse_any(TransportDelivered, TransportCancelled, TransportDeclined, TransportExpired):
        case TransportDelivered() | TransportCancelled() | TransportDeclined() | TransportExpired() as ended:
            transport_ended(ended.order_id, ended.booking_id, ENDED_AS[type(ended)], deps)
