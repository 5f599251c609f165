#!/usr/bin/env bash
# A Debian 11 (bullseye) root for the Linux prebuilds: glibc 2.31, GCC 10 (libstdc++ GLIBCXX_3.4.28),
# OpenBLAS 0.3.13, and bullseye's aarch64-linux-gnu cross compiler with the arm64 multiarch
# libraries. Building the packed addons there gives them bullseye's floors (Debian 11, Ubuntu 20.04's
# glibc 2.31, the node:*-bullseye images); the host (Debian 12: glibc 2.36, GCC 12) would give its own.
#
#   scripts/bullseye.sh setup                 debootstrap the root once (cached), arm64 packages in it
#   scripts/bullseye.sh prebuild [x64|arm64|all]
#                                             npm pack's prepack: prebuilds/linux-<arch>/blasnet.node built
#                                             in the root (scripts/build-native.mjs --prebuild there), each
#                                             checked to load there (arm64 through qemu-user's binfmt)
#   scripts/bullseye.sh exec [--node <x64|arm64>-<major>] -- CMD...
#                                             CMD in the root, with this checkout at the same path and a
#                                             Node binary from the npm registry (node-linux-<arch>) first on PATH
#
# Needs root (debootstrap, chroot, a private mount namespace: no mount outlives the command). The root is
# kept in $BLASNET_CACHE_DIR (default /var/tmp/blasnet-cache)/bullseye-amd64, never in the repository;
# delete that folder to rebuild it. Everything comes from Debian's archive and the npm registry.
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
src=$PWD
cache=${BLASNET_CACHE_DIR:-/var/tmp/blasnet-cache}
R=$cache/bullseye-amd64
# Bump when the package set changes: an older root is then rebuilt.
ROOT_STAMP=$R/.blasnet-root-v1
ARM64_STAMP=$R/.blasnet-arm64-v1
MIRROR=${BLASNET_DEBIAN_MIRROR:-http://deb.debian.org/debian}

say() { echo "bullseye: $*" >&2; }
die() { echo "bullseye: FAIL: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot, mount namespaces); the prebuilds are built in a Debian 11 root"

host_apt() {
  export DEBIAN_FRONTEND=noninteractive
  [ -n "${_apt_updated:-}" ] || { apt-get update -qq; _apt_updated=1; }
  apt-get install -y -qq "$@" >/dev/null
}

# Runs "$@" in the root: /proc, /dev and this checkout mounted in a private mount namespace.
in_root() {
  local path=$1; shift
  unshare --mount --propagation private -- bash -c '
    set -e
    R=$1 src=$2 path=$3; shift 3
    mount -t proc proc "$R/proc"
    mount --rbind /dev "$R/dev"
    mkdir -p "$R$src" && mount --bind "$src" "$R$src"
    # The CA bundle of the host (it may hold the CA of a proxy that npm needs to reach the registry).
    if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
      mkdir -p "$R/etc/ssl/certs" && touch "$R/etc/ssl/certs/ca-certificates.crt"
      mount --bind /etc/ssl/certs/ca-certificates.crt "$R/etc/ssl/certs/ca-certificates.crt"
    fi
    exec chroot "$R" env -i HOME=/root LANG=C.UTF-8 PATH="$path" CI="${CI:-}" TMPDIR=/tmp \
      NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt npm_config_cafile=/etc/ssl/certs/ca-certificates.crt \
      ${BLASNET_PREBUILD_TREE:+BLASNET_PREBUILD_TREE=$BLASNET_PREBUILD_TREE} \
      ${BLASNET_PREBUILD_NODE:+BLASNET_PREBUILD_NODE=$BLASNET_PREBUILD_NODE} \
      ${BLASNET_VERBOSE_BUILD:+BLASNET_VERBOSE_BUILD=$BLASNET_VERBOSE_BUILD} \
      sh -c "cd \"$src\" && exec \"\$@\"" sh "$@"
  ' bash "$R" "$src" "$path" "$@"
}

setup_root() {
  if [ ! -f "$ROOT_STAMP" ]; then
    command -v debootstrap >/dev/null || { say "installing debootstrap"; host_apt debootstrap; }
    say "debootstrap bullseye into $R (once; about a minute)"
    local t0=$SECONDS
    rm -rf "$R" "$R.part"
    mkdir -p "$cache"
    nice -n 10 debootstrap --variant=minbase \
      --include=g++,make,cmake,libopenblas-dev,pkg-config,binutils,ca-certificates \
      bullseye "$R.part" "$MIRROR" >"$cache/debootstrap.log" 2>&1 \
      || { tail -20 "$cache/debootstrap.log" >&2; die "debootstrap failed (log: $cache/debootstrap.log)"; }
    mv "$R.part" "$R"
    touch "$ROOT_STAMP"
    say "root ready in $((SECONDS - t0)) s"
  fi
}

setup_arm64() {
  [ -f "$ARM64_STAMP" ] && return
  say "bullseye's aarch64 cross compiler and libopenblas-dev:arm64 into the root"
  local t0=$SECONDS
  in_root /usr/sbin:/usr/bin:/sbin:/bin sh -c 'dpkg --add-architecture arm64 && apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive nice -n 10 apt-get install -y -qq --no-install-recommends \
      g++-aarch64-linux-gnu binutils-aarch64-linux-gnu libopenblas-dev:arm64 libstdc++6:arm64 >/dev/null' \
    || die "could not install the arm64 packages in the root"
  touch "$ARM64_STAMP"
  say "arm64 packages ready in $((SECONDS - t0)) s"
}

# qemu-user with binfmt_misc, so that arm64 binaries (Node, the addon's load check) run as is.
setup_qemu() {
  if [ ! -x /usr/bin/qemu-aarch64-static ] && [ ! -x /usr/libexec/qemu-binfmt/aarch64-binfmt-P ]; then
    say "installing qemu-user-static"; host_apt qemu-user-static binfmt-support
  fi
  [ -f /proc/sys/fs/binfmt_misc/register ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc \
    || die "binfmt_misc is not available: arm64 binaries cannot run here"
  [ -f /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 || true
  grep -q '^flags:.*F' /proc/sys/fs/binfmt_misc/qemu-aarch64 2>/dev/null \
    || die "qemu-aarch64 is not registered with binfmt_misc (with the F flag, which chroots need)"
}

# The registry's Node binary for <arch>-<major>, copied into the root; prints its folder inside the root.
root_node() {
  local arch=${1%-*} major=${1#*-}
  local bin
  bin=$(scripts/registry-node.sh "$arch" "$major") || return 1
  [ -x "$bin" ] || return 1
  local dir=/opt/node-$arch-$major/bin
  if [ ! -x "$R$dir/node" ] || ! cmp -s "$bin" "$R$dir/node"; then
    mkdir -p "$R$dir"
    cp "$bin" "$R$dir/node"
  fi
  # npm (a JavaScript program: the host's copy runs on any of these Nodes).
  if [ ! -f "$R/opt/npm/bin/npm-cli.js" ]; then
    local npmdir
    npmdir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
    rm -rf "$R/opt/npm" && cp -a "$npmdir" "$R/opt/npm"
  fi
  ln -sfn ../../npm/bin/npm-cli.js "$R$dir/npm"
  ln -sfn ../../npm/bin/npx-cli.js "$R$dir/npx"
  echo "$dir"
}

cmd=${1:-}
shift || true
case "$cmd" in
  setup)
    setup_root
    setup_arm64
    ;;
  prebuild)
    arches=${1:-all}
    case "$arches" in x64|arm64|all) ;; *) die "prebuild: unknown target $arches (x64, arm64 or all)";; esac
    setup_root
    # The build runs scripts/build-native.mjs (cmake-js) under a registry Node inside the root.
    nodedir=$(root_node x64-22) || die "no Node for the root"
    [ -d node_modules/cmake-js ] || die "node_modules/ is missing: run npm ci first"
    if [ "$arches" != arm64 ]; then
      t0=$SECONDS
      BLASNET_PREBUILD_TREE=build-bullseye-x64 in_root "$nodedir:/usr/bin:/bin" node scripts/build-native.mjs --prebuild
      say "linux-x64 prebuild built in the root in $((SECONDS - t0)) s"
    fi
    if [ "$arches" != x64 ]; then
      setup_arm64
      setup_qemu
      armdir=$(root_node arm64-22) || die "no arm64 Node for the root"
      t0=$SECONDS
      BLASNET_PREBUILD_TREE=build-bullseye-arm64 BLASNET_PREBUILD_NODE=$armdir/node \
        in_root "$nodedir:/usr/bin:/bin" node scripts/build-native.mjs --prebuild --arch arm64 --toolchain "$src/scripts/aarch64-linux-gnu.cmake"
      say "linux-arm64 prebuild cross-built in the root in $((SECONDS - t0)) s"
    fi
    ;;
  exec)
    node=x64-22
    if [ "${1:-}" = --node ]; then node=$2; shift 2; fi
    [ "${1:-}" = -- ] && shift
    [ $# -gt 0 ] || die "exec: no command"
    setup_root
    # The arm64 packages also bring aarch64-linux-gnu-objdump, which the floor check of a tarball needs.
    setup_arm64
    case "$node" in arm64-*) setup_qemu;; esac
    nodedir=$(root_node "$node") || die "no Node $node for the root"
    in_root "$nodedir:/usr/bin:/bin" "$@"
    ;;
  *)
    die "usage: scripts/bullseye.sh setup | prebuild [x64|arm64|all] | exec [--node <arch>-<major>] -- CMD..."
    ;;
esac
