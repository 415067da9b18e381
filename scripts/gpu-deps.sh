#!/usr/bin/env bash
# scripts/gpu-deps.sh (issue #24): the non-torch libraries libu builds with, as Debian packages
# unpacked into build-gpu-deps/ (headers and shared libraries, about 20 MB), for a GPU machine
# that has a pip PyTorch, cmake and ninja but no package mirror. Run here (it needs the Debian
# mirror apt uses, not root), then carry build-gpu-deps/ with the tree; scripts/gpu-check.sh
# points CMake at it when the machine lacks a library.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEST=$ROOT/build-gpu-deps
PKGS=(nlohmann-json3-dev libgtest-dev libgmock-dev libgloo-dev libbenchmark-dev libbenchmark1debian
      libpcre2-dev libpcre2-8-0 libutf8proc-dev libutf8proc2 libsnappy-dev libsnappy1v5
      zlib1g-dev libzstd-dev liblz4-dev libbrotli-dev libbrotli1)
rm -rf "$DEST.tmp"
mkdir -p "$DEST.tmp/debs"
(cd "$DEST.tmp/debs" && apt-get download "${PKGS[@]}" >/dev/null)
for d in "$DEST.tmp"/debs/*.deb; do dpkg-deb -x "$d" "$DEST.tmp"; done
rm -rf "$DEST.tmp/debs" "$DEST.tmp/usr/share/doc" "$DEST.tmp/usr/share/man"
rm -rf "$DEST" && mv "$DEST.tmp" "$DEST"
du -sh "$DEST"
