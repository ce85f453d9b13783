"""Reads NIfTI files written by MLCardiac with nibabel and reports what nibabel sees.

Usage: read_with_nibabel.py DIR NAME.nii[.gz] ...
For every file it writes DIR/NAME.f32 (get_fdata(dtype=float32), x fastest, little-endian) and an entry in
DIR/nibabel.json: shape, dtype, affine, qform/sform (affine and code), pixdim, xyzt_units, descrip, version.
"""
import json
import os
import sys

import nibabel as nib
import numpy as np

folder = sys.argv[1]
report = {}
for name in sys.argv[2:]:
    img = nib.load(os.path.join(folder, name))
    hdr = img.header
    data = img.get_fdata(dtype=np.float32)
    stem = name.split(".")[0]
    data.ravel(order="F").astype("<f4").tofile(os.path.join(folder, stem + ".f32"))
    qform, qcode = hdr.get_qform(coded=True)
    sform, scode = hdr.get_sform(coded=True)
    report[name] = {
        "version": 2 if isinstance(img, nib.Nifti2Image) else 1,
        "shape": [int(s) for s in img.shape],
        "dtype": hdr.get_data_dtype().str,
        "affine": img.affine.tolist(),
        "qform": None if qform is None else qform.tolist(),
        "qform_code": int(qcode),
        "sform": None if sform is None else sform.tolist(),
        "sform_code": int(scode),
        "pixdim": [float(p) for p in hdr["pixdim"]],
        "xyzt_units": [str(u) for u in hdr.get_xyzt_units()],
        "descrip": hdr["descrip"].item().decode("latin-1"),
        "axcodes": "".join(nib.aff2axcodes(img.affine)),
    }
with open(os.path.join(folder, "nibabel.json"), "w") as f:
    json.dump(report, f, indent=1)
print(f"read {len(report)} files")
