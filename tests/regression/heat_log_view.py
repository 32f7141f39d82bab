#!/usr/bin/python3
"""tsr_heat --log-view --log-json on a fixed problem: check the counts against the decomposition.

usage: heat_log_view.py MPIEXEC TSR_HEAT NP PXxPY

Runs the 2-D 64x48 non-periodic heat problem for STEPS steps on the process grid PXxPY and
checks, per rank, from counts made here by hand:
  - halo.post: messages = STEPS x (existing face neighbours), bytes = STEPS x 8 x (sum of the
    lengths of the faces that have a neighbour);
  - reduce: the example's 3 blocking reductions (slowest wall time: 1 value; the update
    operator's summary: 4; sine errors: 4);
  - heat.interior and heat.shell (the update operator's sweeps): one shell sweep and at least
    one interior chunk per step, together 10 flops and 16 bytes per cell per step declared;
and that the JSON parses with `python3 -m json.tool`, that the table printed on rank 0 (once)
agrees with the JSON, and that the summary shows the communication share and the imbalance.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

NX, NY, STEPS = 64, 48, 10


def tile_len(n, p, c):
    return n // p + (1 if c < n % p else 0)


def hand_counts(rank, px, py):
    """Messages and bytes one exchange sends from rank (rank = cx + px * cy)."""
    cx, cy = rank % px, rank // px
    lx, ly = tile_len(NX, px, cx), tile_len(NY, py, cy)
    msgs = nbytes = 0
    for exists, face in ((cx > 0, ly), (cx < px - 1, ly), (cy > 0, lx), (cy < py - 1, lx)):
        if exists:
            msgs += 1
            nbytes += 8 * face
    return msgs, nbytes, lx * ly


def parse_table(out):
    """Rows of the event table: name -> list of column strings."""
    lines = out.splitlines()
    start = next(i for i, l in enumerate(lines) if l.startswith("Event "))
    rows = {}
    for line in lines[start + 1:]:
        if line.startswith("---"):
            break
        cols = line.split()
        rows[cols[0]] = cols
    return rows


def close(a, b, rel):
    return abs(a - b) <= rel * max(abs(a), abs(b)) + 1e-12


def main():
    mpiexec, exe, np_, procs = sys.argv[1:5]
    np_ = int(np_)
    px, py = (int(v) for v in procs.split("x"))
    fails = []

    def check(cond, what):
        if not cond:
            fails.append(what)

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "events.json")
        cmd = [mpiexec, "-q", "-n", str(np_), exe, "--grid", f"{NX}x{NY}", "--procs", procs,
               "--steps", str(STEPS), "--threads", "1", "--log-view", "--log-json", path]
        run = subprocess.run(cmd, capture_output=True, text=True, timeout=50)
        out = run.stdout
        check(run.returncode == 0, f"exit code {run.returncode}: {run.stderr}")
        tool = subprocess.run(["/usr/bin/python3", "-m", "json.tool", path],
                              capture_output=True, text=True)
        check(tool.returncode == 0, f"json.tool refused the file: {tool.stderr}")
        with open(path) as f:
            data = json.load(f)

    check(out.count("Tessera event report") == 1, "the report is not printed exactly once")
    check(re.search(r"^communication: +[0-9.]+ % of run time", out, re.M) is not None,
          "the closing report has no communication share")
    check(data["ranks"] == np_, f"JSON ranks {data['ranks']} != {np_}")
    ev = {e["name"]: e for e in data["events"]}

    # Halo messages and bytes per rank, by hand.
    post = ev.get("halo.post")
    for r in range(np_):
        msgs, nbytes, cells = hand_counts(r, px, py)
        got_m = post["messages"][r] if post else 0
        got_b = post["bytes"][r] if post else 0
        check(got_m == STEPS * msgs, f"rank {r}: halo messages {got_m}, expected {STEPS * msgs}")
        check(got_b == STEPS * nbytes, f"rank {r}: halo bytes {got_b}, expected {STEPS * nbytes}")
        if post:
            check(post["count"][r] == (STEPS if msgs else 0), f"rank {r}: halo.post count")
        inner, shell = ev["heat.interior"], ev["heat.shell"]
        check(inner["count"][r] >= STEPS, f"rank {r}: heat.interior count {inner['count'][r]}")
        check(shell["count"][r] == STEPS, f"rank {r}: heat.shell count {shell['count'][r]}")
        flops = inner["flops"][r] + shell["flops"][r]
        moved = inner["bytes_moved"][r] + shell["bytes_moved"][r]
        check(flops == 10 * cells * STEPS, f"rank {r}: heat update flops {flops}")
        check(moved == 16 * cells * STEPS, f"rank {r}: heat update bytes moved {moved}")
        red = ev["reduce"]
        check(red["count"][r] == 3 and red["messages"][r] == 3 and red["bytes"][r] == 72,
              f"rank {r}: reduce count/messages/bytes {red['count'][r]}/"
              f"{red['messages'][r]}/{red['bytes'][r]}, expected 3/3/72")
    check((post is None) == (np_ == 1), "halo.post present iff there are neighbours")

    # The table agrees with the JSON.
    rows = parse_table(out)
    check(set(rows) == set(ev), f"table events {sorted(rows)} != JSON events {sorted(ev)}")
    for name, e in ev.items():
        cols = rows.get(name)
        if not cols:
            continue
        check(cols[1] == e["class"], f"{name}: class")
        check(int(cols[2]) == e["count_max"] == max(e["count"]), f"{name}: count")
        check(close(float(cols[3]), e["time_max"], 1e-3), f"{name}: time max")
        check(close(float(cols[4]), e["time_avg"], 1e-3), f"{name}: time avg")
        check(close(e["time_max"], max(e["time"]), 1e-12), f"{name}: JSON time_max")
        check(int(cols[8]) == e["messages_total"] == sum(e["messages"]), f"{name}: messages")
        check(int(cols[9]) == e["bytes_total"] == sum(e["bytes"]), f"{name}: bytes")
    s = data["summary"]
    m = re.search(r"^  communication +([0-9.]+) % of total", out, re.M)
    check(m and abs(float(m.group(1)) - 100 * s["comm_share"]) <= 0.051,
          "summary communication share differs from the JSON")
    # The compute event with the most time: on this small grid the shell may outweigh the
    # interior.
    check(s["main_compute_event"] in ("heat.interior", "heat.shell"), "main compute event")
    check(re.search(r"^  main compute event  heat\.(interior|shell): imbalance max/min", out, re.M)
          is not None, "no imbalance line")
    check(0 <= s["slowest_rank"] < np_, "slowest rank out of range")

    if fails:
        print(out)
        print("FAILED:\n  " + "\n  ".join(fails))
        return 1
    print(f"np {np_} procs {procs}: counts, JSON and table agree")
    return 0


if __name__ == "__main__":
    sys.exit(main())
