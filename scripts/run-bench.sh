#!/usr/bin/env bash
# Runs the benchmarks; each prints JSON lines. Usage: scripts/run-bench.sh [BUILD_DIR]
set -euo pipefail
B=${1:-build}
"$B/bin/model_bench" --case all --preset 1b --T 256 --B 1 --dtype both --steps 3
for b in "$B"/bin/*_bench; do
  case "$b" in *model_bench) ;; *) "$b" ;; esac
done
