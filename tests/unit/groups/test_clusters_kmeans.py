"""Trader clusters' k-means and silhouette (numpy), the pure-Python placement the recommender uses,
and the model document."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from soko.groups import clusters
from soko.groups.clusters_features import FEATURES, Behaviour, nearest, raw_vector, scale


def _direct_silhouette(points: list[list[float]], labels: list[int]) -> float:
    """The textbook definition, one point at a time."""
    scores = []
    for i, p in enumerate(points):
        own = [math.dist(p, q) for j, q in enumerate(points) if labels[j] == labels[i] and j != i]
        if not own:
            scores.append(0.0)
            continue
        a = sum(own) / len(own)
        b = min(
            sum(math.dist(p, q) for j, q in enumerate(points) if labels[j] == c)
            / sum(1 for label in labels if label == c)
            for c in set(labels) - {labels[i]}
        )
        scores.append((b - a) / max(a, b))
    return sum(scores) / len(scores)


def _blobs(
    centres: list[tuple[float, float]], per: int, spread: float, seed: int
) -> tuple[np.ndarray, list[int]]:
    rng = random.Random(seed)
    points, truth = [], []
    for c, (x, y) in enumerate(centres):
        for _ in range(per):
            points.append([x + rng.gauss(0, spread), y + rng.gauss(0, spread)])
            truth.append(c)
    return np.array(points), truth


def test_the_silhouette_is_the_direct_computation() -> None:
    x, _ = _blobs([(0, 0), (3, 1), (1, 4)], 12, 1.0, seed=3)
    rng = random.Random(5)
    labels = [rng.randrange(3) for _ in range(len(x))]
    labels[0] = 3  # a singleton cluster counts 0
    expected = _direct_silhouette(x.tolist(), labels)
    assert clusters.silhouette(x, np.array(labels)) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("k", [3, 5])
def test_k_by_silhouette_recovers_planted_clusters(k: int) -> None:
    centres = [(10 * math.cos(2 * math.pi * i / k), 10 * math.sin(2 * math.pi * i / k)) for i in range(k)]
    x, truth = _blobs(centres, 30, 0.8, seed=k)
    chosen, scores, _, labels = clusters.choose_k(x)
    assert chosen == k, scores
    pairs = {(t, int(label)) for t, label in zip(truth, labels, strict=True)}
    assert len(pairs) == k  # each planted cluster is exactly one found cluster


def test_kmeans_is_seeded() -> None:
    x, _ = _blobs([(0, 0), (5, 5)], 20, 1.0, seed=1)
    first, second = clusters.kmeans(x, 2, seed=9), clusters.kmeans(x, 2, seed=9)
    assert np.array_equal(first[1], second[1]) and np.allclose(first[0], second[0])


def _buyer(i: int, crop: str, district: str, kg: int, days: list[str]) -> Behaviour:
    return Behaviour(
        buyer_id=f"B{i}",
        orders=len(days),
        grams=kg * 1000 * len(days),
        crop_grams={crop: kg * 1000 * len(days)},
        district_orders={district: len(days)},
        days=days,
    )


WEEKLY = [f"2026-{m:02d}-{d:02d}" for m in (9, 10) for d in (1, 8, 15, 22)]
MONTHLY = ["2026-06-03", "2026-07-02", "2026-08-05", "2026-09-01"]


def _population() -> list[Behaviour]:
    buyers = [_buyer(i, "yellow_beans", "Lira", 400 + i, WEEKLY) for i in range(10)]
    buyers += [_buyer(100 + i, "maize_grain", "Mbale", 3000 + 10 * i, MONTHLY) for i in range(10)]
    buyers += [_buyer(200 + i, "matoke", "Kampala", 60 + i, WEEKLY[:5]) for i in range(10)]
    return buyers


def test_the_model_document_places_buyers_as_training_did() -> None:
    buyers = _population()
    model = clusters.train(buyers, "v1", "2026-12-03T07:00:00Z")
    assert model["k"] == 3 and model["buyers"] == 30 and model["features"] == list(FEATURES)
    assert len(model["centroids"]) == 3 and model["silhouette"] > 0.5
    by_crop = {c["top_crops"][0]["crop"]: c for c in model["clusters"]}
    assert by_crop["yellow_beans"]["cadence"] == "weekly"
    assert by_crop["maize_grain"]["cadence"] == "monthly"
    assert by_crop["yellow_beans"]["crop_districts"] == {"yellow_beans": {"Lira": 10}}
    assert by_crop["yellow_beans"]["label"] == {
        "en": "weekly beans buyers",
        "lg": "Abagula Ebijanjaalo buli wiiki",
    }
    # the request path's pure-Python nearest centroid agrees with training for every buyer
    for buyer in buyers:
        point = scale(raw_vector(buyer), model["scaler"]["mean"], model["scaler"]["scale"])
        placed = model["clusters"][nearest(point, model["centroids"])]
        assert placed["top_crops"][0]["crop"] == next(iter(buyer.crop_grams))


def test_too_few_buyers_train_no_model() -> None:
    with pytest.raises(ValueError, match="at least"):
        clusters.train(_population()[:3], "v1", "2026-12-03T07:00:00Z")
