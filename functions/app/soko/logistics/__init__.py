"""Logistics: moving an order's produce from the farm to the buyer (``soko.logistics``).

Transporters (the ``transporter`` role: boda-boda riders, pick-ups, lorries) register vehicles with
the districts they serve; a confirmed order's buyer or farmer asks for quotes, books one (claiming
the vehicle's slot in one transaction, so two bookings of a slot never both succeed), and the
booking moves ``requested -> accepted -> picked_up -> delivered`` (or ``declined``, ``cancelled``,
``expired``) with an audit trail and an event at every step. The transporter's phone posts GPS fixes;
the booking keeps the latest position, a smoothed speed and an ETA, and entering the drop-off's
geofence publishes ``TransportArrived``. The buyer's delivery PIN hands the produce over, and the
ledger pays the fare when the order completes (payments reads the fare through :mod:`.public`).

The table (``LogisticsTable``, owned by this domain only) is laid out in :mod:`soko.logistics.dal`.
"""
