"""Peer timings for MLCardiac's NIfTI read benchmark (bench/MLCardiac.Bench, `nifti`).

Usage: nifti_read_peer.py GZ_PATH NII_PATH ROUNDS
Times nibabel's `np.asanyarray(nib.load(path).dataobj, dtype=np.float32)` in-process (interpreter start and imports
excluded), one warm-up read per file, then ROUNDS rounds alternating .nii.gz and .nii. Prints one JSON object:
{"nibabel": version, "numpy": version, "voxels": n, "gz": [seconds...], "nii": [seconds...]}.
"""
import json
import sys
import time

import nibabel as nib
import numpy as np


def read_once(path):
    start = time.perf_counter()
    data = np.asanyarray(nib.load(path).dataobj, dtype=np.float32)
    elapsed = time.perf_counter() - start
    assert data.dtype == np.float32
    return elapsed, int(data.size)


def main():
    gz, nii, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
    _, voxels = read_once(gz)
    read_once(nii)
    result = {"nibabel": nib.__version__, "numpy": np.__version__, "voxels": voxels, "gz": [], "nii": []}
    for _ in range(rounds):
        result["gz"].append(read_once(gz)[0])
        result["nii"].append(read_once(nii)[0])
    print(json.dumps(result))


if __name__ == "__main__":
    main()
