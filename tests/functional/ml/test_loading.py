"""What the tools load (``make ingest-wfp``, ``make generate-data``) is written by the price
layer's data access: loading twice changes nothing, and synthetic series are labelled."""

from __future__ import annotations

from datetime import date

import boto3

from soko.ml.dal import MlDal
from soko_local.provision import Deployment
from soko_tools import synthetic, wfp


def test_the_wfp_series_load_once_and_synthetic_series_are_labelled(deployment: Deployment) -> None:
    table = deployment.physical["MlTable"]
    dal = MlDal(table)
    gulu_wfp = [o for o in wfp.read_wfp() if o.market == "Gulu"]
    loaded = dal.load_observations(gulu_wfp, counter="wfp_count")
    items = boto3.resource("dynamodb").Table(table).scan()["Items"]
    assert dal.load_observations(gulu_wfp, counter="wfp_count") == loaded == len(gulu_wfp)
    assert len(boto3.resource("dynamodb").Table(table).scan()["Items"]) == len(items), "a reload adds nothing"
    maize = next(c for c in dal.coverage() if (c.market, c.crop) == ("Gulu", "maize_grain"))
    assert maize.wfp_count == len(dal.observations("Gulu", "maize_grain")) > 100

    generated = synthetic.generate(date(2026, 11, 16), weeks=30)
    assert dal.load_observations(generated, counter="synthetic_count") == len(generated) == 3 * 6 * 30
    tomatoes = dal.observations("Gulu", "tomatoes")
    assert len(tomatoes) == 30 and {(o.source, o.pricetype) for o in tomatoes} == {("synthetic", "synthetic")}
    gulu = next(c for c in dal.coverage() if (c.market, c.crop) == ("Gulu", "tomatoes"))
    assert (gulu.synthetic_count, gulu.observations) == (30, 30)
