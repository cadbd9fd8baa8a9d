"""Trader clusters: k-means (k-means++ seeding, seeded) for k = 2..8, k chosen by the mean
silhouette. numpy only, from the ML stack's training layer: only the training function imports this
module (request-serving functions place a buyer with the pure-Python nearest centroid of
``clusters_features``).

- ``kmeans(x, k, seed)``: the best of ``N_INIT`` seeded k-means++ starts (lowest inertia), Lloyd
  iterations until the labels stop changing (at most ``MAX_ITER``); an emptied cluster is re-seeded
  on the point farthest from its centroid.
- ``silhouette(x, labels)``: the mean over points of ``(b - a) / max(a, b)`` (``a`` the mean
  distance to the point's own cluster, ``b`` to the nearest other), 0 for a point alone in its
  cluster (as scikit-learn does). Computed on at most ``SILHOUETTE_SAMPLE`` points (a seeded
  sample) so the pairwise distances stay small.
- ``train(behaviours, version, trained_at)``: the model document (docs/aggregation.md).
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from soko.groups import recommend_texts
from soko.groups.clusters_features import (
    CROP_SCALE,
    CROPS,
    FEATURES,
    Behaviour,
    cadence,
    raw_vector,
)

K_RANGE = range(2, 9)
N_INIT = 4
MAX_ITER = 100
SILHOUETTE_SAMPLE = 2000
MIN_BUYERS = 6
SEED = 18
Matrix = NDArray[np.float64]
Labels = NDArray[np.int64]


def _sq_distances(x: Matrix, centroids: Matrix) -> Matrix:
    return ((x[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=2)


def _plus_plus(x: Matrix, k: int, rng: np.random.Generator) -> Matrix:
    centroids = [x[rng.integers(len(x))]]
    for _ in range(1, k):
        d = _sq_distances(x, np.array(centroids)).min(axis=1)
        total = d.sum()
        index = rng.choice(len(x), p=d / total) if total > 0 else rng.integers(len(x))
        centroids.append(x[index])
    return np.array(centroids)


def _lloyd(x: Matrix, centroids: Matrix) -> tuple[Matrix, Labels, float]:
    labels: Labels = np.full(len(x), -1)
    for _ in range(MAX_ITER):
        d = _sq_distances(x, centroids)
        new = d.argmin(axis=1)
        if np.array_equal(new, labels):
            break
        labels = new
        for j in range(len(centroids)):
            members = x[labels == j]
            if len(members):
                centroids[j] = members.mean(axis=0)
            else:  # re-seed an emptied cluster on the point worst served
                far = int(d.min(axis=1).argmax())
                centroids[j] = x[far]
    inertia = float(_sq_distances(x, centroids).min(axis=1).sum())
    return centroids, labels, inertia


def kmeans(x: Matrix, k: int, seed: int = SEED) -> tuple[Matrix, Labels, float]:
    """(centroids, labels, inertia) of the best of ``N_INIT`` seeded starts."""
    rng = np.random.default_rng(seed)
    best: tuple[Matrix, Labels, float] | None = None
    for _ in range(N_INIT):
        run = _lloyd(x, _plus_plus(x, k, rng).copy())
        if best is None or run[2] < best[2]:
            best = run
    assert best is not None
    return best


def silhouette(x: Matrix, labels: Labels) -> float:
    """The mean silhouette of the points (``x`` already sampled if it must be)."""
    distances = np.sqrt(np.maximum(_sq_distances(x, x), 0.0))
    clusters = np.unique(labels)
    if len(clusters) < 2:
        return 0.0
    scores = np.zeros(len(x))
    for i in range(len(x)):
        own = labels == labels[i]
        size = int(own.sum())
        if size <= 1:
            continue  # alone in its cluster: 0
        a = distances[i, own].sum() / (size - 1)
        b = min(distances[i, labels == c].mean() for c in clusters if c != labels[i])
        scores[i] = (b - a) / max(a, b) if max(a, b) > 0 else 0.0
    return float(scores.mean())


def choose_k(x: Matrix, seed: int = SEED) -> tuple[int, dict[int, float], Matrix, Labels]:
    """The k of ``K_RANGE`` (fewer than the points) with the best mean silhouette; ties to the
    smaller k. Returns (k, silhouette per k, centroids, labels)."""
    rng = np.random.default_rng(seed)
    sample = rng.choice(len(x), size=min(len(x), SILHOUETTE_SAMPLE), replace=False)
    scores: dict[int, float] = {}
    fits: dict[int, tuple[Matrix, Labels]] = {}
    for k in K_RANGE:
        if k >= len(x):
            break
        centroids, labels, _ = kmeans(x, k, seed)
        fits[k] = (centroids, labels)
        scores[k] = round(silhouette(x[sample], labels[sample]), 4)
    best = max(scores, key=lambda k: (scores[k], -k))
    return best, scores, *fits[best]


def scaler(raw: Matrix) -> tuple[list[float], list[float]]:
    """(mean, scale) per feature: crop shares times 2 (mean 0, scale 0.5), the rest z-scored."""
    crops = len(CROPS)
    mean = [0.0] * crops + [float(v) for v in raw[:, crops:].mean(axis=0)]
    std = raw[:, crops:].std(axis=0)
    scale = [CROP_SCALE] * crops + [float(s) if s > 1e-9 else 1.0 for s in std]
    return mean, scale


def _describe(members: Sequence[Behaviour], vectors: Matrix) -> dict[str, Any]:
    crop_g: Counter[str] = Counter()
    crop_districts: dict[str, Counter[str]] = defaultdict(Counter)
    districts: Counter[str] = Counter()
    for b in members:
        crop_g.update({c: g for c, g in b.crop_grams.items() if c in CROPS})
        home = b.main_district
        if home:
            districts[home] += 1
            for crop in b.crop_grams:
                if crop in CROPS:
                    crop_districts[crop][home] += 1
    total = sum(crop_g.values()) or 1
    top_crops = [{"crop": c, "share": round(g / total, 3)} for c, g in crop_g.most_common(3)]
    regularity = statistics.median(float(v) for v in vectors[:, FEATURES.index("regularity")])
    intervals = [i for b in members if (i := b.interval_weeks) is not None]
    kg = statistics.median(b.grams / 1000 / max(b.orders, 1) for b in members)
    rhythm = cadence(statistics.median(intervals) if intervals else None)
    top = top_crops[0]["crop"] if top_crops else None
    return {
        "size": len(members),
        "top_crops": top_crops,
        "top_districts": [{"district": d, "buyers": n} for d, n in districts.most_common(3)],
        "cadence": rhythm,
        "regularity": round(regularity, 3),
        "kg_per_order": round(kg, 1),
        "crop_districts": {c: dict(sorted(n.items())) for c, n in sorted(crop_districts.items())},
        "label": {lang: recommend_texts.cluster_label(str(top), rhythm, lang) for lang in ("en", "lg")}
        if top
        else {"en": "new buyers", "lg": "abagula abapya"},
    }


def train(behaviours: Sequence[Behaviour], version: str, trained_at: str, seed: int = SEED) -> dict[str, Any]:
    """The model document of a run; raises ValueError below ``MIN_BUYERS`` buyers with orders."""
    buyers = [b for b in behaviours if b.orders > 0]
    if len(buyers) < MIN_BUYERS:
        raise ValueError(f"{len(buyers)} buyers with orders: at least {MIN_BUYERS} are needed to cluster")
    raw = np.array([raw_vector(b) for b in buyers], dtype=float)
    mean, scale = scaler(raw)
    x = (raw - np.array(mean)) / np.array(scale)
    k, scores, centroids, labels = choose_k(x, seed)
    clusters = []
    for j in range(k):
        members = [b for b, label in zip(buyers, labels, strict=True) if label == j]
        clusters.append({"id": str(j), **_describe(members, raw[labels == j])})
    return {
        "version": version,
        "trained_at": trained_at,
        "method": "kmeans++ k by silhouette",
        "seed": seed,
        "features": list(FEATURES),
        "scaler": {"mean": [round(m, 6) for m in mean], "scale": [round(s, 6) for s in scale]},
        "k": k,
        "silhouette": scores[k],
        "silhouettes": {str(kk): s for kk, s in scores.items()},
        "buyers": len(buyers),
        "generated_buyers": sum(1 for b in buyers if b.generated),
        "centroids": [[round(float(v), 6) for v in c] for c in centroids],
        "labels": [c["label"] for c in clusters],
        "clusters": clusters,
    }
