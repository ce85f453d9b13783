#!/usr/bin/env python3
"""Print 'N passed, N failed, N skipped' from the TRX files of a test run; exit 1 on any failure.

Reads the real results (every *.trx under the given folder), so the line CI reads cannot disagree
with what ran. MSTest's Inconclusive (a test that could not run here, e.g. nibabel missing on a
developer machine) and NotExecuted count as skipped. No TRX at all, or no test executed, is a failure.
"""
import glob
import os
import sys
import xml.etree.ElementTree as ET

NS = "{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}"


def main(folder: str) -> int:
    files = sorted(glob.glob(os.path.join(folder, "**", "*.trx"), recursive=True))
    passed = failed = skipped = 0
    for f in files:
        counters = ET.parse(f).getroot().find(f"{NS}ResultSummary/{NS}Counters")
        if counters is None:
            print(f"{f}: no result summary", file=sys.stderr)
            failed += 1
            continue
        c = {k: int(v) for k, v in counters.attrib.items() if v.isdigit()}
        passed += c.get("passed", 0)
        failed += c.get("failed", 0) + c.get("error", 0) + c.get("timeout", 0) + c.get("aborted", 0)
        skipped += c.get("inconclusive", 0) + c.get("notExecuted", 0) + c.get("notRunnable", 0)
    if not files:
        print(f"no TRX file under {folder}: the test run did not finish", file=sys.stderr)
        failed += 1
    elif passed + failed == 0:
        print("no test was executed", file=sys.stderr)
        failed += 1
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else ".artifacts/test-results"))
