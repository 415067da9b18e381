#!/usr/bin/env python3
"""Sums a libtorch autograd-profiler chrome trace per op name and prints the top ops as a
Markdown table (docs/BENCHMARKS.md, issue #12). Usage: profile-top-ops.py TRACE.json [N]"""
import json
import sys
from collections import defaultdict


def main():
    path = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    with open(path) as f:
        events = json.load(f)
    if isinstance(events, dict):
        events = events.get("traceEvents", [])
    total, calls = defaultdict(float), defaultdict(int)
    for e in events:
        if e.get("ph") == "X" and "dur" in e:
            total[e["name"]] += float(e["dur"])
            calls[e["name"]] += 1
    # Self time is not in the legacy trace; nested ops (aten::linear > aten::matmul > aten::mm)
    # each count their whole span, so read the table as "time inside", not a partition.
    rows = sorted(total.items(), key=lambda kv: -kv[1])[:top]
    print("| op | calls | total ms (inclusive) |")
    print("|---|---|---|")
    for name, us in rows:
        print(f"| `{name}` | {calls[name]} | {us / 1000:.1f} |")


if __name__ == "__main__":
    main()
