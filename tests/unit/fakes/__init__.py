"""In-memory fakes of the logic modules' ports (soko.market.ports, soko.payments.ports): the same
contracts as the DynamoDB data access, so the rules get fast unit tests without moto."""
