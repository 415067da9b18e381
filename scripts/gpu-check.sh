#!/usr/bin/env bash
# scripts/gpu-check.sh (issue #24): the one prepared run for a machine with CUDA and a pip
# PyTorch, where nothing can be downloaded. Writes JSON lines to $OUT/gpu-check.jsonl (OUT
# defaults to build-gpu/out) and a log per step beside it:
#   1. builds libu against python3's PyTorch (torch.utils.cmake_prefix_path) into build-gpu/;
#      the non-torch libraries come from the machine or from build-gpu-deps/ (Debian packages
#      unpacked by scripts/gpu-deps.sh on a machine with the Debian mirror);
#   2. runs the device-parametrised reference tests with LIBU_TEST_DEVICE=cuda;
#   3. libu's LoRA step (model_bench --case step) against the transformers + PEFT peer
#      (bench/peers/hf_peft_lora_step.py) at 1B and 7B shapes, same rank, targets, rows, batch;
#   4. a parity fixture written by transformers + PEFT on a random tiny OLMo, checked with
#      `libu parity` (the first outside check of libu against the real library);
#   5. `libu unlearn --preset libu` end to end at 1B and 7B on SemEval rows (copied under
#      build-gpu/data), with wall time per phase, tokens/s and peak GPU memory.
# Steps that cannot run (no transformers, no GPU) write {"step": ..., "skipped": "why"}.
# GPU_CHECK_STEPS (default "build tests step parity unlearn") picks steps; GPU_CHECK_PRESETS
# (default "1b 7b") the model sizes. --dry-run: CPU, tiny shapes, to test the script itself.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
DRY=0
[ "${1:-}" = "--dry-run" ] && DRY=1
# --prepare (here, before lending the GPU machine the tree): copies the few reference files the
# run needs into build-gpu/shared (about 5 MB: the model fixtures, the SemEval train parquet
# files, the OLMo tokenizer), to be carried with the tree (device tool: carry build-gpu/shared).
if [ "${1:-}" = "--prepare" ]; then
  S=$(cd "$ROOT/.." && pwd)/shared
  P=$ROOT/build-gpu/shared
  mkdir -p "$P/fixtures" "$P/data/semeval25" "$P/data/tokenizers"
  cp -r "$S/fixtures/models" "$P/fixtures/"
  cp "$S"/data/semeval25/forget_train-*.parquet "$S"/data/semeval25/retain_train-*.parquet "$P/data/semeval25/"
  cp "$S/data/tokenizers/olmo_gpt-neox-olmo-dolma-v1_5.tokenizer.json" "$P/data/tokenizers/"
  du -sh "$P"
  exit 0
fi
OUT=${OUT:-$ROOT/build-gpu/out}
mkdir -p "$OUT"
J=$OUT/gpu-check.jsonl
: >"$J"
STEPS=${GPU_CHECK_STEPS:-build tests step parity unlearn}
PRESETS=${GPU_CHECK_PRESETS:-1b 7b}
DEV=cuda
UNLEARN_ARGS=${GPU_CHECK_UNLEARN_ARGS:---epochs 1}
if [ $DRY = 1 ]; then DEV=cpu; PRESETS=tiny; UNLEARN_ARGS="--max-steps 2 --no-phase1"; fi
PY=${PYTHON:-python3}
BUILD=${GPU_CHECK_BUILD:-$ROOT/build-gpu/build}  # an existing build folder skips nothing but the configure
LIBU=$BUILD/bin/libu
SHARED=${SHARED:-$(cd "$ROOT/.." && pwd)/shared}
[ -d "$SHARED/fixtures" ] || SHARED=$ROOT/build-gpu/shared  # what --prepare copied
export LIBU_SHARED_DIR=$SHARED

line() { echo "$1" | tee -a "$J"; }
has_step() { [[ " $STEPS " == *" $1 "* ]]; }
now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc; }

# Peak GPU memory of a command: nvidia-smi sampled every 0.2 s (MiB), 0 without a GPU.
gpu_peak_file=$OUT/.gpu-peak
watch_gpu() {
  : >"$gpu_peak_file"
  command -v nvidia-smi >/dev/null || return 0
  (while true; do nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits | head -1 >>"$gpu_peak_file"; sleep 0.2; done) &
  WATCH=$!
}
stop_gpu() {
  [ -n "${WATCH:-}" ] && kill "$WATCH" 2>/dev/null && wait "$WATCH" 2>/dev/null
  WATCH=
  sort -n "$gpu_peak_file" 2>/dev/null | tail -1 | awk 'BEGIN {m = 0} {m = $1 + 0} END {print m}'
}

