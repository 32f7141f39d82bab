#!/usr/bin/python3
"""Check tsr_heat's snapshots, XDMF files and a checkpoint as h5py and an XML parser see them.

Usage: /usr/bin/python3 heat_files.py OUT_DIR STEPS NX NY [FINGERPRINT [CHECKPOINT]]
  STEPS        comma-separated steps the index DIR/heat.xmf must list, in order
  FINGERPRINT  (0x..., or -) the fingerprint heat printed for the last listed step
  CHECKPOINT   a checkpoint file to check too

Snapshots: the tessera.fields root attributes, field u with component "0", a [NY][NX] float64
dataset whose data matches the stored fingerprint (recomputed here as tsr_fingerprint_cell
does, see tests/regression/io_check.py). XDMF: the index and every sidecar are well-formed, the
index is a temporal collection of exactly STEPS at the snapshots' times, and every DataItem
names a dataset that exists in an existing file with the shape it states. Checkpoint: the
same format with "checkpoint_version" 1 and the "options" string in /attrs, the field u alone
(heat registers one of its two buffers and points the checkpoint at the one holding the step),
the scalars heat registers and nothing else, and u's data matching its fingerprint.
Exits 0 when every check passes, 1 otherwise, listing the failures.
"""
import os
import sys
import xml.etree.ElementTree as ET

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "regression"))
from io_check import fingerprint, text  # noqa: E402  (the reference fingerprint)

failures = []
checks = 0


def check(cond, what):
    global checks
    checks += 1
    if not cond:
        failures.append(what)
    return cond


def check_fields_file(path, nx, ny, fields):
    """Common tessera.fields checks; returns {field: fingerprint of the data}."""
    name = os.path.basename(path)
    found = {}
    with h5py.File(path, "r") as f:
        a = f.attrs
        check(text(a["format"]) == "tessera.fields", f"{name}: format {a['format']!r}")
        check(int(a["dim"]) == 2, f"{name}: dim {a['dim']}")
        check(list(a["grid_size"]) == [nx, ny], f"{name}: grid_size {list(a['grid_size'])}")
        check(sorted(f["fields"].keys()) == sorted(fields), f"{name}: fields {list(f['fields'])}")
        for field in fields:
            if not check(field in f["fields"], f"{name}: field {field} missing"):
                continue
            g = f["fields"][field]
            check([text(c) for c in g.attrs["components"]] == ["0"], f"{name}: {field} components")
            d = g["0"]
            check(d.shape == (ny, nx), f"{name}: {field}/0 shape {d.shape}")
            check(d.dtype == np.dtype("<f8"), f"{name}: {field}/0 type {d.dtype}")
            fp = fingerprint([d[()]])
            check(int(g.attrs["fingerprint"]) == fp, f"{name}: {field} data vs stored fingerprint")
            found[field] = fp
    return found


def snapshot_time(folder, step):
    with h5py.File(os.path.join(folder, f"heat_{step:06d}.h5"), "r") as f:
        check(int(f.attrs["step"]) == step, f"heat_{step:06d}.h5: step {f.attrs['step']}")
        return float(f.attrs["time"])


def check_grid(grid, folder, step, nx, ny, where):
    check(grid.get("Name") == f"heat_{step:06d}", f"{where}: grid name {grid.get('Name')}")
    time = grid.find("Time")
    check(time is not None and float(time.get("Value")) == snapshot_time(folder, step),
          f"{where}: time")
    attrs = grid.findall("Attribute")
    check([x.get("Name") for x in attrs] == ["u"], f"{where}: attributes")
    for x in attrs:
        item = x.find("DataItem")
        dims = [int(v) for v in item.get("Dimensions").split()]
        check(dims == [1, ny, nx], f"{where}: dimensions {dims}")
        h5name, _, dset = item.text.strip().partition(":")
        check(h5name == f"heat_{step:06d}.h5", f"{where}: data file {h5name}")
        path = os.path.join(folder, h5name)
        if check(os.path.exists(path), f"{where}: {h5name} missing"):
            with h5py.File(path, "r") as f:
                if check(dset in f, f"{where}: dataset {dset} missing"):
                    check(list(f[dset].shape) == dims[1:], f"{where}: {dset} shape")


def parse(path):
    try:
        return ET.parse(path).getroot()
    except (ET.ParseError, OSError) as e:
        check(False, f"{path}: not well-formed XML: {e}")
        return None


def main(folder, steps, nx, ny, final_fp=None, checkpoint=None):
    for step in steps:
        h5 = os.path.join(folder, f"heat_{step:06d}.h5")
        if not check(os.path.exists(h5), f"{h5} missing"):
            continue
        fps = check_fields_file(h5, nx, ny, ["u"])
        if step == steps[-1] and final_fp is not None:
            check(fps.get("u") == final_fp,
                  f"{h5}: data fingerprint {fps.get('u', 0):#018x}, heat printed {final_fp:#018x}")
        root = parse(os.path.join(folder, f"heat_{step:06d}.xmf"))
        if root is not None:
            grids = root.findall("./Domain/Grid")
            if check(len(grids) == 1, f"heat_{step:06d}.xmf: one grid"):
                check_grid(grids[0], folder, step, nx, ny, f"heat_{step:06d}.xmf")
    root = parse(os.path.join(folder, "heat.xmf"))
    if root is not None:
        series = root.findall("./Domain/Grid")
        if check(len(series) == 1 and series[0].get("CollectionType") == "Temporal",
                 "heat.xmf: one temporal collection"):
            grids = series[0].findall("Grid")
            listed = [g.get("Name") for g in grids]
            check(listed == [f"heat_{s:06d}" for s in steps], f"heat.xmf lists {listed}")
            for grid, step in zip(grids, steps):
                check_grid(grid, folder, step, nx, ny, f"heat.xmf[{step}]")
    if checkpoint:
        name = os.path.basename(checkpoint)
        fps = check_fields_file(checkpoint, nx, ny, ["u"])
        with h5py.File(checkpoint, "r") as f:
            user = f["attrs"].attrs
            check(int(user["checkpoint_version"]) == 1, f"{name}: checkpoint_version")
            check("steps" in text(user["options"]), f"{name}: options {user['options']!r}")
            for key, kind in (("dt", np.float64), ("kappa", np.float64), ("ic", np.int64)):
                check(key in user and user[key].dtype == kind, f"{name}: /attrs/{key}")
            check(sorted(user.keys()) == ["checkpoint_version", "dt", "ic", "kappa", "options"],
                  f"{name}: /attrs holds {sorted(user.keys())}")
            step = int(f.attrs["step"])
            check(float(f.attrs["time"]) == step * float(user["dt"]), f"{name}: time")
    for f in failures:
        print("FAIL:", f)
    print(f"heat_files: {checks - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) not in (5, 6, 7):
        sys.exit(__doc__)
    fp = int(sys.argv[5], 16) if len(sys.argv) > 5 and sys.argv[5] != "-" else None
    sys.exit(main(sys.argv[1], [int(s) for s in sys.argv[2].split(",")], int(sys.argv[3]),
                  int(sys.argv[4]), fp, sys.argv[6] if len(sys.argv) > 6 else None))
