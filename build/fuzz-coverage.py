#!/usr/bin/env python3
"""Line and branch coverage of the fuzzed readers, from the coverlet (cobertura) file of `make fuzz`'s test run."""
import glob
import sys
import xml.etree.ElementTree as ET

FILES = ["Imaging/NiftiReader.cs", "Imaging/NiftiHeaderCodec.cs", "Imaging/VoxelLayout.cs", "Imaging/VoxelConversion.cs",
         "Imaging/PrefixedStream.cs", "ML/CardiacModelFile.cs"]

paths = glob.glob(f"{sys.argv[1]}/**/coverage.cobertura.xml", recursive=True)
if not paths:
    sys.exit(f"fuzz-coverage: no coverage.cobertura.xml under {sys.argv[1]}")
lines, branches = {}, {}
for cls in ET.parse(paths[0]).getroot().iter("class"):
    name = next((f for f in FILES if cls.get("filename", "").replace("\\", "/").endswith(f)), None)
    if name is None:
        continue
    for line in cls.iter("line"):
        key = (name, int(line.get("number")))
        lines[key] = lines.get(key, False) or int(line.get("hits")) > 0
        cond = line.get("condition-coverage")
        if cond:  # "50% (1/2)"
            hit, total = map(int, cond.split("(")[1].rstrip(")").split("/"))
            old = branches.get(key, (0, total))
            branches[key] = (max(hit, old[0]), total)
for f in FILES:
    l = [v for (n, _), v in lines.items() if n == f]
    b = [v for (n, _), v in branches.items() if n == f]
    bh, bt = sum(h for h, _ in b), sum(t for _, t in b)
    print(f"  {f:32s} lines {sum(l):4d}/{len(l):4d} ({100 * sum(l) / max(1, len(l)):5.1f} %)   branches {bh:4d}/{bt:4d} ({100 * bh / max(1, bt):5.1f} %)")
