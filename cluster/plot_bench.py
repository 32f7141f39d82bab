#!/usr/bin/python3
"""Plot the JSON results of cluster/bench.sh (Debian's matplotlib: run with /usr/bin/python3).

    /usr/bin/python3 cluster/plot_bench.py OUTDIR

Reads OUTDIR/{stencil,prk,halo}_PxT.json and OUTDIR/machine.json; writes
    bandwidth.png   kernel sweep bandwidth (16 B/point) per configuration, next to the triad
    prk.png         PRK star stencil MFlop/s per configuration
    halo.png        Tessera / hand-written exchange time ratio against tile size, per width
    roofline.png    attained GFlop/s against arithmetic intensity, with the triad bandwidth
                    ceiling and estimated peak lines
    summary.md      the same figures as Markdown tables (for docs/performance.md)

Peak estimate (roofline): cores x clock (MHz from /proc/cpuinfo at run time) x double-precision
flops per cycle per core. Two lines are drawn: what the build's instructions allow (the default
release build targets baseline x86-64, SSE2 without FMA: 2 adds + 2 multiplies of 2 doubles per
cycle = 8 flops/cycle, assuming two add and two multiply pipes), and what the CPU allows with
its widest FMA (AVX-512: 2 FMA pipes x 8 doubles x 2 = 32 flops/cycle; AVX2+FMA: 16). These
are estimates from the instruction set, not measurements; turbo clocks are not known here.
"""
import glob
import json
import os
import re
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

FLOPS_PER_CYCLE = {"sse2": 8, "avx2-fma": 16, "avx512f": 32}


def config_key(cfg):
    p, t = (int(x) for x in cfg.split("x"))
    return (p * t, p, t)


def load(outdir):
    runs = {}
    for path in sorted(glob.glob(os.path.join(outdir, "*_*x*.json"))):
        m = re.match(r"(stencil|prk|halo)_(\d+x\d+)\.json$", os.path.basename(path))
        if not m:
            continue
        with open(path) as f:
            runs.setdefault(m.group(1), {})[m.group(2)] = json.load(f)
    machine = {}
    mpath = os.path.join(outdir, "machine.json")
    if os.path.exists(mpath):
        with open(mpath) as f:
            machine = json.load(f)
    return runs, machine


def rows(doc, section):
    return [r for r in doc["results"] if r.get("section") == section]


def err(r, key):
    """Asymmetric error bar (med - min, max - med) of a _med/_min/_max triple."""
    return [[r[key + "_med"] - r[key + "_min"]], [r[key + "_max"] - r[key + "_med"]]]


def plot_bandwidth(stencil, outdir):
    cfgs = sorted(stencil, key=config_key)
    names = []
    for cfg in cfgs:
        for r in rows(stencil[cfg], "triad") + rows(stencil[cfg], "kernel"):
            if r["name"] not in names:
                names.append(r["name"])
    fig, ax = plt.subplots(figsize=(max(8, 1.1 * len(names)), 4.5))
    width = 0.8 / max(1, len(cfgs))
    for c, cfg in enumerate(cfgs):
        by = {r["name"]: r for r in rows(stencil[cfg], "triad") + rows(stencil[cfg], "kernel")}
        for i, name in enumerate(names):
            if name not in by:
                continue
            r = by[name]
            ax.bar(i + (c - (len(cfgs) - 1) / 2) * width, r["gbs_med"], width,
                   yerr=err(r, "gbs"), capsize=2, color="C%d" % c,
                   label=cfg if i == len(names) - 1 else None,
                   hatch="//" if name.startswith("triad") else None)
    ax.set_xticks(range(len(names)))
    ax.set_xticklabels(names, rotation=30, ha="right")
    ax.set_ylabel("GB/s (triad 24 B/iter, kernels 16 B/point)")
    ax.set_title("Kernel sweep bandwidth next to the STREAM triad (median, min-max)")
    ax.legend(title="ranks x threads")
    fig.tight_layout()
    fig.savefig(os.path.join(outdir, "bandwidth.png"), dpi=120)
    plt.close(fig)


def plot_prk(prk, outdir):
    cfgs = sorted(prk, key=config_key)
    fig, ax = plt.subplots(figsize=(6, 4))
    for c, cfg in enumerate(cfgs):
        for r in rows(prk[cfg], "prk"):
            ax.bar(c, r["mflops_med"], 0.6, yerr=err(r, "mflops"), capsize=3, color="C%d" % c)
    ax.set_xticks(range(len(cfgs)))
    ax.set_xticklabels(cfgs)
    ax.set_xlabel("ranks x threads")
    ax.set_ylabel("MFlop/s (PRK count)")
    ax.set_title("PRK 2-D star stencil r=2 on Tessera")
    fig.tight_layout()
    fig.savefig(os.path.join(outdir, "prk.png"), dpi=120)
    plt.close(fig)


