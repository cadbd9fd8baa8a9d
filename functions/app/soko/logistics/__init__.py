"""Logistics: moving an order's produce from the farm to the buyer (``soko.logistics``).

Transporters (the ``transporter`` role: boda-boda riders, pick-ups, lorries) register vehicles with
the districts they serve; a confirmed order's buyer or farmer asks for quotes, books one (claiming
the vehicle's slot in one transaction, so two bookings of a slot never both succeed), and the
booking moves ``requested -> accepted -> picked_up -> delivered`` (or ``declined``, ``cancelled``,
``expired``) with an audit trail and an event at every step. The transporter's phone posts GPS fixes;
the booking keeps the latest position, a smoothed speed and an ETA, and entering the drop-off's
geofence publishes ``TransportArrived``. The buyer's delivery PIN hands the produce over, and the
ledger pays the fare when the order completes (payments reads the fare through :mod:`.public`).

**A vehicle's slot is a day** (``SLOT#<YYYY-MM-DD>``): a vehicle takes one job per day. A
simplification, on purpose: farm-to-market trips in Uganda are day trips (a lorry from Gulu to
Kampala and back is a day; a boda-boda's second job of the day is rare enough to book as another
day), and a day is a slot both parties and a USSD menu can name without times that nobody keeps.
Half-day or hourly slots would only change the slot's key (a ``#<period>`` suffix) and what a quote
asks for; the transaction that claims it stays the same.

The table (``LogisticsTable``, owned by this domain only) is laid out in :mod:`soko.logistics.dal`.
"""
