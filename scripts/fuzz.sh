#!/usr/bin/env bash
# make fuzz [FUZZ_SECONDS=600] [FUZZ_TARGETS="parquet csv"] [FUZZ_JOBS=2]
# Builds the libFuzzer targets with clang under ASan + UBSan (build-fuzz/), seeds them from
# ../shared (tools/fuzz/make_seeds.py), runs each for FUZZ_SECONDS, then minimises
# tests/fuzz/corpus/<target>/ to the inputs that keep the coverage reached, and copies
# every crash input there too (so ctest replays it until, and after, it is fixed).
# Per target: build-fuzz/logs/<target>.log, and one JSON line in build-fuzz/summary.jsonl.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="${FUZZ_BUILD_DIR:-$ROOT/build-fuzz}"
SECS="${FUZZ_SECONDS:-600}"
JOBS="${FUZZ_JOBS:-2}"
SHARED="$ROOT/../shared"
ALL="$(cd "$ROOT/tests/fuzz/targets" && ls *.cpp | sed 's/\.cpp$//' | tr '\n' ' ')"
TARGETS="${FUZZ_TARGETS:-$ALL}"

"$ROOT/scripts/install-deps.sh" clang  # libFuzzer comes with Debian's clang
if [ ! -f "$BUILD/build.ninja" ]; then
  CC=clang CXX=clang++ cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DLIBU_BUILD_FUZZ=ON -DLIBU_BUILD_BENCH=OFF -DLIBU_BUILD_PYTHON=OFF >/dev/null
fi
cmake --build "$BUILD" -j "$JOBS" --target $(for t in $TARGETS; do printf 'fuzz_%s ' "$t"; done)
rm -rf "$BUILD/seeds"
python3 "$ROOT/tools/fuzz/make_seeds.py" "$SHARED" "$BUILD/seeds"
mkdir -p "$BUILD/logs"
: > "$BUILD/summary.jsonl"

max_len() {
  case "$1" in
    parquet) echo 65536 ;;
    tokenizer) echo 65536 ;;
    *) echo 8192 ;;
  esac
}

run_one() {
  local t="$1" bin="$BUILD/bin/fuzz_$1" work="$BUILD/corpus/$1" crashes="$BUILD/crashes/$1/"
  local committed="$ROOT/tests/fuzz/corpus/$t"
  mkdir -p "$work" "$crashes" "$committed" "$BUILD/seeds/$t"
  local log="$BUILD/logs/$t.log" rc=0
  # -fork keeps going after a crash, so one campaign finds more than the first bug.
  "$bin" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -max_len="$(max_len "$t")" \
    -print_final_stats=1 -artifact_prefix="$crashes" -ignore_crashes=1 -fork=1 \
    "$work" "$committed" "$BUILD/seeds/$t" >"$log" 2>&1 || rc=$?
  # Minimise: the smallest set of inputs with the same coverage, into a fresh folder.
  local merged="$BUILD/merged/$t"
  rm -rf "$merged" && mkdir -p "$merged"
  "$bin" -merge=1 -max_len="$(max_len "$t")" -timeout=10 -rss_limit_mb=2048 "$merged" "$committed" "$work" \
    >>"$log" 2>&1 || true
  find "$committed" -maxdepth 1 -type f ! -name 'crash-*' ! -name 'oom-*' ! -name 'timeout-*' -delete
  cp "$merged"/* "$committed"/ 2>/dev/null || true
  local found
  found=$(find "$crashes" -type f | wc -l)
  cp "$crashes"* "$committed"/ 2>/dev/null || true
  local execs cov ft
  # The fork-mode status lines: "#EXECS: cov: C ft: F corp: N ...".
  local last
  last=$(grep -E '^#[0-9]+: cov: ' "$log" | tail -1)
  execs=$(echo "$last" | sed -E 's/^#([0-9]+):.*/\1/')
  cov=$(echo "$last" | grep -oE 'cov: [0-9]+' | awk '{print $2}')
  ft=$(echo "$last" | grep -oE 'ft: [0-9]+' | awk '{print $2}')
  printf '{"target":"%s","seconds":%s,"execs":%s,"cov":%s,"ft":%s,"corpus":%s,"findings":%s,"rc":%s}\n' \
    "$t" "$SECS" "${execs:-0}" "${cov:-0}" "${ft:-0}" "$(ls "$merged" | wc -l)" "$found" "$rc" \
    | tee -a "$BUILD/summary.jsonl"
}

export -f run_one max_len
export BUILD SECS ROOT
printf '%s\n' $TARGETS | xargs -P "$JOBS" -I{} bash -c 'run_one {}'
echo "fuzz: summary in $BUILD/summary.jsonl; findings in $BUILD/crashes/"
