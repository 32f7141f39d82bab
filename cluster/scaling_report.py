#!/usr/bin/python3
"""Summarise a scaling study of cluster/scaling.sh: one CSV, one JSON and three plots.

    /usr/bin/python3 cluster/scaling_report.py DIR

DIR holds run-<series>-<R>x<T>-<k>.{meta,out,json} files. Writes into DIR:
  scaling.csv             one row per ranks x threads combination and series (medians over
                          the repeats): time per step, speedup, parallel efficiency,
                          communication share, cell updates per second, imbalance
  scaling.json            the same rows plus every single run
  scaling-time.png        time per step against cores used (ranks x threads), log-log
  scaling-efficiency.png  parallel efficiency against cores used
  scaling-comm.png        communication share of the run time against cores used
Each plot has one panel per series (strong, weak) and one line per threads-per-rank value.
docs/cluster.md explains how to read them. Exit status 1 when DIR holds no complete run.
"""
import csv
import glob
import json
import os
import re
import statistics
import sys

FIELDS = [
    "series", "ranks", "threads", "cores", "grid", "steps", "runs", "time_per_step_s",
    "time_per_step_min_s", "time_per_step_max_s", "speedup", "efficiency", "comm_share",
    "cell_updates_per_s", "imbalance",
]


def read_meta(path):
    meta = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            key, _, value = line.strip().partition("=")
            if key:
                meta[key] = value
    return meta


def stdout_number(text, label):
    """The number after 'label:' in the program's report, or None."""
    m = re.search(r"^" + re.escape(label) + r":\s*([0-9.eE+-]+)", text, re.M)
    return float(m.group(1)) if m else None


def read_run(meta_path):
    """One run as a dict, or None (with a note on stderr) when its output is incomplete."""
    base = meta_path[: -len(".meta")]
    meta = read_meta(meta_path)
    try:
        with open(base + ".out", encoding="utf-8", errors="replace") as f:
            text = f.read()
        with open(base + ".json", encoding="utf-8") as f:
            events = json.load(f)
    except (OSError, ValueError) as e:
        print(f"scaling_report: skipping {os.path.basename(base)}: {e}", file=sys.stderr)
        return None
    tps = stdout_number(text, "time per step")
    if tps is None or tps <= 0:
        print(f"scaling_report: skipping {os.path.basename(base)}: no 'time per step' in its "
              "output", file=sys.stderr)
        return None
    # The program's own account of its ranks and threads must match the plan's.
    m = re.search(r"(\d+) ranks x (\d+) threads", text)
    if not m or (int(m.group(1)), int(m.group(2))) != (int(meta["ranks"]), int(meta["threads"])):
        print(f"scaling_report: skipping {os.path.basename(base)}: it ran "
              f"{m.group(0) if m else 'an unknown shape'}, not {meta['ranks']} ranks x "
              f"{meta['threads']} threads", file=sys.stderr)
        return None
    summary = events.get("summary", {})
    return {
        "name": os.path.basename(base),
        "series": meta.get("series", "strong"),
        "ranks": int(meta["ranks"]),
        "threads": int(meta["threads"]),
        "grid": meta.get("grid", ""),
        "steps": int(meta.get("steps", "0")),
        "time_per_step_s": tps,
        "cell_updates_per_s": stdout_number(text, "cell updates/s"),
        "comm_share": summary.get("comm_share"),
        "imbalance": summary.get("main_compute_imbalance"),
    }


