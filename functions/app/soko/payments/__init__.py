"""Payments: mobile money through PesaPal (MTN MoMo behind the same interface), escrow until
delivery, payouts, refunds, reconciliation and a double-entry ledger."""
