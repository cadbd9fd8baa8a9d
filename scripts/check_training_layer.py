"""Check a TrainingLayer build: Prophet fits and predicts with nothing but the layer and the
standard library on the path, and matplotlib is not there.

Usage (a build for this machine, see layers/training/Makefile):
    python3.13 scripts/check_training_layer.py /tmp/tl/python

The fit runs in a fresh interpreter started with -I -S: no site-packages, so whatever the layer
is missing fails here as it would in Lambda. It fits as soko.ml.forecasting.prophet_fit does
(default Prophet, no uncertainty samples, monthly log prices).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PROBE = """
import importlib.util, json, math, sys, time
sys.path.insert(0, sys.argv[1])
started = time.perf_counter()
import pandas as pd
from prophet import Prophet
imported = time.perf_counter() - started
assert importlib.util.find_spec("matplotlib") is None, "matplotlib is in the layer"
months = pd.date_range("2019-01-15", periods=60, freq="MS") + pd.Timedelta(days=14)
logs = [7.0 + 0.004 * n + 0.15 * math.sin(2 * math.pi * n / 12) for n in range(60)]
model = Prophet(uncertainty_samples=0)
model.fit(pd.DataFrame({"ds": months, "y": logs}))
future = pd.date_range("2024-01-15", periods=6, freq="MS") + pd.Timedelta(days=14)
predicted = model.predict(pd.DataFrame({"ds": future}))["yhat"].to_list()
assert len(predicted) == 6 and all(math.isfinite(v) and 6.5 < v < 8.0 for v in predicted), predicted
fitted = time.perf_counter() - started - imported
yhat = [round(v, 3) for v in predicted]
print(json.dumps({"import_s": round(imported, 2), "fit_s": round(fitted, 2), "yhat": yhat}))
"""


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__)
        return 2
    layer = Path(argv[0]).resolve()
    if not (layer / "prophet").is_dir():
        print(f"error: {layer} holds no prophet package (pass the layer's python/ directory)")
        return 2
    done = subprocess.run(  # noqa: S603  (this interpreter, a fixed probe)
        [sys.executable, "-I", "-S", "-c", PROBE, str(layer)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        print(f"FAIL: Prophet does not fit with only {layer}:\n{done.stderr[-3000:]}")
        return 1
    print(f"ok: Prophet fits and predicts with only {layer} (no matplotlib): {done.stdout.strip()}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