def median_or_none(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def summarise(runs):
    """Rows: one per (series, ranks, threads), medians over repeats, with speedup and
    efficiency against the series' run on the fewest cores."""
    groups = {}
    for r in runs:
        groups.setdefault((r["series"], r["ranks"], r["threads"]), []).append(r)
    rows = []
    for (series, ranks, threads), rs in sorted(groups.items()):
        times = [r["time_per_step_s"] for r in rs]
        rows.append({
            "series": series, "ranks": ranks, "threads": threads, "cores": ranks * threads,
            "grid": rs[0]["grid"], "steps": rs[0]["steps"], "runs": len(rs),
            "time_per_step_s": statistics.median(times),
            "time_per_step_min_s": min(times), "time_per_step_max_s": max(times),
            "comm_share": median_or_none([r["comm_share"] for r in rs]),
            "cell_updates_per_s": median_or_none([r["cell_updates_per_s"] for r in rs]),
            "imbalance": median_or_none([r["imbalance"] for r in rs]),
        })
    for series in {r["series"] for r in rows}:
        mine = [r for r in rows if r["series"] == series]
        # Baseline: fewest cores; among equals, the fewest ranks (pure threads).
        base = min(mine, key=lambda r: (r["cores"], r["ranks"]))
        for r in mine:
            ratio = base["time_per_step_s"] / r["time_per_step_s"]
            if series == "weak":  # work grows with cores: ideal time stays constant
                r["speedup"] = ratio * r["cores"] / base["cores"]
                r["efficiency"] = ratio
            else:  # fixed work: ideal time falls as 1/cores
                r["speedup"] = ratio
                r["efficiency"] = ratio * base["cores"] / r["cores"]
    return rows


def plot(rows, outdir):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    series_list = [s for s in ("strong", "weak") if any(r["series"] == s for r in rows)]
    specs = [
        ("scaling-time.png", "time_per_step_s", "time per step [s]", True),
        ("scaling-efficiency.png", "efficiency", "parallel efficiency", False),
        ("scaling-comm.png", "comm_share", "communication share of run time", False),
    ]
    written = []
    for filename, key, label, logy in specs:
        fig, axes = plt.subplots(1, len(series_list), figsize=(5.5 * len(series_list), 4.2),
                                 squeeze=False)
        for ax, series in zip(axes[0], series_list):
            mine = [r for r in rows if r["series"] == series]
            for threads in sorted({r["threads"] for r in mine}):
                pts = sorted((r["cores"], r[key]) for r in mine
                             if r["threads"] == threads and r[key] is not None)
                if pts:
                    ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o",
                            label=f"{threads} thread{'s' if threads > 1 else ''}/rank")
            cores = sorted({r["cores"] for r in mine})
            if key == "time_per_step_s" and mine:
                base = min(mine, key=lambda r: (r["cores"], r["ranks"]))
                if series == "strong":
                    ideal = [base["time_per_step_s"] * base["cores"] / c for c in cores]
                else:
                    ideal = [base["time_per_step_s"] for _ in cores]
                ax.plot(cores, ideal, "k--", linewidth=1, label="ideal")
            if key == "efficiency":
                ax.axhline(1.0, color="k", linestyle="--", linewidth=1, label="ideal")
                ax.set_ylim(0, max(1.2, max((r["efficiency"] for r in mine), default=1) * 1.1))
            if key == "comm_share":
                ax.set_ylim(0, 1)
            ax.set_xscale("log", base=2)
            if logy:
                ax.set_yscale("log")
            ax.set_xticks(cores)
            ax.set_xticklabels([str(c) for c in cores])
            grid = mine[0]["grid"] if mine else ""
            what = f"grid {grid}" if series == "strong" else "cells per core fixed"
            ax.set_title(f"{series} scaling ({what})")
            ax.set_xlabel("cores used (ranks x threads)")
            ax.set_ylabel(label)
            ax.grid(True, which="both", alpha=0.3)
            ax.legend(fontsize="small")
        fig.tight_layout()
        path = os.path.join(outdir, filename)
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written.append(path)
    return written


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    outdir = argv[1]
    metas = sorted(glob.glob(os.path.join(outdir, "run-*.meta")))
    runs = [r for r in (read_run(m) for m in metas) if r is not None]
    if not runs:
        print(f"scaling_report: no complete run in {outdir}", file=sys.stderr)
        return 1
    rows = summarise(runs)
    with open(os.path.join(outdir, "scaling.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=FIELDS)
        w.writeheader()
        for r in rows:
            w.writerow({k: r.get(k) for k in FIELDS})
    with open(os.path.join(outdir, "scaling.json"), "w", encoding="utf-8") as f:
        json.dump({"format": "tessera-scaling", "version": 1, "rows": rows, "runs": runs}, f,
                  indent=1)
    written = plot(rows, outdir)
    print(f"scaling_report: {len(runs)} runs, {len(rows)} combinations -> "
          f"{os.path.join(outdir, 'scaling.csv')}, scaling.json, "
          + ", ".join(os.path.basename(p) for p in written))
    for r in rows:
        print(f"  {r['series']:6s} {r['ranks']:3d} x {r['threads']:2d}: "
              f"{r['time_per_step_s']:.3e} s/step, efficiency {r['efficiency']:.2f}, "
              f"comm {100 * (r['comm_share'] or 0):.1f} %")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
