#!/usr/bin/python3
"""Check the snapshots test_io writes in its "sample" mode as other tools see them.

Usage: /usr/bin/python3 io_check.py SAMPLE_DIR   (Debian's h5py lives in the system python)

With h5py: every snapshot file's root attributes, the per-field component names and
fingerprints (recomputed here from the data, as tsr_fingerprint_cell does), the named values
in /attrs, and every dataset's shape (C order: [n2][n1][n0]), type and values, which are a
known function of the global index. With the XML parser: every XDMF sidecar and the time
series index are well-formed, describe the mesh (points = cells + 1, origin and spacing
slowest axis first) and name datasets that exist with the shapes they state.
Exits 0 when every check passes, 1 otherwise, listing the failures.
"""
import os
import sys
import xml.etree.ElementTree as ET

import h5py
import numpy as np

SERIES = {"line": (17,), "plane": (12, 10), "cube": (12, 10, 8)}  # cells, axis order
STEPS = [0, 2, 4]  # written every 2 steps of 0..4
ORIGIN = [-1.0, 0.0, 2.0]
SPACING = [0.5, 0.25, 0.125]
COMPONENTS = {"rho": ["0"], "vel": ["x", "y", "z"]}
NAMED = {"kappa": 0.75, "seed": -42, "big": 18446744073709551557, "options": "grid 12x10x8\nsteps 4"}

failures = []
checks = 0


def check(cond, what):
    global checks
    checks += 1
    if not cond:
        failures.append(what)
    return cond


def text(value):
    return value.decode() if isinstance(value, (bytes, np.bytes_)) else str(value)


def expected_values(n, comp, field, step):
    """i + 64 j + 4096 k + 0.5 comp + 1e6 field + 1e7 step, shaped [n2][n1][n0]."""
    idx = np.indices(tuple(reversed(n)), dtype=np.float64)
    dim = len(n)
    i = idx[dim - 1]
    j = idx[dim - 2] if dim >= 2 else 0.0
    k = idx[dim - 3] if dim >= 3 else 0.0
    return i + 64.0 * j + 4096.0 * k + 0.5 * comp + 1e6 * field + 1e7 * step


def mix64(z):
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def fingerprint(arrays):
    """Sum mod 2^64 over cells and components of mix(mix(bits) ^ mix(linear * G + comp + 1))."""
    total = np.uint64(0)
    with np.errstate(over="ignore"):
        for comp, a in enumerate(arrays):
            linear = np.arange(a.size, dtype=np.uint64)  # C order: i + n0 (j + n1 k)
            where = mix64(linear * np.uint64(0x9E3779B97F4A7C15) + np.uint64(comp + 1))
            bits = np.ascontiguousarray(a, dtype="<f8").reshape(-1).view(np.uint64)
            total += np.sum(mix64(mix64(bits) ^ where), dtype=np.uint64)
    return int(total)


def check_h5(path, n, step):
    dim = len(n)
    name = os.path.basename(path)
    with h5py.File(path, "r") as f:
        a = f.attrs
        check(text(a["format"]) == "tessera.fields", f"{name}: format {a['format']!r}")
        check(int(a["format_version"]) == 1, f"{name}: format_version {a['format_version']}")
        check(len(text(a["tessera_version"]).split(".")) == 3, f"{name}: tessera_version")
        check(int(a["dim"]) == dim, f"{name}: dim {a['dim']}")
        check(list(a["grid_size"]) == list(n), f"{name}: grid_size {list(a['grid_size'])}")
        check(list(a["periodic"]) == [0] * dim, f"{name}: periodic {list(a['periodic'])}")
        check(list(a["origin"]) == ORIGIN[:dim], f"{name}: origin {list(a['origin'])}")
        check(list(a["spacing"]) == SPACING[:dim], f"{name}: spacing {list(a['spacing'])}")
        check(int(a["step"]) == step, f"{name}: step {a['step']}")
        check(float(a["time"]) == 0.1 * step, f"{name}: time {a['time']!r}")
        check(a["grid_size"].dtype == np.int64, f"{name}: grid_size type {a['grid_size'].dtype}")

        user = f["attrs"].attrs
        check(sorted(user.keys()) == sorted(NAMED), f"{name}: /attrs holds {sorted(user.keys())}")
        check(user["kappa"] == NAMED["kappa"] and user["kappa"].dtype == np.float64, f"{name}: kappa")
        check(user["seed"] == NAMED["seed"] and user["seed"].dtype == np.int64, f"{name}: seed")
        check(int(user["big"]) == NAMED["big"] and user["big"].dtype == np.uint64, f"{name}: big")
        check(text(user["options"]) == NAMED["options"], f"{name}: options {user['options']!r}")

        check(sorted(f["fields"].keys()) == ["rho", "vel"], f"{name}: fields {list(f['fields'])}")
        for fid, field in enumerate(["rho", "vel"]):
            g = f["fields"][field]
            comps = COMPONENTS[field][: (1 if field == "rho" else dim)]
            check([text(c) for c in g.attrs["components"]] == comps, f"{name}: {field} components")
            arrays = []
            for c, comp in enumerate(comps):
                d = g[comp]
                check(d.shape == tuple(reversed(n)), f"{name}: {field}/{comp} shape {d.shape}")
                check(d.dtype == np.dtype("<f8"), f"{name}: {field}/{comp} type {d.dtype}")
                data = d[()]
                want = expected_values(n, c, fid, step)
                check(data.shape == want.shape and np.array_equal(data, want),
                      f"{name}: {field}/{comp} values differ")
                arrays.append(data)
            fp = int(g.attrs["fingerprint"])
            check(fp == fingerprint(arrays), f"{name}: {field} fingerprint {fp:016x} differs")


