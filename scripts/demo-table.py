#!/usr/bin/env python3
"""Markdown table of `libu demo` runs: one row per method, one column group per seed.

Usage: scripts/demo-table.py OUT_SEED0 OUT_SEED1 ...   (folders written by `libu demo --out`)
Reads each OUT/unlearn-<method>/eval/metrics.json and run.json (and OUT/eval-before).
Cells: task aggregate / MIA score / (agg + MIA)/2 / retain knowledge / relearning recovery /
change of forget knowledge under int4 quantisation / unlearn wall seconds ("—" where the run
has no attacks).
"""
import json
import os
import sys


def knowledge(m, split):
    vals = [(1 - v) if split == "forget" else v
            for label, v in zip(m["aggregated-terms-labels"], m["aggregated-terms"])
            if label.startswith(split + "/") and "knowledge" in label]
    return sum(vals) / len(vals) if vals else float("nan")


def attack(m, *keys):
    v = m.get("attacks", {})
    for k in keys:
        v = v.get(k, {}) if isinstance(v, dict) else {}
    return v if isinstance(v, (int, float)) else None


def fmt(v, spec=".3f"):
    return "—" if v is None else format(v, spec)


def load(path):
    with open(path) as f:
        return json.load(f)


def main(dirs):
    methods, cells = [], {}
    for d in dirs:
        before = load(os.path.join(d, "eval-before", "metrics.json"))
        cells[(d, "before")] = (before["harmonic-mean-task-aggregate"], before["mia_final_score"],
                                knowledge(before, "retain"), None, None, None)
        for name in sorted(os.listdir(d)):
            if not name.startswith("unlearn-"):
                continue
            method = name[len("unlearn-"):]
            if method not in methods:
                methods.append(method)
            m = load(os.path.join(d, name, "eval", "metrics.json"))
            r = load(os.path.join(d, name, "run.json"))
            cells[(d, method)] = (m["harmonic-mean-task-aggregate"], m["mia_final_score"], knowledge(m, "retain"),
                                  r.get("wall_s"), attack(m, "relearn_recovery_ratio"),
                                  attack(m, "quantize_int4", "forget_knowledge_change"))
    head = "| method | " + " | ".join(f"{os.path.basename(os.path.normpath(d))}: agg / MIA / mean / retain kn. / relearn rec. / int4 Δ forget kn. / wall s" for d in dirs) + " | mean of (agg+MIA)/2 |"
    print(head)
    print("|" + "---|" * (len(dirs) + 2))
    for method in ["before"] + methods:
        row, means = [], []
        for d in dirs:
            c = cells.get((d, method))
            if not c:
                row.append("—")
                continue
            agg, mia, rk, wall, rec, q4 = c
            means.append((agg + mia) / 2)
            row.append(f"{agg:.3f} / {mia:.3f} / {(agg + mia) / 2:.3f} / {rk:.3f} / {fmt(rec)} / {fmt(q4, '+.3f')} / "
                       + fmt(wall, ".0f"))
        avg = sum(means) / len(means) if means else float("nan")
        print(f"| {method} | " + " | ".join(row) + f" | {avg:.3f} |")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
