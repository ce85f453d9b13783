"""Independent reference for MLCardiac's subject-level (cluster) bootstrap.

Usage: cluster_bootstrap.py INPUT.json
INPUT: {"clusters": [...], "values": [...], "resamples": N, "alpha": a, "seed": s}. Resamples the clusters with
replacement (numpy's generator) and takes the mean of all values of the drawn clusters; percentile interval with numpy's
default (linear) percentile. When every cluster has the same number of values, the same interval also comes from
scipy.stats.bootstrap (percentile method) applied to the cluster means. Prints JSON: mean, lower, upper, scipy_lower,
scipy_upper (null when the cluster sizes differ).
"""
import json
import sys

import numpy as np
from scipy import stats


def main():
    spec = json.load(open(sys.argv[1]))
    clusters, values = spec["clusters"], np.asarray(spec["values"], dtype=float)
    names = sorted(set(clusters))
    sums = np.array([values[[c == n for c in clusters]].sum() for n in names])
    counts = np.array([sum(1 for c in clusters if c == n) for n in names], dtype=float)
    rng = np.random.default_rng(spec["seed"])
    draws = rng.integers(0, len(names), size=(spec["resamples"], len(names)))
    means = sums[draws].sum(axis=1) / counts[draws].sum(axis=1)
    alpha = spec["alpha"]
    out = {"mean": float(values.mean()), "lower": float(np.percentile(means, 100 * alpha / 2)), "upper": float(np.percentile(means, 100 * (1 - alpha / 2))),
           "scipy_lower": None, "scipy_upper": None}
    if len(set(counts)) == 1:
        res = stats.bootstrap((sums / counts,), np.mean, n_resamples=spec["resamples"], confidence_level=1 - alpha, method="percentile",
                              random_state=np.random.default_rng(spec["seed"] + 1))
        out["scipy_lower"], out["scipy_upper"] = float(res.confidence_interval.low), float(res.confidence_interval.high)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
