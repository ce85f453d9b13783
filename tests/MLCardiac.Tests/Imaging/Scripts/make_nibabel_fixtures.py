"""Writes NIfTI fixtures with nibabel for MLCardiac's reader tests.

Usage: make_nibabel_fixtures.py OUT_DIR
For every case NAME it writes the image file, NAME.f32 (nibabel's get_fdata(dtype=float32), x fastest,
little-endian float32) and an entry in OUT_DIR/manifest.json with shape, zooms, affine, ...
"""
import gzip
import json
import os
import sys

import nibabel as nib
import numpy as np

out = sys.argv[1]
rng = np.random.default_rng(1234)
manifest = {}

OBLIQUE = np.array([
    [0.0, -1.2, 0.3, 40.5],
    [1.1, 0.1, 0.0, -20.25],
    [0.2, 0.0, -7.5, 12.0],
    [0, 0, 0, 1.0],
])
theta = 0.3
ROT = np.array([[np.cos(theta), -np.sin(theta), 0], [np.sin(theta), np.cos(theta), 0], [0, 0, 1]])
QFORM = np.eye(4)
QFORM[:3, :3] = ROT @ np.diag([1.25, 1.25, 8.0])
QFORM[:3, 3] = [-60.5, 30.25, -10.0]


def record(name, path, extra=None):
    img = nib.load(path)
    ref = img.get_fdata(dtype=np.float32)
    ref.ravel(order="F").astype("<f4").tofile(os.path.join(out, name + ".f32"))
    hdr = img.header
    entry = {
        "file": os.path.basename(path),
        "shape": [int(s) for s in img.shape],
        "zooms": [float(z) for z in hdr.get_zooms()],
        "affine": img.affine.tolist(),
        "dtype": hdr.get_data_dtype().str,
        "xyzt_units": [str(u) for u in hdr.get_xyzt_units()],
        "codes": [int(hdr["qform_code"]), int(hdr["sform_code"])],
        "axcodes": "".join(nib.aff2axcodes(img.affine)),
        "slope_inter": [float(img.dataobj.slope), float(img.dataobj.inter)],
    }
    if extra:
        entry.update(extra)
    manifest[name] = entry
    return img


def save(name, img, ext=".nii.gz", extra=None):
    path = os.path.join(out, name + ext)
    nib.save(img, path)
    return record(name, path, extra)


def data_for(dtype, shape):
    dt = np.dtype(dtype)
    if dt.kind == "f":
        return (rng.standard_normal(shape) * 300).astype(dt)
    info = np.iinfo(dt)
    lo, hi = int(info.min), int(info.max)
    if dt.itemsize >= 4:  # keep 32/64-bit values inside float32's exact integer range, plus a few extremes
        lo, hi = max(lo, -(1 << 24)), min(hi, 1 << 24)
    data = rng.integers(lo, hi, size=shape, endpoint=True, dtype=np.int64).astype(dt)
    data.flat[0] = lo
    data.flat[-1] = hi
    return data


def with_dtype(cls, data, affine, dtype, endianness=None):
    hdr = cls.header_class(endianness=endianness) if endianness else cls.header_class()
    hdr.set_data_dtype(dtype)
    return cls(data, affine, hdr)


# Every datatype, 3D, both .nii and .nii.gz.
for dt in ["uint8", "int8", "int16", "uint16", "int32", "uint32", "int64", "float32", "float64"]:
    data = data_for(dt, (5, 4, 3))
    img = with_dtype(nib.Nifti1Image, data, OBLIQUE, dt)
    save(f"dtype_{dt}", img, ".nii.gz")
    save(f"dtype_{dt}_raw", with_dtype(nib.Nifti1Image, data, OBLIQUE, dt), ".nii")

# Scaling chosen by nibabel: float data stored as int16 / uint8 / int32 with its computed slope and intercept.
floaty = (rng.standard_normal((6, 5, 4)) * 123.4 + 17.0).astype(np.float64)
for dt in ["int16", "uint8", "int32"]:
    save(f"scaled_{dt}", with_dtype(nib.Nifti1Image, floaty, OBLIQUE, dt))

# Scaling set by hand (exact binary values), written through a header with slope/inter kept.
raw16 = data_for("int16", (4, 3, 2))
hdr = nib.Nifti1Header()
hdr.set_data_dtype(np.int16)
hdr.set_data_shape(raw16.shape)
hdr.set_slope_inter(2.5, -10.0)
hdr.set_sform(OBLIQUE, 2)
hdr["vox_offset"] = 352
path = os.path.join(out, "manual_scale.nii")
with open(path, "wb") as f:
    f.write(hdr.binaryblock)
    f.write(b"\0" * 4)
    f.write(raw16.astype(hdr.get_data_dtype()).tobytes(order="F"))
record("manual_scale", path)

