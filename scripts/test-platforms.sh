#!/usr/bin/env bash
# The packed tarball on every platform blasnet ships a prebuild for, each with Node from the npm
# registry (node-linux-<arch> packages): the consumer test (npm install --ignore-scripts, import and
# require, backend native from the prebuild, a logistic regression and an XOR network trained) plus its
# numeric subset (gradient checks, native against reference, exact save/load, and the trained
# parameters against this machine's Node 20 run, 1e-9 relative):
#   - Debian 12 (this machine), linux-x64, Node 22, 24 and 26 (Node 20 is the machine's own: .ci/run),
#     each also running a core subset of npm test (CORE_TESTS below);
#   - Debian 11 root (scripts/bullseye.sh), linux-x64, Node 24, with bullseye's OpenBLAS 0.3.13;
#   - Debian 11 root, linux-arm64 under qemu-user, Node 24 (arm64), with bullseye's arm64 OpenBLAS.
#
#   scripts/test-platforms.sh [--only host|bullseye|arm64] [TARBALL]
# TARBALL defaults to .cache/blasnet.tgz, written by `node scripts/consumer-test.mjs --numeric
# --save-tarball .cache/blasnet.tgz --save-params .cache/params-x64.txt` (.ci/run does that first).
# Needs root for the Debian 11 root. Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
only=all
if [ "${1:-}" = --only ]; then only=$2; shift 2; fi
tarball=${1:-.cache/blasnet.tgz}
params=.cache/params-x64.txt
[ -f "$tarball" ] || { echo "test-platforms: FAIL: no tarball $tarball (run the consumer test with --save-tarball first)" >&2; exit 1; }
case "$(realpath "$tarball")" in "$PWD"/*) ;; *) echo "test-platforms: FAIL: the tarball must lie inside this checkout (the Debian 11 root sees only it)" >&2; exit 1;; esac
compare=()
[ -f "$params" ] && compare=(--compare-params "$params")
summary=()

step() {
  local label=$1; shift
  local t0=$SECONDS
  echo "test-platforms: $label"
  set +e
  "$@" 2>&1 | sed 's/^/  /'
  local rc=${PIPESTATUS[0]}
  set -e
  [ "$rc" = 0 ] || { echo "test-platforms: FAIL: $label (exit $rc)" >&2; exit 1; }
  summary+=("$label: OK in $((SECONDS - t0)) s")
}

# The core subset of npm test each registry Node runs (on this checkout's build/Release addon): the
# loader and install step, gradient checks, the SIMD levels' bits, the models' fits and async jobs
# (job-buffers: async predict and fit on worker threads; not async.test.ts, whose event-loop gap bound of
# 100 ms is a wall-clock one that a loaded 2-core machine missed once at 118 ms).
CORE_TESTS=(test/loader.test.ts test/install.test.ts test/network-gradcheck.test.ts test/simd.test.ts
  test/logistic.test.ts test/network.test.ts test/job-buffers.test.ts)
if [ "$only" = all ] || [ "$only" = host ]; then
  [ -f build/Release/blasnet.node ] || { echo "test-platforms: FAIL: no build/Release/blasnet.node for the core test subset (npm run build:native)" >&2; exit 1; }
  for major in 22 24 26; do
    node=$(scripts/registry-node.sh x64 "$major")
    v=$("$node" --version)
    step "Debian 12, linux-x64, Node $v: core subset of npm test" "$node" node_modules/vitest/vitest.mjs run "${CORE_TESTS[@]}"
    step "Debian 12, linux-x64, Node $v: consumer test" "$node" scripts/consumer-test.mjs --tarball "$tarball" --numeric "${compare[@]}"
  done
fi
if [ "$only" = all ] || [ "$only" = bullseye ]; then
  step "Debian 11 root, linux-x64, Node 24" scripts/bullseye.sh exec --node x64-24 -- node scripts/consumer-test.mjs --tarball "$tarball" --numeric "${compare[@]}"
  # A Debian 12 build (build/Release: GCC 12, glibc 2.36) there: refused, and the reason names the
  # missing glibc symbol version (lib/native.ts missingRuntimeVersion).
  if [ -f build/Release/blasnet.node ] && [ -f dist/lib/native.js ]; then
    step "Debian 11 root: a Debian 12 build is refused with the glibc reason" scripts/bullseye.sh exec --node x64-24 -- sh -c \
      "BLASNET_NATIVE_PATH=\$PWD/build/Release/blasnet.node node --input-type=module -e \"
        const m = await import('./dist/lib/native.js');
        const r = m.nativeUnavailableReason();
        console.log(r);
        if (m.nativeAddon() !== null || !/needs GLIBC_2\\.3[2-9].*too old/.test(r)) process.exit(1);\""
  fi
fi
if [ "$only" = all ] || [ "$only" = arm64 ]; then
  step "Debian 11 root, linux-arm64 under qemu-user, Node 24" scripts/bullseye.sh exec --node arm64-24 -- node scripts/consumer-test.mjs --tarball "$tarball" --numeric "${compare[@]}"
fi
printf 'test-platforms: %s\n' "${summary[@]}"
echo "test-platforms: ${#summary[@]} passed, 0 failed"
