"""Cooperatives' and bulk-buying groups' events (soko.coops, soko.groups) -> the market's pooled
listings and group orders (soko.market.aggregation; docs/aggregation.md):

- ``PoolPublished`` -> the pooled listing, once; ``CommitmentPooled`` -> its stock grows, once per
  event id (retried while its listing is not there yet);
- ``GroupCompleted`` -> one confirmed order per member at the group's price, all or none
  (``GroupOrdersRefused`` when the listing cannot supply the total);
- ``GroupRepriced`` -> the group's unpaid orders re-priced (a payment attempt in flight keeps its
  price).

Idempotent on the event id, and each action by itself (conditional writes, ids derived from the
group and the buyer). Other events of these sources are not the market's business and are ignored."""

from __future__ import annotations

from soko.coops.events import CommitmentPooled, PoolPublished
from soko.groups.events import GroupCompleted, GroupRepriced
from soko.market import aggregation
from soko.market.deps import aggregation_store, payment_in_flight
from soko.shared.consumer import EventConsumer
from soko.shared.events import ReceivedEvent
from soko.shared.observability import logger


def handle(event: ReceivedEvent) -> None:
    store = aggregation_store()
    if (pool := event.parse_any(PoolPublished)) is not None:
        created = aggregation.publish_pool(pool, store)
        logger.info("pooled listing", extra={"listing_id": pool.listing_id, "listing_created": created})
    elif (pooled := event.parse_any(CommitmentPooled)) is not None:
        added = aggregation.pool_commitment(pooled, store)
        logger.info("pooled stock", extra={"listing_id": pooled.listing_id, "added": added})
    elif (completed := event.parse_any(GroupCompleted)) is not None:
        created_ids = aggregation.complete_group(completed, store)
        logger.info(
            "group orders", extra={"group_id": completed.group_id, "orders_created": len(created_ids)}
        )
    elif (repriced := event.parse_any(GroupRepriced)) is not None:
        changed = aggregation.reprice_group(repriced, store, payment_in_flight)
        logger.info("group repriced", extra={"group_id": repriced.group_id, "orders": len(changed)})


consumer = EventConsumer("market.aggregation", handle)
lambda_handler = consumer.lambda_handler
