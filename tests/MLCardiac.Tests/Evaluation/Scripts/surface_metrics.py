"""Independent reference for MLCardiac's overlap and surface metrics (medpy's definitions, written with scipy).

Usage: surface_metrics.py PRED.raw TRUTH.raw NX NY NZ SX SY SZ LABEL
The .raw files hold float32 label volumes with x fastest (numpy shape (NZ, NY, NX)). Prints JSON with
dice, hd, hd95, assd (mm) for LABEL.
"""
import json
import sys

import numpy as np
from scipy import ndimage as ndi


def surface(mask):
    return mask ^ ndi.binary_erosion(mask, structure=ndi.generate_binary_structure(3, 1), iterations=1)


def directed(a, b, spacing):
    dt = ndi.distance_transform_edt(~surface(b), sampling=spacing)
    return dt[surface(a)]


def main():
    pred_path, truth_path = sys.argv[1], sys.argv[2]
    nx, ny, nz = (int(v) for v in sys.argv[3:6])
    sx, sy, sz = (float(v) for v in sys.argv[6:9])
    label = int(sys.argv[9])
    p = np.fromfile(pred_path, dtype=np.float32).reshape(nz, ny, nx) == label
    t = np.fromfile(truth_path, dtype=np.float32).reshape(nz, ny, nx) == label
    spacing = (sz, sy, sx)
    dice = 2.0 * np.logical_and(p, t).sum() / (p.sum() + t.sum())
    pt, tp = directed(p, t, spacing), directed(t, p, spacing)
    print(json.dumps({
        "dice": float(dice),
        "hd": float(max(pt.max(), tp.max())),
        "hd95": float(np.percentile(np.hstack((pt, tp)), 95)),
        "assd": float(np.mean((pt.mean(), tp.mean()))),
    }))


if __name__ == "__main__":
    main()
