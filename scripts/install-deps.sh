#!/usr/bin/env bash
# Installs the Debian packages libu needs, only when something is missing.
# Usage: scripts/install-deps.sh [EXTRA_PACKAGE...]
set -euo pipefail
PKGS=(
  cmake ninja-build g++ ccache pkg-config
  libtorch-dev libopenblas0-openmp
  nlohmann-json3-dev libgtest-dev libgmock-dev libbenchmark-dev
  libpcre2-dev libutf8proc-dev
  libsnappy-dev zlib1g-dev libzstd-dev liblz4-dev libbrotli-dev
  python3-torch libgloo-dev
  pybind11-dev python3-dev python3-pytest
)
PKGS+=("$@")  # extra packages for one target, e.g. clang for make fuzz
missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