def plot_halo(halo, outdir):
    cfgs = sorted(halo, key=config_key)
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for c, cfg in enumerate(cfgs):
        rs = rows(halo[cfg], "halo")
        for m, w in enumerate(sorted({r["width"] for r in rs})):
            sel = sorted((r for r in rs if r["width"] == w), key=lambda r: r["tile"])
            ax.errorbar([r["tile"] for r in sel], [r["ratio"] for r in sel],
                        yerr=[[r["ratio"] - r["pair_ratio_min"] if r["pair_ratio_min"] < r["ratio"]
                               else 0 for r in sel],
                              [r["pair_ratio_max"] - r["ratio"] if r["pair_ratio_max"] > r["ratio"]
                               else 0 for r in sel]],
                        marker="os^dv"[m % 5], color="C%d" % c, capsize=2,
                        linestyle=["-", "--", ":", "-."][m % 4], label="%s w=%d" % (cfg, w))
    ax.axhline(1.1, color="red", linewidth=1, linestyle="--", label="goal 1.1")
    ax.axhline(1.0, color="grey", linewidth=0.8)
    ax.set_xscale("log", base=2)
    ax.set_xlabel("tile edge s (s^3 cells per rank)")
    ax.set_ylabel("time Tessera / hand-written")
    ax.set_title("Halo exchange (star, periodic): Tessera vs MPI_Sendrecv")
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    fig.savefig(os.path.join(outdir, "halo.png"), dpi=120)
    plt.close(fig)


def peaks(machine, cores):
    ghz = float(machine.get("mhz", 0)) / 1000.0
    out = []
    if ghz <= 0:
        return out
    isa = machine.get("cpu_isa", "sse2")
    build_isa = "sse2" if machine.get("native", "OFF") not in ("ON", "TRUE", "1") else isa
    out.append(("peak, build's ISA (%s, %d flop/cycle)" % (build_isa, FLOPS_PER_CYCLE[build_isa]),
                cores * ghz * FLOPS_PER_CYCLE[build_isa]))
    if isa != build_isa:
        out.append(("peak, CPU's ISA (%s, %d flop/cycle)" % (isa, FLOPS_PER_CYCLE[isa]),
                    cores * ghz * FLOPS_PER_CYCLE[isa]))
    return out


def plot_roofline(stencil, prk, machine, outdir):
    if not stencil:
        return
    cfgs = sorted(stencil, key=config_key)
    best = cfgs[-1]
    for cfg in cfgs:  # the configuration with the most cores; ties: the higher triad
        if config_key(cfg)[0] == config_key(best)[0]:
            t = {r["name"]: r for r in rows(stencil[cfg], "triad")}
            tb = {r["name"]: r for r in rows(stencil[best], "triad")}
            if t.get("triad", {}).get("gbs_med", 0) > tb.get("triad", {}).get("gbs_med", 0):
                best = cfg
    p, t = (int(x) for x in best.split("x"))
    cores = p * t
    triad = {r["name"]: r["gbs_med"] for r in rows(stencil[best], "triad")}
    fig, ax = plt.subplots(figsize=(7.5, 5))
    xs = [2 ** (e / 4) for e in range(-16, 25)]
    pk = peaks(machine, cores)
    top = max([v for _, v in pk] + [1.0])
    for name, bw in triad.items():
        ax.plot(xs, [min(x * bw, top) for x in xs], linestyle="--" if name == "triad" else ":",
                color="black", linewidth=1, label="%s ceiling %.1f GB/s" % (name, bw))
    for (label, v), ls in zip(pk, ["-", "-."]):
        ax.axhline(v, color="grey", linestyle=ls, linewidth=1, label="%s: %.0f GFlop/s" % (label, v))
    for i, r in enumerate(rows(stencil[best], "kernel")):
        ax.plot(r["intensity"], r["gflops_med"], "o", color="C%d" % (i % 10), label=r["name"])
    if best in prk:
        for r in rows(prk[best], "prk"):
            ax.plot(r["intensity"], r["mflops_med"] / 1000.0, "s", color="C9",
                    label="PRK r=%d (40 B/point)" % r["radius"])
    ax.set_xscale("log", base=2)
    ax.set_yscale("log", base=2)
    ax.set_xlabel("arithmetic intensity (flops / byte, kernels at 16 B/point)")
    ax.set_ylabel("GFlop/s")
    ax.set_title("Roofline, %s ranks x threads (%d cores)" % (best, cores))
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(os.path.join(outdir, "roofline.png"), dpi=120)
    plt.close(fig)


def fmt(x, digits=2):
    return "-" if x is None else ("%.*f" % (digits, x))


