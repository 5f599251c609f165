#!/usr/bin/env bash
# `npm run memcheck`: runs scripts/memcheck-workload.mjs (fit / predict / save / load on both models
# with the native backend, sync and async, and the error paths across the native boundary) under
# valgrind's memcheck. Fails (exit 1) on any invalid read or write, any use of uninitialised memory
# and any definitely lost block, except what tools/valgrind.supp suppresses: noise from Node/V8
# itself, never from blasnet.node. The full log goes to build/memcheck.log.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null 2>&1 || { echo "memcheck: valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }
test -f build/Release/blasnet.node || { echo "memcheck: build the addon first (npm run build:native)" >&2; exit 2; }
mkdir -p build
log=build/memcheck.log
status=0
# Valgrind executes no AVX-512 (and hides it from CPUID, so blasnet's own kernels pick AVX2), but
# /proc/cpuinfo still lists it and blasnet would name OpenBLAS's SkylakeX kernels: name Haswell's
# (AVX2) for this run, unless the caller chose.
export OPENBLAS_CORETYPE="${OPENBLAS_CORETYPE:-Haswell}"
valgrind --tool=memcheck --error-exitcode=1 \
  --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite \
  --suppressions=tools/valgrind.supp --num-callers=40 --log-file="$log" \
  node scripts/memcheck-workload.mjs || status=$?
grep -E "ERROR SUMMARY|definitely lost|indirectly lost|possibly lost|suppressed:" "$log" | sed 's/^==[0-9]*== */memcheck: /'
# Name blasnet's own frames, if any error has one, so a failure points at our code.
if grep -q "blasnet.node" "$log"; then
  echo "memcheck: reports with frames in blasnet.node:" >&2
  grep -n -B2 -A12 "blasnet.node" "$log" | head -80 >&2
fi
if [ "$status" -ne 0 ]; then echo "memcheck: FAILED (exit $status); see $log" >&2; exit 1; fi
echo "memcheck: clean (no invalid access, no definite leak; log in $log)"
