#!/usr/bin/env bash
# Writes a reference fixture for one model family with the project's plain-PyTorch decoder
# (tools/reference/make_fixture.py) and checks libu against it with `libu parity`
# (logits, loss, LoRA logits/loss and LoRA gradients). Usage: reference-parity.sh ARCH BUILD_DIR
set -euo pipefail
arch=$1
build=$2
py=/usr/bin/python3
[ -x "$py" ] || py=python3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$py" "$(dirname "$0")/../tools/reference/make_fixture.py" --arch "$arch" --out "$dir/$arch" >/dev/null
"$build/bin/libu" parity --model "$dir/$arch" --expected "$dir/$arch/expected.safetensors" \
  --adapter "$dir/$arch/adapter" --threads 1
