#!/usr/bin/env bash
# ctest `bench_semeval_smoke`: the SemEval per-example bench and its PyTorch peer run on the same
# workload (tiny preset, 4 + 4 rows) and agree on the number of example-passes. It checks that
# the bench and bench/peers/ stay runnable; it times nothing.
# Usage: bench-smoke.sh BUILD_BIN_DIR (run from the repository root).
set -euo pipefail
bin="$1"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
shared="${LIBU_SHARED_DIR:-../shared}"  # a copy of the references elsewhere, as for the tests
libu_line="$("$bin/unlearn_bench" --case semeval --preset tiny --rows 4 --workload "$tmp/wl.json" \
  --data "$shared/data/semeval25" --tokenizer "$shared/data/tokenizers/olmo_gpt-neox-olmo-dolma-v1_5.tokenizer.json" | tail -1)"
peer_line="$(/usr/bin/python3 bench/peers/semeval_dynamic_padding.py "$tmp/wl.json" --preset tiny | tail -1)"
/usr/bin/python3 - "$libu_line" "$peer_line" <<'PY'
import json, sys
a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
assert a["bench"] == b["bench"] == "semeval_per_example", (a, b)
assert a["example_passes"] == b["example_passes"] > 0, (a["example_passes"], b["example_passes"])
assert a["real_tokens"] <= a["padded_tokens"], a
assert a["examples_per_s"] > 0 and b["examples_per_s"] > 0
print("bench smoke ok:", a["example_passes"], "example-passes on both sides")
PY
