"""Payments: mobile money through PesaPal (MTN MoMo behind the same interface), escrow until
delivery, payouts, refunds, reconciliation and a double-entry ledger. An order's transport fare
(issue 17) is paid by the buyer with the order when the booking exists then, and paid to the
transporter from escrow when the order completes and the transport delivered; the rule is in
:mod:`soko.payments.fares`."""
