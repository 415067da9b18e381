#!/usr/bin/env bash
# make check-torch2 (issue #24): builds libu and runs the fast suite against Debian trixie's
# libtorch 2.6, inside a chroot under build-torch2/root that the first call makes with
# debootstrap and every later call reuses. Needs root (chroot, bind mounts) and the Debian
# mirror that apt already uses. The repository and ../shared are bind-mounted at the same
# relative places, so the tests find ../shared as they do outside.
#   DEBIAN_MIRROR   mirror for debootstrap (default: the first URIs of /etc/apt/sources.list.d/debian.sources)
#   CTEST_ARGS      extra ctest flags (default: -LE slow)
# --setup-only: make the chroot and stop (the download and install, without the build).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=$(cd "$ROOT/.." && pwd)/shared
CH=$ROOT/build-torch2/root
NAME=$(basename "$ROOT")
if [ "$(id -u)" -ne 0 ]; then
  echo "check-torch2: needs root for chroot and bind mounts (run it with sudo)" >&2
  exit 2
fi
MIRROR=${DEBIAN_MIRROR:-$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
# Build dependencies inside trixie: the same as scripts/install-deps.sh, without the Python
# package (LIBU_BUILD_PYTHON=OFF) and the benches.
PKGS="cmake ninja-build g++ pkg-config libtorch-dev libopenblas0-openmp nlohmann-json3-dev libgtest-dev libgmock-dev
      libpcre2-dev libutf8proc-dev libsnappy-dev zlib1g-dev libzstd-dev liblz4-dev libbrotli-dev libgloo-dev
      python3 python3-torch"  # python3-torch: tools/reference/make_fixture.py (the reference_parity tests)

mounted=()
cleanup() { for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[$i]}" 2>/dev/null || true; done; }
trap cleanup EXIT
bind() { mkdir -p "$2"; mount --bind "$1" "$2"; mounted+=("$2"); }

t0=$(date +%s)
if [ ! -f "$CH/.libu-ready" ]; then
  command -v debootstrap >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap; }
  rm -rf "$CH"
  mkdir -p "$CH"
  echo "check-torch2: debootstrap trixie from $MIRROR into $CH" >&2
  debootstrap --variant=minbase trixie "$CH" "$MIRROR" >"$ROOT/build-torch2/debootstrap.log" 2>&1 ||
    { tail -20 "$ROOT/build-torch2/debootstrap.log" >&2; exit 1; }
  bind /proc "$CH/proc"; bind /dev "$CH/dev"; bind /sys "$CH/sys"
  cp /etc/resolv.conf "$CH/etc/resolv.conf"
  chroot "$CH" apt-get update -qq
  # shellcheck disable=SC2086
  chroot "$CH" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $PKGS
  touch "$CH/.libu-ready"
  cleanup; mounted=()
fi
# Packages added to the list after the chroot was made are installed on the next call.
missing=$(for p in $PKGS; do chroot "$CH" dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"; done)
if [ -n "$missing" ]; then
  bind /proc "$CH/proc"; bind /dev "$CH/dev"; bind /sys "$CH/sys"
  chroot "$CH" apt-get update -qq
  # shellcheck disable=SC2086
  chroot "$CH" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
  cleanup; mounted=()
fi
t1=$(date +%s)
if [ "${1:-}" = "--setup-only" ]; then echo "check-torch2: chroot ready in $((t1 - t0)) s" >&2; exit 0; fi
bind /proc "$CH/proc"; bind /dev "$CH/dev"; bind /sys "$CH/sys"
bind "$ROOT" "$CH/work/$NAME"
[ -d "$SHARED" ] && bind "$SHARED" "$CH/work/shared"
echo "check-torch2: libtorch $(chroot "$CH" dpkg-query -W -f='${Version}' libtorch-dev) in $CH" >&2
chroot "$CH" bash -c "cd /work/$NAME && \
  cmake -S . -B build-torch2/build -G Ninja -DCMAKE_BUILD_TYPE=Release -DLIBU_BUILD_PYTHON=OFF -DLIBU_BUILD_BENCH=OFF >/dev/null && \
  cmake --build build-torch2/build -j ${JOBS:-2} && \
  ctest --test-dir build-torch2/build --output-on-failure -j ${JOBS:-2} ${CTEST_ARGS:--LE slow}"
t2=$(date +%s)
echo "check-torch2: passed (chroot setup $((t1 - t0)) s, build + tests $((t2 - t1)) s)" >&2
