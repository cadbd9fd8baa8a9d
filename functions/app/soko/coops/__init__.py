"""Cooperatives (``soko.coops``): farmers selling together.

A cooperative has a district, crops, a fee (percent of its members' net proceeds) and members, some
of them managers. Members **commit** quantities of a crop; a manager publishes a **pooled listing**
for a crop, a marketplace listing (owned by the market; its ``farmer_id`` is the publishing manager
and it carries ``coop_id``) whose stock is the sum of the members' pooled commitments. Buyers order
it like any listing (every order rule holds: the market's stock is the pool's).

- Publishing (``POST /coops/{id}/listings``) pools the crop's open commitments and publishes
  ``PoolPublished``; the market's consumer creates the listing with the id the coop chose (202: the
  listing appears within a second). A commitment made while a pool of its crop is live joins it
  (``CommitmentPooled``; the market adds its grams to the listing's stock, once per event).
- **Allocation**: on the market's ``OrderConfirmed`` of a pooled listing, the order's grams are
  shared among the pool's commitments in proportion to what each still has unallocated (largest
  remainder, ties to the earliest commitment; documented in docs/aggregation.md) and reserved in one
  transaction (each commitment's ``allocated_g`` rises, conditioned on staying within its
  ``quantity_g``); ``OrderAllocated`` says who supplies what. An order that ends unpaid (cancelled,
  rejected, expired) releases its allocation.
- **Payouts**: payments asks :mod:`soko.coops.public` for the order's split when the order
  completes and pays each member their share (less Soko's commission and the coop's fee) through
  the ledger; the coop's fee goes to the coop. The shares add up to the order to the shilling.
- Members see their commitments, allocations and earnings (``GET /coops/mine``); managers see the
  pool (``GET /coops/{id}``). By USSD a member commits, sees an allocation and confirms it; by SMS
  they hear when the pooled order is paid.
"""
