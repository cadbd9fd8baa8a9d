"""GET /catalogue: the crop catalogue and the districts, public and cacheable, from the code."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from soko.shared import crops, places

EVENT = json.loads((Path(__file__).parents[3] / "events" / "CatalogueFunction.json").read_text())


def _get(invoke: Any, **changes: Any) -> dict[str, Any]:
    response: dict[str, Any] = invoke("CatalogueFunction", {**EVENT, **changes})
    return response


def test_every_crop_and_district_anonymously_with_a_max_age(invoke) -> None:  # type: ignore[no-untyped-def]
    response = _get(invoke)

    assert response["statusCode"] == 200
    headers = {k.lower(): v for k, v in response["headers"].items()}
    assert headers["cache-control"] == "public, max-age=3600"
    body = json.loads(response["body"])
    assert body["crops"] == [
        {"id": c.id, "name": c.name, "luganda": c.luganda, "category": c.category} for c in crops.CATALOGUE
    ]
    maize = next(c for c in body["crops"] if c["id"] == "maize_grain")
    assert (maize["name"], maize["luganda"], maize["category"]) == ("Maize (grain)", "Kasooli", "grains")
    assert [d["name"] for d in body["districts"]] == sorted(places.DISTRICTS)
    gulu = next(d for d in body["districts"] if d["name"] == "Gulu")
    assert (gulu["lat"], gulu["lon"]) == places.DISTRICTS["Gulu"]
    assert set(gulu) == {"name", "lat", "lon"}


def test_a_token_changes_nothing(invoke) -> None:  # type: ignore[no-untyped-def]
    anonymous = _get(invoke)
    headers = {**EVENT["headers"], "authorization": "Bearer not-a-token"}

    response = _get(invoke, headers=headers)

    assert response["statusCode"] == 200
    assert response["body"] == anonymous["body"]


def test_another_method_is_not_this_route(invoke) -> None:  # type: ignore[no-untyped-def]
    context = {**EVENT["requestContext"], "http": {**EVENT["requestContext"]["http"], "method": "POST"}}

    response = _get(invoke, requestContext=context, routeKey="POST /catalogue")

    assert response["statusCode"] in (404, 405)