line "$($PY - <<'EOF'
import json, platform
try:
    import torch
    d = {"step": "env", "torch": torch.__version__, "cuda": torch.version.cuda, "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None}
except Exception as e:
    d = {"step": "env", "torch": None, "error": str(e)}
for m in ("transformers", "peft", "tokenizers", "safetensors"):
    try:
        d[m] = __import__(m).__version__
    except Exception:
        d[m] = None
print(json.dumps(d))
EOF
)"

# ---- 1. build ----
if has_step build; then
  t0=$(now)
  PREFIX=$($PY -c 'import torch.utils; print(torch.utils.cmake_prefix_path)')
  DEPS=()
  if [ -d "$ROOT/build-gpu-deps/usr" ]; then
    D=$ROOT/build-gpu-deps/usr
    DEPS=(-DCMAKE_PREFIX_PATH="$D" -DCMAKE_INCLUDE_PATH="$D/include" -DCMAKE_LIBRARY_PATH="$D/lib/x86_64-linux-gnu")
    export PKG_CONFIG_PATH="$D/lib/x86_64-linux-gnu/pkgconfig:$D/share/pkgconfig:${PKG_CONFIG_PATH:-}"
    export LD_LIBRARY_PATH="$D/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}"
  fi
  GEN=(); command -v ninja >/dev/null && GEN=(-G Ninja)
  cmake -S . -B "$BUILD" "${GEN[@]}" -DCMAKE_BUILD_TYPE=Release -DLIBU_TORCH="$PREFIX" -DLIBU_BUILD_PYTHON=OFF \
    "${DEPS[@]}" >"$OUT/configure.log" 2>&1 &&
    cmake --build "$BUILD" -j "$(nproc)" >"$OUT/build.log" 2>&1
  rc=$?
  line "{\"step\": \"build\", \"rc\": $rc, \"s\": $(secs "$t0" "$(now)"), \"torch_prefix\": \"$PREFIX\"}"
  [ $rc = 0 ] || { tail -30 "$OUT/build.log" "$OUT/configure.log"; exit 1; }
fi

# ---- 2. the reference tests on the device ----
if has_step tests; then
  t0=$(now)
  LIBU_TEST_DEVICE=$DEV ctest --test-dir "$BUILD" -LE slow -R 'Parity|LeanHead|Packing|KVCache|Generate' \
    --output-on-failure -j 4 >"$OUT/tests.log" 2>&1
  rc=$?
  n=$(grep -Eo '[0-9]+ tests failed out of [0-9]+' "$OUT/tests.log" | tail -1)
  line "{\"step\": \"tests\", \"device\": \"$DEV\", \"rc\": $rc, \"result\": \"$n\", \"s\": $(secs "$t0" "$(now)")}"
fi

ROWS=$OUT/rows.jsonl
$PY - "$SHARED/data/semeval25" "$ROWS" <<'EOF'
import glob, json, sys
rows = []
try:
    import pyarrow.parquet as pq
    for f in sorted(glob.glob(sys.argv[1] + "/forget_train-*.parquet"))[:1]:
        t = pq.read_table(f).to_pydict()
        rows += [{"input": i, "output": o} for i, o in zip(t["input"], t["output"])]
except Exception:
    pass
if not rows:  # no pyarrow: plain text rows of the same length
    rows = [{"input": "The quick brown fox jumps over the lazy dog. " * 20, "output": ""}] * 8
with open(sys.argv[2], "w") as f:
    for r in rows[:64]:
        f.write(json.dumps(r) + "\n")
EOF

