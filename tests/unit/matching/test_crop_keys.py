"""Specialties and interests as crop keys: a catalogue category stands for its crops."""

from __future__ import annotations

import pytest

from soko.matching.features import crop_key, crop_keys, crop_keys_of
from soko.shared import crops


@pytest.mark.parametrize("tag", ["Grains", "grains", "GRAIN", " grains "])
def test_a_category_is_its_crops(tag: str) -> None:
    grains = sorted(c.id for c in crops.CATALOGUE if c.category == "grains")
    assert "sorghum" in grains and "maize_grain" in grains
    assert crop_keys_of(tag) == grains


def test_the_seeds_example_covers_grains_and_legumes() -> None:
    keys = crop_keys(["Grains", "Legumes"])
    expected = {c.id for c in crops.CATALOGUE if c.category in ("grains", "legumes")}
    assert set(keys) == expected and "yellow_beans" in keys


def test_fruit_and_veg_has_its_spoken_names() -> None:
    fruit_veg = sorted(c.id for c in crops.CATALOGUE if c.category == "fruit_veg")
    for tag in ("fruit_veg", "Fruit & veg", "fruit and veg", "vegetables"):
        assert crop_keys_of(tag) == fruit_veg


def test_crops_and_unknown_tags_are_kept_as_before() -> None:
    assert crop_keys_of("maze") == ["maize_grain"] == [crop_key("maze")]
    assert crop_keys_of("Dragon  Fruit") == ["dragon fruit"]
    assert crop_keys(["maize", "Sorghum", " ", "corn"]) == ["maize_grain", "sorghum"]
