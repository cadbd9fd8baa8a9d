"""The analytics table: counters, projections and reports (the only data access to it).

All items are fed by events (idempotent on the event id) or written by the reports worker; nothing
here is the source of truth for an order or a payment: a lost table is rebuilt by replaying the
bus's archive.

- an event already counted (TTL 35 days): ``SEEN#<event id>`` / ``SEEN``
- a period's totals; the chart's series is one Query on sk: ``TOTALS#<period>`` / ``<key>``
  (``2026-12-03``, ``2026-W49``, ``2026-12``)
- a period's breakdowns, one Query: ``BREAKDOWN#<period>#<key>`` / ``CROP#<crop>``,
  ``DISTRICT#<district>``, ``GAP#<district>#<crop or ->``
- who was active in a period (TTL): ``ACTIVE#<period>#<key>`` / ``<role>#<user id>``
- a farmer's sales by month and crop: ``FARMER#<id>`` / ``SALES#<yyyy-mm>#<crop>``
- a farmer's buyers (completed orders per buyer; the total and repeat buyers are counted from them
  on read, in the same Query): ``FARMER#<id>`` / ``BUYER#<buyer id>``
- an order's crop, district and kg, for its payment events' breakdowns (TTL 120 days):
  ``ORDER#<id>`` / ``ORDER``
- a farmer's ratings by month: ``FARMER#<id>`` / ``RATING#<yyyy-mm>``
- market intelligence, kg and orders by week and kg per price (``p#<ugx>``, for the median):
  ``MARKET#<crop>#<district or ALL>`` / ``WEEK#<yyyy>-W<ww>``
- a report: ``REPORT#<id>`` / ``REPORT``; an owner's reports, newest first: gsi1
  ``REPORTS#<owner>`` / ``<created_at>#<id>``

Counters change with ``ADD`` in one transaction with the ``SEEN`` claim (an event is counted once or
not at all); "active" markers are conditional puts whose success adds one to the period's count.
Periods are in East Africa Time (``soko.analytics.models.period_key``). Never a Scan.
"""

from __future__ import annotations


def totals_key(period: str, key: str) -> dict[str, str]:
    return {"pk": f"TOTALS#{period}", "sk": key}


def breakdown_pk(period: str, key: str) -> str:
    return f"BREAKDOWN#{period}#{key}"


def farmer_pk(farmer_id: str) -> str:
    return f"FARMER#{farmer_id}"


def market_pk(crop: str, district: str | None) -> str:
    return f"MARKET#{crop}#{district or 'ALL'}"


def report_key(report_id: str) -> dict[str, str]:
    return {"pk": f"REPORT#{report_id}", "sk": "REPORT"}