# ---- 3. LoRA step: libu against transformers + PEFT ----
if has_step step; then
  for P in $PRESETS; do
    M=$ROOT/build-gpu/model-$P
    [ -f "$M/config.json" ] || "$LIBU" init --arch olmo --preset "$P" --dtype bf16 --tokenizer "$SHARED/data/tokenizers/olmo_gpt-neox-olmo-dolma-v1_5.tokenizer.json" --out "$M" >"$OUT/init-$P.log" 2>&1
    watch_gpu
    r=$("$BUILD/bin/model_bench" --case step --preset "$P" --dtype bf16 --T 256 --B 1 --steps 5 --n 1024 --device $DEV 2>"$OUT/step-libu-$P.log" | tail -1)
    line "{\"step\": \"lora_step\", \"impl\": \"libu\", \"preset\": \"$P\", \"peak_gpu_mib\": $(stop_gpu), \"result\": ${r:-null}}"
    if $PY -c 'import transformers, peft' 2>/dev/null; then
      watch_gpu
      r=$($PY bench/peers/hf_peft_lora_step.py --model "$M" --rows "$ROWS" --batch 1 --seq 256 --steps 5 --rank 24 \
        --alpha 32 --targets q_proj,k_proj,v_proj,o_proj --dtype bf16 --device $DEV 2>"$OUT/step-peer-$P.log" | tail -1)
      line "{\"step\": \"lora_step\", \"impl\": \"hf_peft\", \"preset\": \"$P\", \"peak_gpu_mib\": $(stop_gpu), \"result\": ${r:-null}}"
    else
      line "{\"step\": \"lora_step\", \"impl\": \"hf_peft\", \"skipped\": \"no transformers/peft in $PY\"}"
    fi
  done
fi

# ---- 4. parity against transformers + PEFT ----
if has_step parity; then
  if $PY -c 'import transformers, peft, safetensors' 2>/dev/null; then
    M=$ROOT/build-gpu/model-parity
    [ -f "$M/config.json" ] || "$LIBU" init --arch olmo --preset tiny --dtype fp32 --tokenizer "$SHARED/data/tokenizers/olmo_gpt-neox-olmo-dolma-v1_5.tokenizer.json" --out "$M" >"$OUT/init-parity.log" 2>&1
    F=$ROOT/build-gpu/fixture
    $PY bench/peers/hf_peft_lora_step.py --model "$M" --rows "$ROWS" --batch 2 --seq 64 --rank 8 --alpha 16 \
      --fixture "$F" --device $DEV >"$OUT/fixture.log" 2>&1
    r=$("$LIBU" parity --model "$M" --expected "$F/expected.safetensors" --adapter "$F/adapter" --device $DEV 2>>"$OUT/fixture.log" | tail -1)
    line "{\"step\": \"parity_hf_peft\", \"result\": ${r:-null}}"
  else
    line "{\"step\": \"parity_hf_peft\", \"skipped\": \"no transformers/peft/safetensors in $PY\"}"
  fi
fi

# ---- 5. libu unlearn --preset libu end to end ----
if has_step unlearn; then
  D=$ROOT/build-gpu/data
  mkdir -p "$D"
  cp "$SHARED"/data/semeval25/forget_train-*.parquet "$SHARED"/data/semeval25/retain_train-*.parquet "$D/"
  for P in $PRESETS; do
    M=$ROOT/build-gpu/model-$P
    [ -f "$M/config.json" ] || "$LIBU" init --arch olmo --preset "$P" --dtype bf16 --tokenizer "$SHARED/data/tokenizers/olmo_gpt-neox-olmo-dolma-v1_5.tokenizer.json" --out "$M" >"$OUT/init-$P.log" 2>&1
    U=$ROOT/build-gpu/unlearn-$P
    t0=$(now)
    watch_gpu
    "$LIBU" unlearn --preset libu --model "$M" --forget "$D" --retain "$D" --out "$U" --device $DEV --dtype bf16 \
      $UNLEARN_ARGS --no-merge --threads "$(nproc)" >"$OUT/unlearn-$P.log" 2>&1
    rc=$?
    peak=$(stop_gpu)
    r=$($PY - "$U" <<'PY'
import json, sys
r = json.load(open(sys.argv[1] + "/run.json"))
tokens = sum(json.loads(l).get("tokens", 0) for l in open(sys.argv[1] + "/metrics.jsonl") if '"validation"' not in l)
train = r.get("train_wall_s") or 0
print(json.dumps({"wall_s": r.get("wall_s"), "train_wall_s": train, "before_training_s": (r.get("wall_s") or 0) - train,
                  "steps_done": r.get("steps_done"), "tokens": tokens, "tokens_per_s": tokens / train if train else None,
                  "phase1_lr": (r.get("phase1") or {}).get("lr")}))
PY
)
    line "{\"step\": \"unlearn\", \"preset\": \"$P\", \"rc\": $rc, \"s\": $(secs "$t0" "$(now)"), \"peak_gpu_mib\": $peak, \"run\": ${r:-null}}"
  done
fi
echo "gpu-check: $J" >&2
