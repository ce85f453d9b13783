"""Independent reference for MLCardiac's clinical indices: reads a 4D label NIfTI with nibabel and counts voxels with numpy.

Usage: clinical_indices.py LABELS.nii.gz ED ES
Labels 1 LV blood pool, 2 LV myocardium, 3 RV blood pool; ED/ES are 0-based frames. Voxel volume from the header's zooms.
Prints JSON: lv_edv, lv_esv, lv_ef, rv_edv, rv_esv, rv_ef (ml, %) and lv_mass (g, myocardium at ED x 1.05 g/ml).
"""
import json
import sys

import nibabel as nib
import numpy as np


def main():
    img = nib.load(sys.argv[1])
    ed, es = int(sys.argv[2]), int(sys.argv[3])
    data = np.asarray(img.dataobj)
    voxel_ml = float(np.prod(img.header.get_zooms()[:3])) / 1000.0
    def volume(frame, label):
        return float(np.count_nonzero(np.rint(data[..., frame]) == label)) * voxel_ml
    lv_edv, lv_esv, rv_edv, rv_esv = volume(ed, 1), volume(es, 1), volume(ed, 3), volume(es, 3)
    print(json.dumps({
        "lv_edv": lv_edv, "lv_esv": lv_esv, "lv_ef": 100.0 * (lv_edv - lv_esv) / lv_edv,
        "rv_edv": rv_edv, "rv_esv": rv_esv, "rv_ef": 100.0 * (rv_edv - rv_esv) / rv_edv,
        "lv_mass": volume(ed, 2) * 1.05,
    }))


if __name__ == "__main__":
    main()