def floats(s):
    return [float(x) for x in s.split()]


def check_grid(grid, folder, prefix, n, step, where):
    """A uniform grid element describing snapshot `step` of a series of `n` cells."""
    dim = len(n)
    # Always a 3DCoRectMesh, slowest axis first; 2-D and 1-D grids are one cell thick (as
    # thick as the smallest cell), which ParaView shows in its x-y plane.
    cells = [1] * (3 - dim) + list(reversed(n))
    thin = min(SPACING[:dim])
    origin = [0.0] * (3 - dim) + list(reversed(ORIGIN[:dim]))
    spacing = [thin] * (3 - dim) + list(reversed(SPACING[:dim]))
    check(grid.get("GridType") == "Uniform", f"{where}: GridType {grid.get('GridType')}")
    time = grid.find("Time")
    check(time is not None and float(time.get("Value")) == 0.1 * step, f"{where}: time")
    topo = grid.find("Topology")
    check(topo.get("TopologyType").lower() == "3dcorectmesh", f"{where}: topology type")
    check([int(x) for x in topo.get("Dimensions").split()] == [c + 1 for c in cells],
          f"{where}: topology dimensions {topo.get('Dimensions')} (points = cells + 1)")
    geo = grid.find("Geometry")
    check(geo.get("GeometryType") == "ORIGIN_DXDYDZ", f"{where}: geometry type")
    items = {i.get("Name"): floats(i.text) for i in geo.findall("DataItem")}
    check(items.get("Origin") == origin, f"{where}: origin {items.get('Origin')}")
    check(items.get("Spacing") == spacing, f"{where}: spacing {items.get('Spacing')}")
    attrs = grid.findall("Attribute")
    # One attribute per component, named after the field alone when it has one component.
    want_names = ["rho"] + ([f"vel_{c}" for c in COMPONENTS["vel"][:dim]] if dim > 1 else ["vel"])
    check([a.get("Name") for a in attrs] == want_names, f"{where}: attributes")
    for a in attrs:
        check(a.get("Center") == "Cell" and a.get("AttributeType") == "Scalar",
              f"{where}: {a.get('Name')} centring")
        item = a.find("DataItem")
        dims = [int(x) for x in item.get("Dimensions").split()]
        check(dims == cells, f"{where}: {a.get('Name')} dimensions {dims}")
        check(item.get("Format") == "HDF" and item.get("Precision") == "8", f"{where}: format")
        h5name, _, dset = item.text.strip().partition(":")
        check(h5name == f"{prefix}_{step:06d}.h5", f"{where}: data file {h5name}")
        path = os.path.join(folder, h5name)
        if not check(os.path.exists(path), f"{where}: data file {h5name} missing"):
            continue
        with h5py.File(path, "r") as f:
            if check(dset in f, f"{where}: dataset {dset} missing in {h5name}"):
                shape = list(f[dset].shape)  # [n1][n0] data, say, described as [1][n1][n0]
                check(shape == dims[3 - dim:], f"{where}: {dset} {shape} vs {dims}")


def main(folder):
    for prefix, n in SERIES.items():
        for step in range(STEPS[-1] + 1):
            h5 = os.path.join(folder, f"{prefix}_{step:06d}.h5")
            xmf = os.path.join(folder, f"{prefix}_{step:06d}.xmf")
            if not check(os.path.exists(h5) == (step in STEPS), f"{h5}: presence"):
                continue
            if step not in STEPS:
                continue
            check_h5(h5, n, step)
            try:
                root = ET.parse(xmf).getroot()
            except (ET.ParseError, OSError) as e:
                check(False, f"{xmf}: not well-formed XML: {e}")
                continue
            grids = root.findall("./Domain/Grid")
            if check(root.tag == "Xdmf" and len(grids) == 1, f"{xmf}: one grid"):
                check_grid(grids[0], folder, prefix, n, step, os.path.basename(xmf))
        index = os.path.join(folder, f"{prefix}.xmf")
        try:
            root = ET.parse(index).getroot()
        except (ET.ParseError, OSError) as e:
            check(False, f"{index}: not well-formed XML: {e}")
            continue
        series = root.findall("./Domain/Grid")
        ok = len(series) == 1 and series[0].get("GridType") == "Collection" and \
            series[0].get("CollectionType") == "Temporal"
        if check(ok, f"{index}: one temporal collection"):
            grids = series[0].findall("Grid")
            check(len(grids) == len(STEPS), f"{index}: {len(grids)} snapshots, expected {len(STEPS)}")
            for grid, step in zip(grids, STEPS):
                check_grid(grid, folder, prefix, n, step, f"{prefix}.xmf[{step}]")
    for f in failures:
        print("FAIL:", f)
    print(f"io_check: {checks - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