def summary(runs, machine, outdir):
    lines = []
    stencil, prk, halo = runs.get("stencil", {}), runs.get("prk", {}), runs.get("halo", {})
    if machine:
        lines += ["Machine: %s, %s cores, %s MHz, CPU ISA %s; build flags `%s` (native: %s)." %
                  (machine.get("model"), machine.get("cores"), machine.get("mhz"),
                   machine.get("cpu_isa"), machine.get("build_flags"), machine.get("native")), ""]
    for cfg in sorted(stencil, key=config_key):
        doc = stencil[cfg]
        lines += ["### Stencil sweeps, %s (ranks x threads), median of %d" %
                  (cfg, doc["meta"]["repeat"]), "",
                  "| kernel | grid | Mpts/s | GB/s (min-max) | / triad | / triad-nt | paired "
                  "| GFlop/s |",
                  "|---|---|---|---|---|---|---|---|"]
        for r in rows(doc, "triad"):
            lines.append("| %s | %s M elements | - | %s (%s-%s) | - | - | - | - |" %
                         (r["name"], fmt(r["elements"] / 1e6, 1), fmt(r["gbs_med"]),
                          fmt(r["gbs_min"]), fmt(r["gbs_max"])))
        for r in rows(doc, "kernel"):
            lines.append("| %s | %s | %s | %s (%s-%s) | %s | %s | %s | %s |" %
                         (r["name"], r["grid"], fmt(r["mpts_med"], 0), fmt(r["gbs_med"]),
                          fmt(r["gbs_min"]), fmt(r["gbs_max"]), fmt(r["ratio_triad"]),
                          fmt(r["ratio_triad_nt"]), fmt(r.get("ratio_paired_med")),
                          fmt(r["gflops_med"])))
        ops = rows(doc, "op")
        if ops:
            lines += ["", "| operator | ms/apply (min-max) | GB/s | exchange ms | exposed ms | hidden |",
                      "|---|---|---|---|---|---|"]
            for r in ops:
                lines.append("| %s | %s (%s-%s) | %s | %s | %s | %s |" %
                             (r["name"], fmt(r["time_ms_med"]), fmt(r["time_ms_min"]),
                              fmt(r["time_ms_max"]), fmt(r["gbs_med"]), fmt(r["exchange_ms"], 3),
                              fmt(r["exposed_ms"], 3), fmt(r["hidden_share"])))
        lines.append("")
    if prk:
        lines += ["### PRK star stencil", "",
                  "| ranks x threads | n | iterations | procs | MFlop/s (min-max) | ms/iter | GB/s at 40 B/pt | verified |",
                  "|---|---|---|---|---|---|---|---|"]
        for cfg in sorted(prk, key=config_key):
            for r in rows(prk[cfg], "prk"):
                lines.append("| %s | %d | %d | %s | %s (%s-%s) | %s | %s | %s |" %
                             (cfg, r["n"], r["iterations"], r["procs"], fmt(r["mflops_med"], 0),
                              fmt(r["mflops_min"], 0), fmt(r["mflops_max"], 0),
                              fmt(r["iter_ms_med"]), fmt(r["gbs_model_med"]),
                              "yes" if r["verified"] == 1 else "NO"))
        lines.append("")
    for cfg in sorted(halo, key=config_key):
        doc = halo[cfg]
        lines += ["### Halo exchange, %s (ranks x threads), median of %d" %
                  (cfg, doc["meta"]["repeat"]), "",
                  "| tile | width | bytes/rank | msgs | Tessera us (min-max) | hand us (min-max) "
                  "| ratio of medians | ratio of minima |",
                  "|---|---|---|---|---|---|---|---|"]
        for r in rows(doc, "halo"):
            lines.append("| %d^3 | %d | %d | %d | %s (%s-%s) | %s (%s-%s) | %s | %s |" %
                         (r["tile"], r["width"], r["bytes"], r["messages"],
                          fmt(r["tessera_us_med"], 1), fmt(r["tessera_us_min"], 1),
                          fmt(r["tessera_us_max"], 1), fmt(r["hand_us_med"], 1),
                          fmt(r["hand_us_min"], 1), fmt(r["hand_us_max"], 1), fmt(r["ratio"], 3),
                          fmt(r.get("ratio_of_min"), 3)))
        lines.append("")
    with open(os.path.join(outdir, "summary.md"), "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: plot_bench.py OUTDIR")
    outdir = sys.argv[1]
    runs, machine = load(outdir)
    if not runs:
        sys.exit("plot_bench: no *_PxT.json files in %s" % outdir)
    if "stencil" in runs:
        plot_bandwidth(runs["stencil"], outdir)
    if "prk" in runs:
        plot_prk(runs["prk"], outdir)
    if "halo" in runs:
        plot_halo(runs["halo"], outdir)
    plot_roofline(runs.get("stencil", {}), runs.get("prk", {}), machine, outdir)
    summary(runs, machine, outdir)
    print("plot_bench: wrote %s" % ", ".join(
        sorted(os.path.basename(p) for p in glob.glob(os.path.join(outdir, "*.png")))
        + ["summary.md"]))


if __name__ == "__main__":
    main()
