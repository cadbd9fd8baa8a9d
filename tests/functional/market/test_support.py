"""The suite's own machinery: its shortcut for moto's DynamoDB reads changes no answer."""

from __future__ import annotations

import json
from typing import Any

import pytest
from market_support import Market, MarketTable
from moto.dynamodb.responses import DynamoResult

from support.gateway import Api
from support.users import User


def test_fast_reads_answer_the_same_json_as_motos_serializer(
    api: Api,
    market: Market,
    market_table: MarketTable,
    farmer: User,
    fast_dynamodb_reads: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for price in (100, 200, 300):
        market.listing(farmer, price=price, description="ok", title="Sun dried maize")
    fast = DynamoResult.execute_result
    compared: list[str] = []

    def both(self: DynamoResult, context: Any) -> Any:
        real = fast_dynamodb_reads(self, context)
        quick = fast(self, context)
        if context.operation_model.name in {"Query", "Scan", "GetItem"}:
            assert (quick[0], json.loads(quick[2])) == (real[0], json.loads(real[2]))
            assert quick[1]["Content-Type"] == real[1]["Content-Type"]
            compared.append(context.operation_model.name)
        return real

    monkeypatch.setattr(DynamoResult, "execute_result", both)
    listing_id = api.get("/listings/", query={"sort": "price", "limit": 2}).expect(200).json["items"][0]["id"]
    api.get(f"/listings/{listing_id}").expect(200)
    market_table.items()

    assert set(compared) == {"Query", "Scan", "GetItem"}
