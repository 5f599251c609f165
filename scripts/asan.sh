#!/usr/bin/env bash
# The sanitizer run: builds the addon with AddressSanitizer + UndefinedBehaviorSanitizer into
# build-asan/ (the release build in build/ is untouched), then runs vitest on the given test files
# (all of them by default) with that addon and the ASan runtime preloaded into node. Any ASan or
# UBSan report aborts the process, so the run fails. Leak detection is off here: node and V8 keep
# allocations alive until exit by design (scripts/memcheck covers leaks with valgrind).
#   npm run build:asan             build only
#   npm run test:asan [-- files]   build, then test
set -euo pipefail
cd "$(dirname "$0")/.."
node node_modules/cmake-js/bin/cmake-js compile --directory . --out build-asan --CDBLASNET_SANITIZE=ON --log-level warn
addon="$PWD/build-asan/Release/blasnet.node"
test -f "$addon"
# Instrumented for real: the addon calls into the ASan and UBSan runtimes.
syms=$(nm -D "$addon")
grep -q __asan_report <<<"$syms" || { echo "asan: $addon is not instrumented" >&2; exit 1; }
grep -q __ubsan_handle <<<"$syms" || { echo "asan: $addon has no UBSan checks" >&2; exit 1; }
[ "${1:-}" = "--build-only" ] && { echo "asan: built $addon"; exit 0; }
runtime=$(g++ -print-file-name=libasan.so)
[ -f "$runtime" ] || { echo "asan: the ASan runtime ($runtime) is missing: apt-get install g++" >&2; exit 1; }
export LD_PRELOAD="$runtime"
export BLASNET_NATIVE_PATH="$addon"
export BLASNET_SANITIZER=1  # tests whose measure ASan changes (RSS) skip themselves
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:halt_on_error=1:detect_stack_use_after_return=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
# Prove the sanitized addon is the one that loads, with the sanitizer live.
node -e "import('./dist/lib/index.js').then(m => { const i = m.info(); if (i.backend !== 'native') { console.error('asan: the sanitized addon did not load:', i.nativeUnavailableReason); process.exit(1); } console.log('asan: native backend from', process.env.BLASNET_NATIVE_PATH); })"
npx vitest run "$@"