# 4D cine: int16, spacing 1.5 x 1.5 x 8 mm, 30 ms per frame given in ms.
cine = data_for("int16", (6, 5, 4, 7))
img = with_dtype(nib.Nifti1Image, cine, QFORM, "int16")
img.header.set_zooms((1.5, 1.5, 8.0, 30.0))
img.header.set_xyzt_units("mm", "msec")
img.set_sform(QFORM @ np.diag([1.5 / 1.25, 1.5 / 1.25, 1.0, 1.0]), 1)
save("cine_ms", img)
img = with_dtype(nib.Nifti1Image, cine, QFORM, "int16")
img.header.set_zooms((1.25, 1.25, 8.0, 0.04))
img.header.set_xyzt_units("mm", "sec")
save("cine_s", img, ".nii")

# qform only, sform only, neither.
vol = data_for("int16", (5, 4, 3))
img = with_dtype(nib.Nifti1Image, vol, QFORM, "int16")
img.set_sform(None, code=0)
img.set_qform(QFORM, code=1)
save("qform_only", img)
img = with_dtype(nib.Nifti1Image, vol, OBLIQUE, "int16")
img.set_qform(None, code=0)
img.set_sform(OBLIQUE, code=2)
save("sform_only", img)
img = with_dtype(nib.Nifti1Image, vol, np.diag([2.0, 3.0, 4.0, 1.0]), "int16")
img.set_qform(None, code=0)
img.set_sform(None, code=0)
save("no_xform", img)
# qfac = -1 (left-handed qform).
lh = np.diag([-1.0, 1.0, 1.0, 1.0]) @ QFORM
img = with_dtype(nib.Nifti1Image, vol, lh, "int16")
img.set_sform(None, code=0)
img.set_qform(lh, code=1)
save("qform_qfac_neg", img)

# Big-endian, NIfTI-1 and NIfTI-2.
for dt in ["int16", "float32", "float64", "uint16"]:
    img = with_dtype(nib.Nifti1Image, data_for(dt, (5, 4, 3)), OBLIQUE, dt, endianness=">")
    img.header.set_slope_inter(None, None)
    save(f"bigendian_{dt}", img, ".nii.gz", {"endian": img.header.endianness})
img = with_dtype(nib.Nifti2Image, data_for("int16", (5, 4, 3, 2)), QFORM, "int16", endianness=">")
save("nifti2_bigendian", img, ".nii")

# NIfTI-2, .nii and .nii.gz, 3D and 4D.
img = with_dtype(nib.Nifti2Image, data_for("float32", (5, 4, 3)), OBLIQUE, "float32")
save("nifti2_float", img, ".nii")
img = with_dtype(nib.Nifti2Image, cine, QFORM, "int16")
img.header.set_zooms((1.25, 1.25, 8.0, 0.05))
save("nifti2_cine", img, ".nii.gz")
img = with_dtype(nib.Nifti2Image, floaty, OBLIQUE, "int16")
save("nifti2_scaled", img, ".nii.gz")

# Multi-member gzip (two gzip members concatenated).
img = with_dtype(nib.Nifti1Image, data_for("int16", (9, 8, 7)), OBLIQUE, "int16")
plain = img.to_bytes()
path = os.path.join(out, "multimember.nii.gz")
with open(path, "wb") as f:
    f.write(gzip.compress(plain[:1000]))
    f.write(gzip.compress(plain[1000:]))
record("multimember", path)

# Canonical orientation: LPS, flipped and transposed axes; nibabel's as_closest_canonical as reference.
lps = np.diag([-0.8, -0.9, 2.5, 1.0])
lps[:3, 3] = [50.0, 60.0, -20.0]
transposed = np.array([[0.0, 0.0, -3.0, 30.0], [-1.1, 0.0, 0.0, 10.0], [0.0, 0.9, 0.1, -5.0], [0, 0, 0, 1.0]])
for name, aff, shape in [("canon_lps", lps, (5, 4, 3)), ("canon_transposed", transposed, (5, 4, 3, 2)), ("canon_oblique", OBLIQUE, (5, 4, 3))]:
    img = with_dtype(nib.Nifti1Image, data_for("float32", shape), aff, "float32")
    path = os.path.join(out, name + ".nii.gz")
    nib.save(img, path)
    canon = nib.as_closest_canonical(nib.load(path))
    data = np.asanyarray(canon.dataobj, dtype=np.float32)
    data.ravel(order="F").astype("<f4").tofile(os.path.join(out, name + ".canon.f32"))
    record(name, path, {"canon_shape": [int(s) for s in canon.shape], "canon_affine": canon.affine.tolist(),
                        "canon_axcodes": "".join(nib.aff2axcodes(canon.affine))})

with open(os.path.join(out, "manifest.json"), "w") as f:
    json.dump(manifest, f, indent=1)
print(f"wrote {len(manifest)} fixtures")
