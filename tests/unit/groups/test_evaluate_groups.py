"""make eval-groups: on the generated population, the cluster recommendations beat the random and
popularity baselines on precision@5, acceptance and savings, and the report says the population is
generated."""

from __future__ import annotations

import pytest

from soko_tools import evaluate_groups


def test_the_clusters_beat_both_baselines_on_every_figure() -> None:
    results, model = evaluate_groups.run(seed=18)
    assert model["k"] == len(evaluate_groups.SEGMENTS)  # the planted segments are found
    ours = results["clusters"]
    for baseline in ("random", "popularity"):
        for metric in ("precision@5", "acceptance", "savings_ugx"):
            assert ours[metric] > results[baseline][metric], (baseline, metric, results)
    assert ours["precision@5"] > 0.5 and ours["acceptance"] > 0.8


def test_the_report_says_the_population_is_generated(capsys: pytest.CaptureFixture[str]) -> None:
    assert evaluate_groups.main(["--seed", "5"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("THE POPULATION IS GENERATED")
    assert "clusters" in out and "random" in out and "popularity" in out
