"""GET /groups/recommended: a buyer placed in their trader cluster gets open groups to join and
tiered listings to start a group on, near them, each explained in English or Luganda; others are
refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from soko.groups import clusters
from soko.groups.dal_clusters import ClustersDal
from soko.market.dal import listing_index_keys
from soko_local.provision import Deployment
from support.clusters import population
from support.gateway import Api
from support.users import User

BUYER = User("BEANS00", "buyer")  # one of the planted weekly beans buyers in Lira
TIERS = [{"min_kg": "1000", "discount_percent": 5}, {"min_kg": "2000", "discount_percent": 6}]


def _listing(deployment: Deployment, listing_id: str, crop: str, district: str, **fields: Any) -> None:
    item: dict[str, Any] = {
        "id": listing_id,
        "farmer_id": "F1",
        "title": f"{crop} from {district}",
        "crop": crop,
        "category": "legumes",
        "district": district,
        "price_per_kg": 3200,
        "quantity_g": 5_000_000,
        "status": "active",
        "price_tiers": TIERS,
        "created_at": "2026-11-20T08:00:00Z",
        **fields,
    }
    item.update(pk=f"LISTING#{listing_id}", sk="LISTING", **listing_index_keys(item))
    boto3.resource("dynamodb").Table(deployment.physical["MarketTable"]).put_item(Item=item)


def _open_group(deployment: Deployment, group_id: str, listing_id: str, filled_g: int) -> None:
    """An open group as the groups' dal stores it (its documented keys)."""
    deadline = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    boto3.resource("dynamodb").Table(deployment.physical["GroupsTable"]).put_item(
        Item={
            "pk": f"GROUP#{group_id}",
            "sk": "GROUP",
            "gsi1pk": f"LISTINGGROUPS#{listing_id}",
            "gsi1sk": f"open#{deadline}#{group_id}",
            "gsi2pk": "CROPGROUPS#yellow_beans",
            "gsi2sk": f"open#{deadline}#{group_id}",
            "id": group_id,
            "listing_id": listing_id,
            "crop": "yellow_beans",
            "title": "Beans from Lira",
            "district": "Lira",
            "farmer_id": "F2",
            "starter_id": "BEANS03",
            "target_g": 2_000_000,
            "filled_g": filled_g,
            "members": 3,
            "deadline": deadline,
            "status": "open",
            "list_price_per_kg": 3200,
            "tiers": TIERS,
            "created_at": "2026-11-30T08:00:00Z",
            "updated_at": "2026-11-30T08:00:00Z",
        }
    )


@pytest.fixture
def world(deployment: Deployment, dal: ClustersDal) -> str:
    buyers = population()
    for buyer in buyers:
        dal.put_generated(buyer)
    model = clusters.train(buyers, "v-test", "2026-11-30T03:00:00Z")
    dal.put_model(model)
    _listing(deployment, "LBEANSLIRA", "yellow_beans", "Lira")
    _listing(deployment, "LBEANSGROUP", "yellow_beans", "Lira", farmer_id="F2")
    _listing(deployment, "LBEANSKABALE", "yellow_beans", "Kabale")  # far from Lira
    _listing(deployment, "LBEANSNOTIERS", "yellow_beans", "Gulu", price_tiers=[])
    _listing(deployment, "LBEANSMINE", "yellow_beans", "Lira", farmer_id=BUYER.id)
    _open_group(deployment, "G1", "LBEANSGROUP", filled_g=1_200_000)
    return str(model["version"])


def test_a_buyer_gets_groups_to_join_and_start_with_explanations(gateway: Api, world: str) -> None:
    body = gateway.get("/groups/recommended", user=BUYER).expect(200).json
    assert body["model_version"] == world and body["cluster"] == "weekly beans buyers"
    by_listing = {item["listing_id"]: item for item in body["items"]}
    assert set(by_listing) == {"LBEANSGROUP", "LBEANSLIRA"}  # not far, not untiered, not the caller's own
    join, start = by_listing["LBEANSGROUP"], by_listing["LBEANSLIRA"]
    assert body["items"][0] == join  # the group that exists comes first
    assert (join["action"], join["group_id"], join["saving_percent"], join["peers"]) == ("join", "G1", 6, 8)
    assert join["suggested_kg"] == "400"  # the buyer's usual order, within the 800 kg left
    assert join["explanation"] == (
        "8 traders near Lira buy beans every week; this group has 800 kg left: join with 400 kg and "
        "together you reach the 2 t tier and save 6%."
    )
    assert (start["action"], start["group_id"], start["tier"]) == (
        "start",
        None,
        {"min_kg": "2000", "discount_percent": 6},
    )
    assert start["explanation"] == (
        "8 traders near Lira buy beans every week; start a group on this listing: together you reach the "
        "2 t tier and save 6%."
    )


def test_explanations_come_in_luganda(gateway: Api, world: str) -> None:
    body = gateway.get("/groups/recommended", user=BUYER, query={"lang": "lg", "limit": "1"}).expect(200).json
    assert body["cluster"] == "Abagula Ebijanjaalo buli wiiki"
    [item] = body["items"]
    assert item["explanation"].startswith("Abasuubuzi 8 okumpi ne Lira bagula Ebijanjaalo buli wiiki;")
    assert "mukekkereza 6%" in item["explanation"]


def test_a_farmer_is_refused(gateway: Api, world: str) -> None:
    gateway.get("/groups/recommended", user=User("F1", "farmer")).expect(403, "FORBIDDEN")


@pytest.mark.parametrize("query", [{"limit": "0"}, {"limit": "21"}, {"lang": "fr"}])
def test_invalid_parameters_are_a_422(gateway: Api, query: dict[str, str]) -> None:
    gateway.get("/groups/recommended", user=BUYER, query=query).expect(422)


def test_nothing_to_recommend_before_the_first_training(gateway: Api) -> None:
    body = gateway.get("/groups/recommended", user=BUYER).expect(200).json
    assert body == {"items": [], "cluster": None, "model_version": None}


def test_a_buyer_with_no_orders_and_no_profile_gets_an_empty_list(gateway: Api, world: str) -> None:
    body = gateway.get("/groups/recommended", user=User("NEWBUYER", "buyer")).expect(200).json
    assert body == {"items": [], "cluster": None, "model_version": world}


def test_a_new_buyer_is_placed_by_their_profile_in_their_language(
    gateway: Api, deployment: Deployment, world: str
) -> None:
    """No orders yet: the profile's interests and district place them; its language is used."""
    boto3.resource("dynamodb").Table(deployment.physical["UsersTable"]).put_item(
        Item={
            "pk": "USER#NEWBEANS",
            "sk": "PROFILE",
            "id": "NEWBEANS",
            "role": "buyer",
            "district": "Apac",
            "interests": ["yellow_beans"],
            "language": "lg",
            "created_at": "2026-11-30T08:00:00Z",
            "updated_at": "2026-11-30T08:00:00Z",
        }
    )
    body = gateway.get("/groups/recommended", user=User("NEWBEANS", "buyer")).expect(200).json
    assert body["cluster"] == "Abagula Ebijanjaalo buli wiiki"
    assert {i["listing_id"] for i in body["items"]} == {
        "LBEANSGROUP",
        "LBEANSLIRA",
        "LBEANSMINE",
    }  # near Apac
    assert all(i["explanation"].startswith("Abasuubuzi 8 okumpi ne Apac") for i in body["items"])
