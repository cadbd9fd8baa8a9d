"""Bulk-buying groups (``soko.groups``): buyers buying together, and the trader clusters that
recommend which groups to join or start.

- A buyer **starts** a group on a listing with volume price tiers (``POST /groups``: a target
  quantity that reaches at least one tier, a deadline, and their own quantity); others **join** with
  their quantity and **leave** before the deadline. The fill lives on the group's item: a join adds
  its grams with a condition that the fill stays within the target, in one transaction with the
  member's item, so the fill is never counted wrong or over the target, whatever the concurrency.
- **Completion**: the join that reaches the target completes the group at once; at the deadline (a
  one-time EventBridge Scheduler timer) a group whose fill reaches a tier completes, else it
  **expires** and nobody is charged. ``GroupCompleted`` carries each member's grams and the tier's
  price: the market creates one order per member at that price, confirmed and awaiting payment
  until ``pay_by``. A member who has not paid by then drops out (the market expires their order);
  the tier is recomputed on the members left (docs/aggregation.md: the price a member already paid
  never rises; members who have not paid yet get the recomputed tier's price, ``GroupRepriced``).
- Members are notified at each step (in the app and by SMS, through the notifications domain).
- **Clusters**: a projection of buyers' orders (what, where, how much, how often) is clustered by
  k-means with k chosen by silhouette, retrained weekly by a Step Functions workflow, the model
  versioned in the models bucket. ``GET /groups/recommended`` proposes groups to join or start, each
  with a plain-language explanation.
"""
